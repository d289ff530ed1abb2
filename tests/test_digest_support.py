"""Helpers shared by the digest tests: virtual time, a scripted fake ``send``, content variants.

No tests here (pytest collects the file and finds none). Time is virtual: the store's clock and
the pacer's clock and sleep all read one :class:`VirtualTime`, so pacing, back-off and flood
waits advance a number instead of the wall clock.
"""

from __future__ import annotations

import asyncio
import selectors
import shutil
from collections import Counter
from collections.abc import Callable, Coroutine, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, TypeVarTuple, Unpack

from bot.digest import Digest, DigestMessage, PaceLimits, Pacer, render_text
from bot.digest.text import text_size
from bot.knowledge.build import Knowledge, build_knowledge
from bot.rules.model import Responses
from bot.store import Chat

T = TypeVar("T")
Ts = TypeVarTuple("Ts")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
INTENTS = ROOT / "intents"
SECOND_PAGE = Path(__file__).resolve().parent / "fixtures" / "pages"

# A sentence of section 1 of the electronics article (item 02d9191c9d:1) and an edit of it.
EDIT_FROM = "艾立华以3700元起家"
EDIT_TO = "艾立华以3800元起家"
EDITED_ARTICLE = "02d9191c9d"
EDITED_ITEM = "02d9191c9d:1"


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


class VirtualTime:
    """One clock for the store (aware datetimes) and the pacer (monotonic seconds).

    ``sleep`` moves the one clock forward at once, for everybody: simple and deterministic,
    but under concurrency it over-states durations (a chat waiting out its one-second gap makes
    every chat wait). Throughput is therefore measured on :class:`VirtualClockLoop`.
    """

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.offset = 0.0
        self.sleeps = 0
        self.slept = 0.0

    def utc(self) -> datetime:
        return self.start + timedelta(seconds=self.offset)

    def monotonic(self) -> float:
        return self.offset

    def set(self, when: datetime) -> datetime:
        offset = (when - self.start).total_seconds()
        assert offset >= self.offset, "virtual time only moves forward"
        self.offset = offset
        return when

    async def sleep(self, seconds: float) -> None:
        self.sleeps += 1
        self.slept += seconds
        self.offset += max(0.0, seconds)
        await asyncio.sleep(0)

    def pacer(
        self,
        limits: PaceLimits | None = None,
        on_grant: Callable[[int, float], None] | None = None,
    ) -> Pacer:
        return Pacer(limits, clock=self.monotonic, sleep=self.sleep, on_grant=on_grant)


