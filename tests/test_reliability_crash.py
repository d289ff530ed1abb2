"""Crashes: ``kill -9`` of a real ``newsbot run`` process (against the fake Bot API) during a
reload, during a digest fan-out and during an admin's upload, then a restart.

After each restart: ``PRAGMA integrity_check`` is ok, seeds/ holds no partial or temporary
file, no digest item is sent again except in the one message that was in flight when the
process died, nothing is lost (every page on disk is served, every due digest arrives), and
the bot answers.  No test hook is needed: the reload is made slow with many pages (the
parallel parser's worker processes show that it is under way), the fan-out is caught in
flight by holding the fake's answer to one sendMessage, and the upload is killed at several
points of its path.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Collection
from pathlib import Path
from typing import Any

import pytest
from fakebotapi import FakeBotAPI
from reliability_support import (
    ADMIN,
    ANSWER,
    QUESTION,
    START,
    children_of,
    kill_9,
    start_bot,
    stop_bot,
    wait_until,
)
from tests_paths import INTENTS, SECOND_PAGE, SEEDS

from bot.content.loader import PARALLEL_MIN_PAGES
from bot.digest import build_digest
from bot.knowledge.build import Knowledge, build_knowledge
from bot.knowledge.parallel import PARALLEL_MIN_ARTICLES
from bot.store import Store

HEAVY = int(os.environ.get("NEWSBOT_FUZZ_EXAMPLES", "0")) >= 1000
JSON = dict[str, Any]
JSONDict = dict[str, Any]
NEW_PAGE = SECOND_PAGE / "001_second_page.txt"
NEW_QUESTION = "赣晟磁材董事长是谁？"
NEW_ANSWER = "王建国"


def copy_content(workdir: Path) -> tuple[Path, Path]:
    seeds, intents = workdir / "seeds", workdir / "intents"
    shutil.copytree(SEEDS, seeds)
    shutil.copytree(INTENTS, intents)
    for path in seeds.iterdir():
        path.chmod(0o644)
    return seeds, intents


def variant_pages(seeds: Path, count: int, salt: int = 0) -> list[Path]:
    """``count`` pages whose every sentence differs (digits shifted, a character after each
    的), so neither the page cache nor the analysis cache has seen them."""
    source = next(SEEDS.glob("*.txt")).read_text(encoding="utf-8")
    written = []
    for k in range(1, count + 1):
        table = str.maketrans("0123456789", "".join(str((d + k) % 10) for d in range(10)))
        marker = chr(0x4E00 + 500 + 100 * salt + k)
        text = source.translate(table).replace("的", "的" + marker)
        path = seeds / f"{k:03d}_variant.txt"
        path.write_text(text + f"\n\n第{k}版\n", encoding="utf-8")
        written.append(path)
    return written


def leftovers(seeds: Path) -> list[str]:
    """Temporary or partial files an interrupted write could leave in seeds/."""
    return sorted(
        p.name
        for p in seeds.iterdir()
        if (p.name.startswith(".") and p.name != ".trash") or p.suffix in (".tmp", ".part")
    )


def integrity_ok(db: Path) -> bool:
    with Store(db) as store:
        return store.integrity_ok()


async def ask(fake: FakeBotAPI, chat_id: int, text: str, timeout: float = 30) -> JSON:
    before = len(fake.sent_messages(chat_id))
    fake.push_message(text, chat_id=chat_id, user_id=chat_id)
    return (await fake.wait_for_messages(chat_id, before + 1, timeout))[before]


# --- during a reload ------------------------------------------------------------------------


RELOAD_PHASES = [("parse", PARALLEL_MIN_PAGES + 16)]
if HEAVY:  # make fuzz: also while the articles are analysed in worker processes
    RELOAD_PHASES.append(("analyse", PARALLEL_MIN_ARTICLES // 6 + 4))


@pytest.mark.parametrize(("phase", "count"), RELOAD_PHASES)
async def test_kill_9_during_a_reload(
    phase: str, count: int, tmp_path: Path, cache_dir: Path
) -> None:
    seeds, intents = copy_content(tmp_path)
    with FakeBotAPI() as fake:
        fake.add_chat(ADMIN)
        process = start_bot(fake, tmp_path, cache_dir, seeds=seeds, intents=intents)
        try:
            await fake.wait_for_calls("getUpdates", timeout=60)
            pages = variant_pages(seeds, count, salt=len(phase))
            fake.push_message("/reload", chat_id=ADMIN, user_id=ADMIN)
            # The parallel parser's worker processes exist only while a reload builds …
            await wait_until(lambda: bool(children_of(process.pid)), "the reload's workers", 60)
            if phase == "analyse":  # … then new ones analyse the articles
                log = tmp_path / "run-0.err"
                await wait_until(
                    lambda: bool(re.search(r"analysing \d+ articles in \d+", log.read_text())),
                    "the analysing workers",
                    120,
                )
                await asyncio.sleep(1.5)  # started up and busy, not still bootstrapping
                assert children_of(process.pid)
        finally:
            kill_9(process)
        assert fake.sent_messages(ADMIN) == []  # it really died mid-reload
        await wait_until(
            lambda: not children_of(process.pid), "the workers to exit after the kill", 30
        )
        polls = len(fake.calls("getUpdates"))  # the killed bot's polls count too
        restarted = start_bot(fake, tmp_path, cache_dir, seeds=seeds, intents=intents)
        try:
            await fake.wait_for_calls("getUpdates", count=polls + 1, timeout=90)
            assert (await ask(fake, 1001, QUESTION))["text"].startswith(ANSWER)
            again = await ask(fake, ADMIN, "/reload")  # everything on disk is served already
            assert "报道没有变化" in again["text"], again["text"]
        finally:
            assert stop_bot(restarted) == 0
        assert fake.rejected() == []
    assert integrity_ok(tmp_path / "bot.sqlite3")
    assert leftovers(seeds) == []
    assert all(p.exists() for p in pages)
    assert "Traceback" not in (tmp_path / "run-1.err").read_text(encoding="utf-8")


# --- during a digest fan-out ----------------------------------------------------------------


class HoldingFake(FakeBotAPI):
    """A fake that, after ``release`` digest messages went through, delivers one more and then
    holds its answer (the bot is left waiting with a message Telegram has but the ledger does
    not), and holds every later sendMessage before delivering it."""

    def __init__(self, release: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.release = release
        self.digests_seen = 0
        self.holding = threading.Event()

    def _write_json(self, handler: Any, status: int, payload: JSONDict) -> None:
        result = payload.get("result")
        if isinstance(result, dict) and str(result.get("text", "")).startswith("📰 订阅摘要"):
            with self._lock:
                self.digests_seen += 1
                hold = self.digests_seen == self.release + 1
                if hold:
                    self.fail_rate("sendMessage", "timeout", 1.0, delay=600)
            if hold:
                self.holding.set()
                self._stopping.wait()  # the answer never comes (until the fake stops)
                return
        super()._write_json(handler, status, payload)


def subscribe_chats(db: Path, chats: dict[int, str]) -> None:
    """Subscribe chats with the store's clock in the past: their digest is due now."""
    with Store(db, clock=lambda: START) as store:
        for chat_id, topic in chats.items():
            store.upsert_chat(chat_id, "private", None, "zh")
            store.subscribe(chat_id, topic)


