"""Fair sending: every request of the application's bot to a chat waits for its turn here.

Why not ``AIORateLimiter``: it is first come, first served across all chats and pauses *every*
request after any 429.  Under a flood that means a user who asks one question waits behind
every message queued before it (32 s for 50 flooding users, 64 s for 2,000 messages), and one
chat's ``retry_after=40`` holds every other chat's reply for 40 s.

Here each chat has its own queue (a *lane*).  One dispatcher hands out send turns at the
overall rate, always to the waiting chat that was served least recently — round-robin among
chats with a backlog, and a chat that has not been served lately (an uninvolved user) goes
first.  A 429 holds only the chat it came from; the whole bot is held only when the 429 is
not about one chat (several chats got one within a short window, or the request had no chat).
Groups keep Telegram's 20 messages a minute.  Requests without a chat (answering a button or
an inline query) are not messages and do not queue, but respect a bot-wide hold.

Clock and sleep are injected so unit tests can drive the dispatcher in virtual time.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.telegram.sendpolicy import SendPolicy

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
Result = bool | dict[str, Any] | list[dict[str, Any]]
Callback = Callable[..., Coroutine[Any, Any, Result]]


@dataclass(slots=True)
class _Lane:
    """One chat's queue of waiting turns."""

    key: int | str
    group: bool
    waiting: deque[tuple[int, asyncio.Future[None]]] = field(default_factory=deque)
    last_served: float = float("-inf")
    hold_until: float = float("-inf")
    recent: deque[float] = field(default_factory=deque)  # a group's last turns
    in_flight: int = 0  # requests granted and not yet answered (a 429 may still come)


def retry_seconds(exc: RetryAfter) -> float:
    wait = exc.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


def _chat_key(chat_id: object) -> tuple[int | str, bool]:
    """The lane key and whether it is a group (negative ids and @names are groups/channels)."""
    with contextlib.suppress(TypeError, ValueError):
        number = int(chat_id)  # type: ignore[call-overload]
        return number, number < 0
    return str(chat_id), True


