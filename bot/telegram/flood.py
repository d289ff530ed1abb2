"""Per-user flood protection: over ``limit`` messages in ``window`` seconds, one polite notice,
then silence until the window has passed.

Why here and not only Telegram's limits: Telegram throttles what the bot *sends*; a user (or a
script) can still make the bot do work for every message.  A sliding window per user keeps the
bot responsive for everybody else.  Messages dropped while flooding do not count, so a user who
keeps sending is let back in once their earlier messages leave the window.  The clock is
injected, so tests move time instead of sleeping.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
MAX_TRACKED_USERS = 50_000


class Verdict(Enum):
    ALLOW = "allow"
    NOTIFY = "notify"  # first refused message in this window: tell the user once
    DROP = "drop"


@dataclass
class _UserWindow:
    times: deque[float] = field(default_factory=deque)
    notified: bool = False


class FloodGuard:
    """Sliding-window counter per user id; ``limit <= 0`` disables it."""

    def __init__(
        self, limit: int = 20, window: float = 60.0, clock: Clock = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._users: dict[int, _UserWindow] = {}

    def check(self, user_id: int) -> Verdict:
        if self.limit <= 0:
            return Verdict.ALLOW
        now = self.clock()
        state = self._users.get(user_id)
        if state is None:
            if len(self._users) >= MAX_TRACKED_USERS:
                self._prune(now)
            state = self._users[user_id] = _UserWindow()
        while state.times and state.times[0] <= now - self.window:
            state.times.popleft()
        if len(state.times) < self.limit:
            state.times.append(now)
            state.notified = False
            return Verdict.ALLOW
        if state.notified:
            return Verdict.DROP
        state.notified = True
        logger.info("flood limit reached by user %d", user_id)
        return Verdict.NOTIFY

    def _prune(self, now: float) -> None:
        """Forget users with nothing in their window (bounded memory)."""
        for user_id in [
            u for u, s in self._users.items() if not s.times or s.times[-1] <= now - self.window
        ]:
            del self._users[user_id]
