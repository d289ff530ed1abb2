"""Shared harness of the reliability and security tests (tests/test_reliability_*.py,
tests/test_security.py): the real ``Application`` from ``build_application`` — with the
digests and admin features as ``newsbot run`` wires them — polling a strict FakeBotAPI, plus
helpers to start ``newsbot run`` as a process and to read what the bot did.

Why one module: every one of those tests needs the same production wiring with time injected
(the flood guard's clock, the store's and scheduler's wall clock, the pacer's virtual clock),
and the same bookkeeping (replies per update, handling times).  Nothing here sleeps to
synchronise: tests wait on the fake's traffic.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakebotapi import FakeBotAPI
from polling_support import polling
from tests_paths import INTENTS, SEEDS

from bot.config import Settings
from bot.service import NewsService
from bot.store import AsyncStore, Store
from bot.telegram import handlers as handlers_module
from bot.telegram.admin import AdminFeature, AdminOptions
from bot.telegram.app import build_application
from bot.telegram.deps import BotOptions
from bot.telegram.digest_delivery import DigestOptions
from bot.telegram.digests import Digests
from bot.telegram.features import Feature
from bot.telegram.ptb import App

ROOT = Path(__file__).resolve().parent.parent
BOT_USERNAME = "newsbot_test_bot"
ADMIN = 4242
QUESTION = "艾华集团投资了多少钱？"
ANSWER = "4.56亿元"
START = datetime(2024, 3, 1, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
DUE = datetime(2024, 3, 2, 0, 0, tzinfo=UTC)  # the next 08:00 in Shanghai

JSON = dict[str, Any]


class FloodClock:
    """The flood guard's clock; tests move it instead of sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class WallClock:
    """The store's and the scheduler's wall clock; tests move it."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class VirtualPace:
    """The digest pacer's clock and sleep: sleeping moves the clock at once."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        self.slept += max(0.0, seconds)
        await asyncio.sleep(0)


@dataclass
class Timings:
    """What the question handler did, per message: wall time from the handler's start to the
    reply sent (``handler_ms``), and the core's answer alone (``core_ms``)."""

    handler_ms: list[float] = field(default_factory=list)
    core_ms: list[float] = field(default_factory=list)
    handled: list[tuple[int, int]] = field(default_factory=list)  # (chat, message id)
    chunks: dict[int, int] = field(default_factory=dict)  # chat → answer messages sent

    def worst(self) -> tuple[float, float]:
        return max(self.handler_ms, default=0.0), max(self.core_ms, default=0.0)


@contextmanager
def timed_handlers(monkeypatch: pytest.MonkeyPatch) -> Iterator[Timings]:
    """Measure every question the bot answers (patch before ``build_application``)."""
    timings = Timings()
    original_answer = handlers_module.Questions.answer
    original_ask = NewsService.ask
    original_send = handlers_module.send_chunks

    async def answer(self: Any, message: Any, text: str) -> None:
        started = time.perf_counter()
        try:
            await original_answer(self, message, text)
        finally:
            timings.handler_ms.append((time.perf_counter() - started) * 1000)
            timings.handled.append((message.chat_id, message.message_id))

    def ask(self: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original_ask(self, *args, **kwargs)
        finally:
            timings.core_ms.append((time.perf_counter() - started) * 1000)

    async def send_chunks(bot: Any, where: Any, chunks: Any, keyboard: Any = None) -> Any:
        sent = await original_send(bot, where, chunks, keyboard)
        for message in sent:
            timings.chunks[message.chat_id] = timings.chunks.get(message.chat_id, 0) + 1
        return sent

    monkeypatch.setattr(handlers_module.Questions, "answer", answer)
    monkeypatch.setattr(NewsService, "ask", ask)
    monkeypatch.setattr(handlers_module, "send_chunks", send_chunks)
    yield timings


@dataclass
class Harness:
    fake: FakeBotAPI
    app: App
    service: NewsService
    store: AsyncStore
    settings: Settings
    flood: FloodClock
    clock: WallClock
    pace: VirtualPace
    digests: Digests | None = None
    admin: AdminFeature | None = None

    async def reply(
        self, text: str, *, chat_id: int = 1001, count: int = 1, timeout: float = 20, **kw: Any
    ) -> JSON:
        """Push a message; wait for ``count`` new bot messages in the chat; the last one."""
        before = len(self.fake.sent_messages(chat_id))
        self.fake.push_message(text, chat_id=chat_id, **kw)
        messages = await self.fake.wait_for_messages(chat_id, before + count, timeout)
        return messages[before + count - 1]

    async def toast(self, message: JSON, data: str, **kwargs: Any) -> str:
        """Press (possibly forged) button data; the text of the callback's answer."""
        before = len(self.fake.calls("answerCallbackQuery"))
        self.fake.push_callback(message, data, check_button=False, **kwargs)
        calls = await self.fake.wait_for_calls("answerCallbackQuery", before + 1, timeout=20)
        return str(calls[before].get("text", ""))

    async def idle(self, timeout: float = 30) -> None:
        """Every update fetched and handled, nothing in flight at the fake."""

        def quiet() -> bool:
            return not self.fake.pending_updates() and not self.app.update_queue.qsize()

        await self.fake.wait_for(quiet, timeout, what="all updates fetched")
        await asyncio.sleep(0.05)
        deadline = time.monotonic() + timeout
        while _busy(self.app) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)


