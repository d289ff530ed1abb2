"""Flood protection: per-user budgets by kind of update, and a bound on each chat's backlog.

Per user: over ``limit`` updates in ``window`` seconds, one polite notice, then silence until
the window has passed.  Messages, button presses and inline queries have budgets of their own
(:class:`Floods`), so a reader pressing a button every few seconds still gets their /digest,
and admins have their own, higher budget (and hear about every refusal: an upload that is
refused silently looks lost).

Per chat (:class:`ChatBacklog`): at most ``limit`` messages of one chat in progress at once —
being answered or waiting for their send turn (button presses are bounded by their budget).
Beyond it a message is dropped before any work is done, with one notice per episode; without a
bound one chat's backlog grows without limit while fair sending (``fairsend``) serves it a
turn at a time.

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


class Kind(Enum):
    """What a flood budget counts."""

    MESSAGE = "message"  # messages and commands (uploads too)
    BUTTON = "button"  # callback queries
    INLINE = "inline"  # inline queries that need answering (cached answers are free)


@dataclass(frozen=True, slots=True)
class Budget:
    """``limit`` updates per user in any ``window`` seconds; ``limit <= 0`` disables it."""

    limit: int
    window: float = 60.0


class Floods:
    """One guard per kind of update for readers, one for admins' messages."""

    def __init__(
        self, budgets: dict[Kind, Budget], admin: Budget, clock: Clock = time.monotonic
    ) -> None:
        self.guards = {kind: FloodGuard(b.limit, b.window, clock) for kind, b in budgets.items()}
        self.admin = FloodGuard(admin.limit, admin.window, clock)

    def check(self, kind: Kind, user_id: int, *, admin: bool = False) -> Verdict:
        """``admin``: the admin budget for messages, and a notice for every refusal."""
        if admin and kind is Kind.MESSAGE:
            verdict = self.admin.check(user_id)
            return Verdict.NOTIFY if verdict is Verdict.DROP else verdict
        guard = self.guards.get(kind)
        return guard.check(user_id) if guard is not None else Verdict.ALLOW


@dataclass
class _Backlog:
    count: int = 0
    notified: bool = False


class ChatBacklog:
    """Messages of each chat in progress; a limit ``<= 0`` disables the bound.

    Groups have a bound of their own: several members may ask at once, and Telegram lets a
    group have 20 messages a minute, so a minute's worth may wait.
    """

    def __init__(self, limit: int, group_limit: int | None = None) -> None:
        self.limit = limit
        self.group_limit = limit if group_limit is None else group_limit
        self._chats: dict[int, _Backlog] = {}

    def enter(self, chat_id: int, *, group: bool = False) -> Verdict:
        """ALLOW (then call :meth:`leave`), or NOTIFY once per episode, then DROP."""
        state = self._chats.get(chat_id)
        if state is None:
            state = self._chats[chat_id] = _Backlog()
        limit = self.group_limit if group else self.limit
        if limit <= 0 or state.count < limit:
            state.count += 1
            return Verdict.ALLOW
        if state.notified:
            return Verdict.DROP
        state.notified = True
        logger.info("chat %d has %d messages in progress: dropping more", chat_id, state.count)
        return Verdict.NOTIFY

    def leave(self, chat_id: int) -> None:
        state = self._chats.get(chat_id)
        if state is None:
            return
        state.count -= 1
        if state.count <= 0:  # episode over: the next overflow is told again
            del self._chats[chat_id]

    def in_progress(self, chat_id: int) -> int:
        state = self._chats.get(chat_id)
        return state.count if state is not None else 0