class _JumpingSelector(selectors.BaseSelector):
    """A selector that, when the loop would only wait for a timer, jumps time instead."""

    def __init__(self, loop: VirtualClockLoop) -> None:
        self._inner = selectors.DefaultSelector()
        self._loop = loop

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._inner.register(fileobj, events, data)

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        return self._inner.unregister(fileobj)

    def modify(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._inner.modify(fileobj, events, data)

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        ready = self._inner.select(0)
        if ready or timeout == 0:
            return ready
        if timeout is None or self._loop.threads_busy:
            return self._inner.select(timeout)  # a worker thread (SQLite) will wake us
        self._loop.advance(timeout)
        return []

    def get_key(self, fileobj: Any) -> selectors.SelectorKey:
        return self._inner.get_key(fileobj)

    def get_map(self) -> Mapping[Any, selectors.SelectorKey]:
        return self._inner.get_map()

    def close(self) -> None:
        self._inner.close()


class VirtualClockLoop(asyncio.SelectorEventLoop):
    """An event loop on virtual time: a discrete-event simulation with real SQLite threads.

    ``loop.time()`` starts at 0 and only moves when every coroutine is waiting for a timer and
    no executor job (a store call) is running; then it jumps to the next timer. So
    ``asyncio.sleep`` costs nothing, concurrent sleepers overlap as they would in real time,
    and durations measured on ``loop.time`` are what the fan-out would take against Telegram
    with instant sends.
    """

    def __init__(self) -> None:
        self._virtual = 0.0
        self._busy = 0
        super().__init__(_JumpingSelector(self))

    def time(self) -> float:
        return self._virtual

    def advance(self, seconds: float) -> None:
        self._virtual += seconds

    @property
    def threads_busy(self) -> bool:
        return self._busy > 0

    def run_in_executor(
        self, executor: Executor | None, func: Callable[[Unpack[Ts]], T], *args: *Ts
    ) -> asyncio.Future[T]:
        self._busy += 1
        future = super().run_in_executor(executor, func, *args)
        future.add_done_callback(self._done)
        return future

    def _done(self, _: object) -> None:
        self._busy -= 1


def run_virtual(main: Callable[[VirtualClockLoop], Coroutine[Any, Any, T]]) -> T:
    """Run ``main(loop)`` to completion on a fresh :class:`VirtualClockLoop`."""
    loop = VirtualClockLoop()
    try:
        return loop.run_until_complete(main(loop))
    finally:
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()


class LoopTime:
    """:class:`VirtualTime`'s interface on a :class:`VirtualClockLoop`'s clock."""

    def __init__(self, loop: VirtualClockLoop, start: datetime) -> None:
        self.loop = loop
        self.start = start - timedelta(seconds=loop.time())

    def utc(self) -> datetime:
        return self.start + timedelta(seconds=self.loop.time())

    def monotonic(self) -> float:
        return self.loop.time()

    async def until(self, when: datetime) -> None:
        """Let virtual time pass until ``when`` (instantly, in real time)."""
        await asyncio.sleep(max(0.0, (when - self.utc()).total_seconds()))

    def pacer(
        self,
        limits: PaceLimits | None = None,
        on_grant: Callable[[int, float], None] | None = None,
    ) -> Pacer:
        return Pacer(limits, clock=self.loop.time, sleep=asyncio.sleep, on_grant=on_grant)


@dataclass
class Sent:
    chat_id: int
    index: int
    total: int
    item_ids: tuple[str, ...]
    at: float


class Crash(BaseException):
    """Raised by the fake send to simulate the process dying right after a message went out."""


Script = Callable[[Chat, DigestMessage, int], BaseException | None]


@dataclass
class FakeSender:
    """A scripted ``send``: ``script(chat, message, attempt)`` may return an error to raise.

    Every message that "goes out" is kept in ``sent`` (the ground truth of what users saw) and
    its rendering is checked against the limit the plan was made for.
    """

    clock: Callable[[], float]
    responses: Responses
    script: Script | None = None
    limit: int = 4096
    crash_after: int | None = None
    sent: list[Sent] = field(default_factory=list)
    calls: int = 0
    attempts: Counter[tuple[int, int, tuple[str, ...]]] = field(default_factory=Counter)

    async def __call__(self, chat: Chat, message: DigestMessage, digest: Digest) -> None:
        self.calls += 1
        ids = tuple(item.item_id for item in message.items)
        key = (chat.chat_id, message.index, ids)
        self.attempts[key] += 1
        if self.script is not None:
            error = self.script(chat, message, self.attempts[key])
            if error is not None:
                raise error
        text = render_text(message, self.responses, chat.language)
        assert text_size(text) <= self.limit, (text_size(text), self.limit)
        self.sent.append(Sent(chat.chat_id, message.index, message.total, ids, self.clock()))
        if self.crash_after is not None and len(self.sent) >= self.crash_after:
            raise Crash(f"killed after {len(self.sent)} messages")
        await asyncio.sleep(0)  # a network call yields to the loop

    def received(self) -> dict[int, Counter[str]]:
        """Per chat: how many times each item reached it."""
        out: dict[int, Counter[str]] = {}
        for record in self.sent:
            out.setdefault(record.chat_id, Counter()).update(record.item_ids)
        return out


def duplicated_messages(sent: list[Sent]) -> list[Sent]:
    """Messages holding an item that had already reached the chat: repeats after a crash."""
    seen: dict[int, set[str]] = {}
    repeats = []
    for record in sent:
        got = seen.setdefault(record.chat_id, set())
        if got & set(record.item_ids):
            repeats.append(record)
        got.update(record.item_ids)
    return repeats


_variants: dict[tuple[str, Path], Knowledge] = {}


def variant(name: str, root: Path, cache_dir: Path) -> Knowledge:
    """A Knowledge of a modified copy of the seeds, built once per session.

    ``changed``: one sentence of item 02d9191c9d:1 edited. ``added``: the synthetic second page
    next to the shipped one. The copy's directory is named ``seeds`` like the original, because
    article ids include the directory's name.
    """
    key = (name, cache_dir)
    if key in _variants:
        return _variants[key]
    seeds = root / f"variant-{name}" / "seeds"
    if seeds.exists():
        shutil.rmtree(seeds)
    shutil.copytree(SEEDS, seeds)
    if name == "changed":
        page = next(seeds.glob("*.txt"))
        text = page.read_text(encoding="utf-8")
        assert text.count(EDIT_FROM) == 1
        page.write_text(text.replace(EDIT_FROM, EDIT_TO), encoding="utf-8")
    elif name == "added":
        for path in SECOND_PAGE.iterdir():
            shutil.copy(path, seeds / path.name)
    else:
        raise ValueError(name)
    built = _variants[key] = build_knowledge(seeds, INTENTS, cache_dir)
    return built