class FairLimiter(BaseRateLimiter[int]):
    """Per-chat queues served least-recently-served first at ``policy.rate``."""

    def __init__(
        self,
        policy: SendPolicy | None = None,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.policy = policy or SendPolicy()
        self._clock = clock
        self._sleep = sleep
        self._spacing = 1.0 / self.policy.rate if self.policy.rate > 0 else 0.0
        self._lanes: dict[int | str, _Lane] = {}
        self._bulk = _Lane("bulk", group=False)  # digests and notices: below every reply
        self._since_bulk = 0  # reply turns since the bulk lane was last served
        self._order = itertools.count()
        self._next_turn = float("-inf")
        self._hold_until = float("-inf")  # bot-wide hold
        self._recent_429: deque[tuple[float, int | str]] = deque()  # (when, chat)
        self._wakeup = asyncio.Event()
        self._in_flight = asyncio.Semaphore(self.policy.max_in_flight)
        self._dispatcher: asyncio.Task[None] | None = None
        self.turns = 0  # granted, for figures and tests

    # --- BaseRateLimiter ------------------------------------------------------------------

    async def initialize(self) -> None:
        """Nothing to open: the dispatcher starts with the first queued request."""

    async def shutdown(self) -> None:
        """Stop the dispatcher and let every waiting turn go (unpaced: the bot is stopping, and
        a digest fan-out finishing its last message must not hang on a turn never granted)."""
        task, self._dispatcher = self._dispatcher, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        for lane in (*self._lanes.values(), self._bulk):
            while lane.waiting:
                _, future = lane.waiting.popleft()
                if not future.done():
                    future.set_result(None)

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        retries = self.policy.retries if rate_limit_args is None else rate_limit_args
        chat_id = data.get("chat_id")
        key = None if chat_id is None else _chat_key(chat_id)
        attempt = 0
        while True:
            lane = None
            if key is None:
                await self._wait_bot_hold()
            else:
                lane = await self._turn(*key, retry=attempt > 0)
                lane.in_flight += 1
            try:
                async with self._in_flight:
                    return await callback(*args, **kwargs)
            except RetryAfter as exc:
                seconds = retry_seconds(exc) + self.policy.hold_margin
                self._on_429(lane, seconds, endpoint)
                if attempt >= retries:
                    logger.warning("%s still refused after %d retries (429)", endpoint, retries)
                    raise
                attempt += 1
                if key is None:
                    await self._sleep(seconds)
            finally:
                if lane is not None:
                    lane.in_flight -= 1

    async def bulk_turn(self) -> None:
        """Wait for a turn below every waiting reply (digests call this before each send), so
        replies and digests share one overall rate and replies go first."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (next(self._order), future)
        self._bulk.waiting.append(entry)
        self._wake()
        try:
            await future
        except asyncio.CancelledError:
            with contextlib.suppress(ValueError):
                self._bulk.waiting.remove(entry)
            raise

    # --- what the rest of the bot may ask --------------------------------------------------

    def waiting(self, chat_id: int | None = None) -> int:
        """Turns waiting (for one chat, or for all): digests yield while replies wait."""
        if chat_id is not None:
            lane = self._lanes.get(_chat_key(chat_id)[0])
            return len(lane.waiting) if lane is not None else 0
        return sum(len(lane.waiting) for lane in self._lanes.values())

    def held(self, chat_id: int) -> float:
        """Seconds the chat is still held after a 429 (0 when it is not)."""
        now = self._clock()
        lane = self._lanes.get(_chat_key(chat_id)[0])
        until = max(self._hold_until, lane.hold_until if lane is not None else float("-inf"))
        return max(0.0, until - now)

    # --- turns ------------------------------------------------------------------------------

    async def _turn(self, key: int | str, group: bool, *, retry: bool) -> _Lane:
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = _Lane(key, group)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (next(self._order), future)
        if retry:  # a resend keeps its place ahead of the chat's later messages
            lane.waiting.appendleft(entry)
        else:
            lane.waiting.append(entry)
        self._wake()
        try:
            await future
        except asyncio.CancelledError:
            with contextlib.suppress(ValueError):
                lane.waiting.remove(entry)
            self._forget_if_idle(key)
            raise
        return lane

    def _wake(self) -> None:
        self._wakeup.set()
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = asyncio.create_task(self._dispatch(), name="fair-send")

    async def _wait_bot_hold(self) -> None:
        delay = self._hold_until - self._clock()
        if delay > 0:
            await self._sleep(delay)

    def _on_429(self, lane: _Lane | None, seconds: float, endpoint: str) -> None:
        now = self._clock()
        if lane is not None:  # still registered: it has a request in flight
            lane.hold_until = max(lane.hold_until, now + seconds)
            recent = self._recent_429
            recent.append((now, lane.key))
            while recent and recent[0][0] < now - self.policy.global_window:
                recent.popleft()
            chats = {chat for _, chat in recent}
            if len(chats) < self.policy.global_after_chats:
                logger.info("429 on %s: holding that chat for %.1fs", endpoint, seconds)
                return
        if now + seconds > self._hold_until:
            self._hold_until = now + seconds
            logger.info(
                "429 for the whole bot (%s): holding every send for %.1fs", endpoint, seconds
            )

    # --- the dispatcher ---------------------------------------------------------------------

    async def _dispatch(self) -> None:
        while self._lanes or self._bulk.waiting:
            now = self._clock()
            delay = max(self._next_turn, self._hold_until) - now
            if delay > 0:
                await self._sleep(delay)
                continue
            lane, ready_at = self._pick(now)
            if lane is None:
                if not self._lanes and not self._bulk.waiting:
                    break
                await self._idle(ready_at - now if ready_at is not None else None)
                continue
            _, future = lane.waiting.popleft()
            if future.done():  # its caller was cancelled meanwhile
                continue
            future.set_result(None)
            self.turns += 1
            self._since_bulk = 0 if lane is self._bulk else self._since_bulk + 1
            lane.last_served = now
            if lane.group:
                lane.recent.append(now)
            self._next_turn = now + self._spacing
            await asyncio.sleep(0)  # let the granted caller start its request first

    def _pick(self, now: float) -> tuple[_Lane | None, float | None]:
        """The ready lane served least recently (ties: the oldest waiting turn), and when the
        next held lane becomes ready if none is."""
        best: _Lane | None = None
        best_rank: tuple[float, int] | None = None
        soonest: float | None = None
        window = self.policy.group_window
        bulk = self._bulk if self._bulk.waiting else None
        if bulk is not None and self._since_bulk >= self.policy.bulk_share - 1:
            return bulk, None  # its share, even while replies wait
        for key in list(self._lanes):
            lane = self._lanes[key]
            if not lane.waiting:
                self._forget_if_idle(key)
                continue
            while lane.recent and lane.recent[0] <= now - window:
                lane.recent.popleft()
            ready = lane.hold_until
            if lane.group and len(lane.recent) >= self.policy.group_messages:
                ready = max(ready, lane.recent[0] + window)
            if ready > now:
                soonest = ready if soonest is None else min(soonest, ready)
                continue
            rank = (lane.last_served, lane.waiting[0][0])
            if best_rank is None or rank < best_rank:
                best, best_rank = lane, rank
        return best or bulk, soonest

    def _forget_if_idle(self, key: int | str) -> None:
        """Drop an empty lane once nothing about it still matters (hold over, group window
        clear), so memory stays bounded by the chats with work or limits."""
        lane = self._lanes.get(key)
        if lane is None or lane.waiting or lane.in_flight:
            return
        now = self._clock()
        recent = lane.recent and lane.recent[-1] > now - self.policy.group_window
        if lane.hold_until <= now and not recent and lane.last_served <= now - self._spacing:
            del self._lanes[key]

    async def _idle(self, timeout: float | None) -> None:
        """Wait for a new turn to be queued, or ``timeout`` seconds (a hold ending)."""
        self._wakeup.clear()
        waiter = asyncio.ensure_future(self._wakeup.wait())
        tasks: set[asyncio.Future[Any]] = {waiter}
        if timeout is not None:
            tasks.add(asyncio.ensure_future(self._sleep(max(0.0, timeout))))
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
