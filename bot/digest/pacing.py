"""Pacing of outgoing messages within Telegram's limits, on an injectable clock.

Telegram allows about 30 messages per second overall, one per second to the same chat and 20
per minute to the same group; beyond that it answers 429 and, for a sustained flood, mutes the
bot for a while. A :class:`Pacer` hands out send slots that respect all three, and can be told
to hold everything after a 429. Slots are reserved synchronously (asyncio runs one coroutine at
a time), so concurrent senders never get the same slot, and a chat waiting out its one-second
gap does not block other chats from the free slots before it.

Clock and sleep are injected: tests run a 1,000-chat fan-out in virtual time without sleeping.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

logger = logging.getLogger(__name__)

Clock = Callable[[], float]  # monotonic seconds
Sleep = Callable[[float], Awaitable[None]]

_EPSILON: Final = 1e-9
_PRUNE_EVERY: Final = 1024  # reservations between sweeps of per-chat state


@dataclass(frozen=True, slots=True)
class PaceLimits:
    """Telegram's documented broadcast limits; lower them to be gentler, never raise them."""

    messages_per_second: float = 30.0
    chat_interval: float = 1.0  # seconds between two messages to one chat
    group_messages: int = 20  # at most this many messages to one group …
    group_window: float = 60.0  # … in any window of this many seconds

    def __post_init__(self) -> None:
        if self.messages_per_second <= 0 or self.chat_interval < 0:
            raise ValueError("messages_per_second must be positive, chat_interval >= 0")
        if self.group_messages < 1 or self.group_window < 0:
            raise ValueError("group_messages must be >= 1, group_window >= 0")


@dataclass(slots=True)
class _ChatState:
    next_at: float
    recent: deque[float]  # a group's last slots, for the per-minute window


class Pacer:
    """Grants send slots; share one per bot so digests, notices and ``/digest`` share limits."""

    def __init__(
        self,
        limits: PaceLimits | None = None,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        on_grant: Callable[[int, float], None] | None = None,
    ) -> None:
        self.limits = limits or PaceLimits()
        self._clock = clock
        self._sleep = sleep
        self._on_grant = on_grant
        self._spacing = 1.0 / self.limits.messages_per_second
        self._slots: list[float] = []  # granted slots not yet far in the past, sorted
        self._chats: dict[int, _ChatState] = {}
        self._hold_until = float("-inf")
        self._reservations = 0

    def now(self) -> float:
        """The pacer's clock (monotonic seconds; virtual in tests)."""
        return self._clock()

    async def sleep(self, seconds: float) -> None:
        """Sleep on the injected sleep (used for retry back-off, so tests never really wait)."""
        if seconds > 0:
            await self._sleep(seconds)

    def hold(self, seconds: float) -> None:
        """Grant no slot for ``seconds`` from now: Telegram said 429, retry_after=seconds.

        Every digest sender waits (a fan-out that earns one 429 is likely to earn more); replies
        are paced apart by the application's fair limiter, which holds only the chat a 429 is
        about unless several chats get one at once.
        """
        until = self._clock() + max(0.0, seconds)
        if until > self._hold_until:
            self._hold_until = until
            logger.info("flood control: holding all sends for %.1fs", seconds)

    def hold_remaining(self) -> float:
        """Seconds until a flood-control hold ends (0 when there is none)."""
        return max(0.0, self._hold_until - self._clock())

    def reserve(self, chat_id: int, *, group: bool) -> float:
        """Reserve and return the earliest slot (clock time) this chat may send at."""
        now = self._clock()
        limits = self.limits
        state = self._chats.get(chat_id)
        earliest = max(now, self._hold_until)
        if state is not None:
            earliest = max(earliest, state.next_at)
            if group and len(state.recent) >= limits.group_messages:
                earliest = max(earliest, state.recent[0] + limits.group_window)
        slot = self._global_slot(earliest, now)
        if state is None:
            state = self._chats[chat_id] = _ChatState(slot, deque(maxlen=limits.group_messages))
        state.next_at = slot + limits.chat_interval
        if group:
            state.recent.append(slot)
        self._reservations += 1
        if self._reservations % _PRUNE_EVERY == 0:
            self._prune(now)
        if self._on_grant is not None:
            self._on_grant(chat_id, slot)
        return slot

    async def wait(self, chat_id: int, *, group: bool) -> float:
        """Reserve a slot and sleep until it; returns the slot.

        A 429 that another sender got meanwhile may have started a hold this slot knew
        nothing of: callers check :meth:`hold_remaining` afterwards (and give up if it is a
        long one, as when stopping) rather than send into it.
        """
        slot = self.reserve(chat_id, group=group)
        delay = slot - self._clock()
        if delay > 0:
            await self._sleep(delay)
        return slot

    def _global_slot(self, earliest: float, now: float) -> float:
        """The first time at or after ``earliest`` at least one spacing from every granted slot.

        Slots are granted out of order (a chat waiting for its one-second gap reserves a later
        slot than the chat asking after it), so this looks for a gap instead of appending.
        """
        slots = self._slots
        del slots[: bisect.bisect_left(slots, now - self._spacing)]
        spacing = self._spacing - _EPSILON
        at = earliest
        index = bisect.bisect_left(slots, at)
        while True:
            if index > 0 and slots[index - 1] > at - spacing:
                at = slots[index - 1] + self._spacing
            elif index < len(slots) and slots[index] < at + spacing:
                at = slots[index] + self._spacing
            else:
                break
            index = bisect.bisect_left(slots, at)
        slots.insert(index, at)
        return at

    def _prune(self, now: float) -> None:
        """Forget chats whose limits no longer constrain anything, so memory stays bounded."""
        horizon = now - max(self.limits.chat_interval, self.limits.group_window)
        stale = [
            chat_id
            for chat_id, state in self._chats.items()
            if state.next_at < horizon and (not state.recent or state.recent[-1] < horizon)
        ]
        for chat_id in stale:
            del self._chats[chat_id]