def ledger(db: Path) -> set[tuple[int, str]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT chat_id, item_id FROM ledger WHERE kind = 'digest'")
        return {(int(c), str(i)) for c, i in rows.fetchall()}


def digest_articles(fake: FakeBotAPI, chat_id: int) -> list[list[str]]:
    """The articles of each digest message the chat got, read back from their 阅读 buttons."""
    out = []
    for message in fake.sent_messages(chat_id):
        if not str(message.get("text", "")).startswith("📰 订阅摘要"):
            continue
        rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        items = []
        for row in rows:
            for button in row:
                _, article, _page, _check = str(button["callback_data"]).split(":")
                items.append(article)
        out.append(items)
    return out


@pytest.fixture(scope="module")
def knowledge(cache_dir: Path) -> Knowledge:
    return build_knowledge(SEEDS, INTENTS, cache_dir)


async def test_kill_9_during_a_digest_fanout(
    tmp_path: Path, cache_dir: Path, knowledge: Knowledge
) -> None:
    topics = [t.id for t in knowledge.rules.topics]
    chats = {600_000 + n: topics[n % len(topics)] for n in range(60)}
    expected = {
        c: {i.item_id for i in build_digest(knowledge, [t], {}).items} for c, t in chats.items()
    }

    def items_of(chat_id: int, articles: Collection[str]) -> set[str]:
        """The section items a digest entry of each article delivered to the chat."""
        return {i for i in expected[chat_id] if i.rpartition(":")[0] in articles}

    db = tmp_path / "bot.sqlite3"
    subscribe_chats(db, chats)
    with HoldingFake(release=20) as fake:
        fake.add_chat(ADMIN)
        for chat_id in chats:
            fake.add_chat(chat_id)
        process = start_bot(fake, tmp_path, cache_dir)
        try:
            await wait_until(fake.holding.is_set, "a digest in flight", 60)

            def unrecorded() -> list[tuple[int, list[str]]]:
                """Messages Telegram (the fake) has whose items the ledger does not."""
                rows = ledger(db)
                return [
                    (c, articles)
                    for c in chats
                    for articles in digest_articles(fake, c)
                    if not {(c, i) for i in items_of(c, articles)} <= rows
                ]

            # Every delivered message but the held one reaches the ledger.
            await wait_until(lambda: len(unrecorded()) <= 1, "the ledger to catch up", 30)
        finally:
            kill_9(process)
        in_flight = unrecorded()
        assert len(in_flight) == 1  # exactly the held message
        sent_before = sum(len(digest_articles(fake, c)) for c in chats)
        assert sent_before < len(chats)  # the kill came mid fan-out
        fake.clear_faults()
        restarted = start_bot(fake, tmp_path, cache_dir)
        try:
            await wait_until(
                lambda: all(digest_articles(fake, c) for c in chats), "every digest", 60
            )
            assert (await ask(fake, 1001, QUESTION))["text"].startswith(ANSWER)
        finally:
            assert stop_bot(restarted) == 0
        assert fake.rejected() == []
    repeats = lost = 0
    for chat_id, want in expected.items():
        got = Counter(a for articles in digest_articles(fake, chat_id) for a in articles)
        assert items_of(chat_id, set(got)) == want, chat_id  # nothing lost
        assert set(got) == {i.rpartition(":")[0] for i in want}, chat_id
        repeats += sum(n - 1 for n in got.values())
    assert repeats == len(in_flight[0][1])  # only the in-flight message's entries, once more
    assert integrity_ok(db)
    figures = {
        "chats": len(chats),
        "messages_before_kill": sent_before,
        "in_flight": len(in_flight),
        "items_repeated": repeats,
        "items_lost": lost,
    }
    print("CRASH-FANOUT", json.dumps(figures))


# --- during an upload -----------------------------------------------------------------------


KILL_POINTS = ["download", "soon", "reply"]
if HEAVY:  # make fuzz: more points along the upload's path
    KILL_POINTS += ["getFile", "0.05", "0.1", "0.3", "0.5"]


@pytest.mark.parametrize("kill_at", KILL_POINTS)
async def test_kill_9_during_an_upload(kill_at: str, tmp_path: Path, cache_dir: Path) -> None:
    seeds, intents = copy_content(tmp_path)
    before = sorted(p.name for p in seeds.iterdir())
    content = NEW_PAGE.read_bytes()
    with FakeBotAPI() as fake:
        fake.add_chat(ADMIN)
        process = start_bot(fake, tmp_path, cache_dir, seeds=seeds, intents=intents)
        try:
            await fake.wait_for_calls("getUpdates", timeout=60)
            fake.push_document("new_page.txt", content, chat_id=ADMIN, user_id=ADMIN)
            if kill_at == "getFile":
                await fake.wait_for_calls("getFile", timeout=30)
            elif kill_at == "download":
                await fake.wait_for(
                    lambda: any(r.method == "file" for r in fake.requests), what="download"
                )
            elif kill_at == "soon" or kill_at[0].isdigit():
                await fake.wait_for(
                    lambda: any(r.method == "file" for r in fake.requests), what="download"
                )
                # inside the check, the write or the reload
                time.sleep(0.15 if kill_at == "soon" else float(kill_at))
            else:
                await fake.wait_for_messages(ADMIN, 1, timeout=30)
        finally:
            kill_9(process)
        partial = leftovers(seeds)  # if any, the next start cleans them up
        polls = len(fake.calls("getUpdates"))  # the killed bot's polls count too
        restarted = start_bot(fake, tmp_path, cache_dir, seeds=seeds, intents=intents)
        try:
            await fake.wait_for_calls("getUpdates", count=polls + 1, timeout=60)
            assert (await ask(fake, 1001, QUESTION))["text"].startswith(ANSWER)
            saved = seeds / "new_page.txt"
            if saved.exists():  # all of it, and served
                assert saved.read_bytes() == content
                assert NEW_ANSWER in (await ask(fake, 1002, NEW_QUESTION))["text"]
        finally:
            assert stop_bot(restarted) == 0
        assert fake.rejected() == []
    assert leftovers(seeds) == []
    after = sorted(p.name for p in seeds.iterdir() if p.name != ".trash")
    assert after in (before, sorted([*before, "new_page.txt"]))
    if kill_at == "reply":
        assert "new_page.txt" in after
    assert integrity_ok(tmp_path / "bot.sqlite3")
    outcome = {
        "kill_at": kill_at,
        "partial_files": partial,
        "page_saved": len(after) > len(before),
    }
    print("CRASH-UPLOAD", json.dumps(outcome))


async def test_a_write_cut_by_kill_9_leaves_nothing_after_restart(
    tmp_path: Path, cache_dir: Path
) -> None:
    """The one window the kills above rarely hit — between creating the upload's temporary
    file and renaming it over the page — made certain: a process killed while writing, at
    the same point ``_atomic_write`` would have been.  The next start removes the partial
    file; the old pages are served, the partial one never was."""
    seeds, intents = copy_content(tmp_path)
    script = (
        "import os, sys, signal\n"
        "from pathlib import Path\n"
        "from bot.admin import pages\n"
        "def crash(src, dst):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "pages.os.replace = crash  # the temporary file is written and synced: die now\n"
        "seeds, raw = Path(sys.argv[1]), Path(sys.argv[2]).read_bytes()\n"
        "pages.write_page(seeds, pages.check_upload(seeds, 'new_page.txt', raw))\n"
    )
    killed = subprocess.run(
        [sys.executable, "-c", script, str(seeds), str(NEW_PAGE)], capture_output=True, check=False
    )
    assert killed.returncode == -signal.SIGKILL
    partial = leftovers(seeds)
    assert len(partial) == 1 and partial[0].startswith(".new_page.txt.")
    with FakeBotAPI() as fake:
        fake.add_chat(ADMIN)
        process = start_bot(fake, tmp_path, cache_dir, seeds=seeds, intents=intents)
        try:
            await fake.wait_for_calls("getUpdates", timeout=60)
            assert (await ask(fake, 1001, QUESTION))["text"].startswith(ANSWER)
            assert NEW_ANSWER not in (await ask(fake, 1002, NEW_QUESTION))["text"]
        finally:
            assert stop_bot(process) == 0
        assert fake.rejected() == []
    assert leftovers(seeds) == []
    assert not (seeds / "new_page.txt").exists()
    assert "removed 1 partial page write" in (tmp_path / "run-0.err").read_text()
