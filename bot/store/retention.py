"""How long the question log and the admin audit are kept: a privacy choice, not a cache.

Declined questions are kept *with their text* (that is what ``/unanswered`` shows editors) and
audit rows name admins and files, so neither should outlive its use.  The policy is a number of
days from configuration (``NEWSBOT_RETENTION_DAYS`` / ``--retention-days``, default 90; 0 keeps
everything).  :class:`RetentionJob` applies it when the bot starts and then once a day; it is
driven by a frequent tick and an injected clock, rather than a timer set a day ahead, so that a
suspended or restarted host still prunes on time and tests can move the clock instead of
waiting.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from bot.config import DEFAULT_RETENTION_DAYS, MAX_RETENTION_DAYS
from bot.store.aio import AsyncStore
from bot.store.errors import InvalidArgumentError
from bot.store.models import Pruned
from bot.store.timeutil import require_aware, utc_now

logger = logging.getLogger(__name__)

PRUNE_EVERY: Final = timedelta(days=1)
#: How often the bot's job asks :meth:`RetentionJob.run_if_due`; cheap when nothing is due.
TICK: Final = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """Keep question-log and audit rows for ``days`` days; 0 keeps them forever."""

    days: int = DEFAULT_RETENTION_DAYS

    def __post_init__(self) -> None:
        if isinstance(self.days, bool) or not isinstance(self.days, int):
            raise InvalidArgumentError(f"retention days must be an integer, got {self.days!r}")
        if not 0 <= self.days <= MAX_RETENTION_DAYS:
            raise InvalidArgumentError(
                f"retention days must be between 0 (keep forever) and {MAX_RETENTION_DAYS}, "
                f"got {self.days}"
            )

    @property
    def keeps_forever(self) -> bool:
        return self.days == 0

    def cutoff(self, now: datetime) -> datetime | None:
        """Rows older than this go; None when nothing is ever deleted."""
        if self.keeps_forever:
            return None
        return require_aware(now, "now") - timedelta(days=self.days)


class RetentionJob:
    """Applies a :class:`RetentionPolicy` to a store at start and at most once a day after."""

    def __init__(
        self,
        store: AsyncStore,
        policy: RetentionPolicy,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store = store
        self.policy = policy
        self.clock = clock
        self.last_run: datetime | None = None

    async def run(self) -> Pruned | None:
        """Prune now (the start-up pass); None when the policy keeps everything."""
        now = require_aware(self.clock(), "clock()")
        cutoff = self.policy.cutoff(now)
        self.last_run = now
        if cutoff is None:
            return None
        pruned = await self.store.prune(cutoff)
        if pruned.total:
            logger.info(
                "retention (%d days): deleted %d question and %d audit rows",
                self.policy.days,
                pruned.questions,
                pruned.audit,
            )
        return pruned

    async def run_if_due(self) -> Pruned | None:
        """Prune if a day has passed since the last pass (or there was none); else None."""
        now = require_aware(self.clock(), "clock()")
        if self.last_run is not None and now - self.last_run < PRUNE_EVERY:
            return None
        return await self.run()