def _busy(app: App) -> bool:
    """Any update still being handled (PTB's processor holds a slot for each)?"""
    return app.update_processor.current_concurrent_updates > 0


def make_settings(
    fake: FakeBotAPI,
    tmp_path: Path,
    cache_dir: Path,
    *,
    seeds: Path = SEEDS,
    intents: Path = INTENTS,
    admins: frozenset[int] = frozenset({ADMIN}),
) -> Settings:
    return Settings(
        seeds=seeds,
        intents=intents,
        db=tmp_path / "bot.sqlite3",
        cache_dir=cache_dir,
        admins=admins,
        api_url=fake.base_url,
        file_url=fake.base_file_url,
        token=fake.token,
    )


@asynccontextmanager
async def running(
    fake: FakeBotAPI,
    service: NewsService,
    settings: Settings,
    *,
    digests: bool = True,
    admin: bool = True,
    options: BotOptions | None = None,
    clock: WallClock | None = None,
    tick: timedelta = timedelta(hours=1),
    admin_options: AdminOptions | None = None,
    real_pace: bool = False,
    poll_timeout: float = 5,
    extra: tuple[Feature, ...] = (),
) -> AsyncIterator[Harness]:
    """The bot as ``newsbot run`` wires it (admin and digests features, plus ``extra``),
    polling the fake."""
    flood = FloodClock()
    clock = clock or WallClock()
    for admin_id in settings.admins:
        fake.add_chat(admin_id)  # admins have talked to the bot: their menus can be set
    pace = VirtualPace()
    store = AsyncStore(Store(settings.db, clock=clock))
    features: list[Feature] = []
    admin_feature = None
    if admin:
        admin_feature = AdminFeature(settings, service, store, admin_options or AdminOptions())
        features.append(admin_feature.feature())
    digest_feature = None
    if digests:
        digest_options = DigestOptions(tick_interval=tick, clock=clock)
        if not real_pace:
            digest_options = replace(digest_options, monotonic=pace.monotonic, sleep=pace.sleep)
        digest_feature = Digests(settings, service, store, digest_options)
        features.append(digest_feature.feature())
    features.extend(extra)
    options = replace(options or BotOptions(), clock=flood)
    app = build_application(settings, service, store=store, features=features, options=options)
    try:
        async with polling(app, timeout=poll_timeout):
            yield Harness(
                fake,
                app,
                service,
                store,
                settings,
                flood,
                clock,
                pace,
                digest_feature,
                admin_feature,
            )
    finally:
        await store.aclose()


def labels(message: JSON) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


def data_of(message: JSON, label: str) -> str:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    found = [b["callback_data"] for row in rows for b in row if b["text"] == label]
    assert found, f"no button {label!r} in {labels(message)}"
    return str(found[0])


# --- newsbot run as a process ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_bot(
    fake: FakeBotAPI,
    workdir: Path,
    cache_dir: Path,
    *args: str,
    seeds: Path = SEEDS,
    intents: Path = INTENTS,
    level: str = "INFO",
    token: str | None = None,
    api_url: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> subprocess.Popen[str]:
    """``newsbot run`` against the fake; stderr and stdout go to files in ``workdir``."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": token if token is not None else fake.token,
        "NEWSBOT_API_URL": api_url if api_url is not None else fake.base_url,
        "NEWSBOT_DB": str(workdir / "bot.sqlite3"),
        "NEWSBOT_CACHE": str(cache_dir),
        "NEWSBOT_ADMINS": str(ADMIN),
        "NEWSBOT_LOG_LEVEL": level,
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    runs = len(list(workdir.glob("run-*.err")))
    command = [sys.executable, "-m", "bot", "run", "--seeds", str(seeds)]
    with (
        (workdir / f"run-{runs}.err").open("w", encoding="utf-8") as err,
        (workdir / f"run-{runs}.out").open("w", encoding="utf-8") as out,
    ):
        return subprocess.Popen(
            [*command, "--intents", str(intents), *args],
            env=env,
            cwd=workdir,
            stdout=out,
            stderr=err,
            text=True,
            start_new_session=True,  # its own process group (see children_of)
        )


def logs(workdir: Path) -> str:
    """Everything every ``newsbot run`` in ``workdir`` printed (stderr and stdout)."""
    return "".join(
        path.read_text(encoding="utf-8", errors="replace")
        for pattern in ("run-*.err", "run-*.out")
        for path in sorted(workdir.glob(pattern))
    )


def stop_bot(process: subprocess.Popen[str], sig: signal.Signals = signal.SIGTERM) -> int:
    process.send_signal(sig)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        kill_9(process)
        raise AssertionError("newsbot run did not stop") from None


def kill_9(process: subprocess.Popen[str]) -> None:
    """``kill -9`` the process (only the main process: its children must cope on their own)."""
    process.kill()
    process.wait(timeout=30)


def children_of(pid: int) -> list[int]:
    """Live processes whose parent is ``pid`` or that are in its process group (Linux)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        state, ppid, pgrp = fields[0], int(fields[1]), int(fields[2])
        if state != "Z" and int(entry.name) != pid and (ppid == pid or pgrp == pid):
            found.append(int(entry.name))
    return found


async def wait_until(
    check: Callable[[], bool], what: str, timeout: float = 30, interval: float = 0.02
) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(interval)
