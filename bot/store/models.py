"""Frozen domain objects the store hands out.

Callers get immutable values, never ``sqlite3.Row``s, so nothing outside the store depends on
column names and a returned object cannot be mutated behind the database's back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.store.schedule import local_date
from bot.store.settings import ChatType, DeliveryKind, Language, zone_or_default

logger = logging.getLogger(__name__)

__all__ = [
    "AuditEntry",
    "Chat",
    "ChatType",
    "DeliveryKind",
    "Language",
    "Pruned",
    "QuestionStats",
    "StoreInfo",
    "UnansweredQuestion",
]


@dataclass(frozen=True, slots=True)
class Chat:
    """A Telegram chat the bot knows, with its digest settings and schedule."""

    chat_id: int
    type: ChatType
    title: str | None
    language: Language
    timezone: str
    digest_time: str
    paused: bool
    active: bool
    created_at: datetime
    updated_at: datetime
    next_digest_at: datetime | None
    #: the language was picked on /settings (a private chat then stops following the client)
    language_chosen: bool = False

    @property
    def zone(self) -> ZoneInfo:
        """The chat's time zone (validated when stored; the default if tzdata lost it)."""
        return zone_or_default(self.timezone)

    def local_date(self, now: datetime) -> str:
        """The chat's local ``YYYY-MM-DD`` at ``now``: the key to pass to ``record_run``.

        Recording the local date of the moment the digest is sent (not the date it was first
        due) makes a late catch-up digest count as that day's digest.
        """
        return local_date(now, self.zone)


@dataclass(frozen=True, slots=True)
class UnansweredQuestion:
    """A question the bot declined, kept so admins can see what content is missing."""

    id: int
    chat_id: int
    asked_at: datetime
    question: str
    intent: str
    confidence: float
    #: "declined" (the bot said it does not know) or "disliked" (a reader pressed 👎)
    reason: str = "declined"


@dataclass(frozen=True, slots=True)
class QuestionStats:
    """Question counts for ``/stats``: today (UTC) and the rolling last seven days."""

    today_total: int
    today_answered: int
    week_total: int
    week_answered: int
    week_mean_latency_ms: float | None

    @property
    def answer_rate(self) -> float | None:
        """Share of last-seven-day questions answered; None when there were none (not 0%)."""
        return self.week_answered / self.week_total if self.week_total else None

    @property
    def today_answer_rate(self) -> float | None:
        """Share of today's questions answered; None when there were none."""
        return self.today_answered / self.today_total if self.today_total else None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One admin action, as written to the audit table."""

    id: int
    at: datetime
    user_id: int
    action: str
    detail: str
    result: str


@dataclass(frozen=True, slots=True)
class StoreInfo:
    """Connection facts for diagnostics (``newsbot check``, ``/stats``) and tests."""

    path: Path | None
    schema_version: int
    journal_mode: str
    synchronous: int
    foreign_keys: bool
    busy_timeout_ms: int


@dataclass(frozen=True, slots=True)
class Pruned:
    """Rows the retention policy deleted in one pass (see :mod:`bot.store.retention`)."""

    questions: int
    audit: int

    @property
    def total(self) -> int:
        return self.questions + self.audit
