"""The store facade: one :class:`Store` object over the database and its aggregates.

Why a facade: callers (the bot, the CLI, tests, :class:`bot.store.aio.AsyncStore`) want one
object to pass around and one close; the work lives in one module per aggregate — chats
(:mod:`bot.store.chats`), subscriptions, the digest timetable, the delivery ledger, the
question log, the admin audit — over one shared :class:`~bot.store.connection.Database`.
Every method here only delegates; the one exception is :meth:`Store.prune`, which spans two
aggregates in one transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Self

from bot.store.audit import AuditLog
from bot.store.channels import ChannelLinks
from bot.store.chats import Chats
from bot.store.connection import Database
from bot.store.ledger import Ledger
from bot.store.models import (
    AuditEntry,
    Chat,
    Pruned,
    QuestionStats,
    StoreInfo,
    UnansweredQuestion,
)
from bot.store.questions import QuestionLog
from bot.store.settings import DeliveryKind
from bot.store.subscriptions import Subscriptions
from bot.store.timetable import Timetable
from bot.store.timeutil import to_epoch, utc_now

logger = logging.getLogger(__name__)


class Store:
    """Chats, subscriptions, the digest ledger and timetable, the question log and admin audit.

    Synchronous and thread-safe (one lock around the one connection); async code should use
    :class:`bot.store.aio.AsyncStore`, which runs these calls off the event loop. The clock is
    injected so schedules and statistics are deterministic in tests.  An existing 0-byte file
    is refused unless ``allow_empty`` (see :class:`bot.store.errors.EmptyDatabaseError`).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        clock: Callable[[], datetime] = utc_now,
        allow_empty: bool = False,
    ) -> None:
        self._db = Database(path, clock=clock, allow_empty=allow_empty)
        self._chats = Chats(self._db)
        self._subscriptions = Subscriptions(self._db)
        self._timetable = Timetable(self._db)
        self._ledger = Ledger(self._db)
        self._questions = QuestionLog(self._db)
        self._audit = AuditLog(self._db)
        self._channels = ChannelLinks(self._db)
        try:
            self._timetable.repair()
        except BaseException:
            self.close()
            raise

    # -- lifecycle and diagnostics -----------------------------------------------------------

    @property
    def path(self) -> Path | None:
        """The database file, or None for an in-memory store."""
        return self._db.path

    @property
    def schema_version(self) -> int:
        """The schema version the database was migrated to when it was opened."""
        return self._db.schema_version

    def close(self) -> None:
        """Close the connection; safe to call twice."""
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def integrity_ok(self) -> bool:
        return self._db.integrity_ok()

    def info(self) -> StoreInfo:
        return self._db.info()

    # -- chats (bot.store.chats) -------------------------------------------------------------

    def upsert_chat(
        self,
        chat_id: int,
        type: str,  # Telegram's own name for the field
        title: str | None = None,
        language: str | None = None,
    ) -> Chat:
        return self._chats.upsert_chat(chat_id, type, title, language)

    def get_chat(self, chat_id: int) -> Chat | None:
        return self._chats.get_chat(chat_id)

    def set_language(self, chat_id: int, language: str, *, chosen: bool = False) -> Chat:
        return self._chats.set_language(chat_id, language, chosen=chosen)

    def set_timezone(self, chat_id: int, tz: str) -> Chat:
        return self._chats.set_timezone(chat_id, tz)

    def set_digest_time(self, chat_id: int, hhmm: str) -> Chat:
        return self._chats.set_digest_time(chat_id, hhmm)

    def set_paused(self, chat_id: int, paused: bool) -> Chat:
        return self._chats.set_paused(chat_id, paused)

    def mark_inactive(self, chat_id: int) -> bool:
        return self._chats.mark_inactive(chat_id)

    def migrate_chat(self, old_id: int, new_id: int) -> Chat | None:
        return self._chats.migrate_chat(old_id, new_id)

    def count_chats(self, *, active_only: bool = False) -> int:
        return self._chats.count_chats(active_only=active_only)

    # -- subscriptions (bot.store.subscriptions) ---------------------------------------------

    def subscribe(self, chat_id: int, topic_id: str) -> bool:
        return self._subscriptions.subscribe(chat_id, topic_id)

    def unsubscribe(self, chat_id: int, topic_id: str) -> bool:
        return self._subscriptions.unsubscribe(chat_id, topic_id)

    def unsubscribe_all(self, chat_id: int) -> int:
        return self._subscriptions.unsubscribe_all(chat_id)

    def subscriptions(self, chat_id: int) -> list[str]:
        return self._subscriptions.subscriptions(chat_id)

    def subscribers(self, topic_id: str, active_only: bool = True) -> list[int]:
        return self._subscriptions.subscribers(topic_id, active_only)

    def subscriber_counts(self) -> dict[str, int]:
        return self._subscriptions.subscriber_counts()

    # -- timetable (bot.store.timetable) -----------------------------------------------------

    def due_chats(self, now: datetime, limit: int = 500) -> list[Chat]:
        return self._timetable.due_chats(now, limit)

    def record_run(self, chat_id: int, local_date: str) -> bool:
        return self._timetable.record_run(chat_id, local_date)

    # -- ledger (bot.store.ledger) -----------------------------------------------------------

    def delivered(self, chat_id: int, kind: DeliveryKind = "digest") -> dict[str, str]:
        return self._ledger.delivered(chat_id, kind)

    def record_delivery(
        self, chat_id: int, items: Sequence[tuple[str, str]], kind: DeliveryKind = "digest"
    ) -> int:
        return self._ledger.record_delivery(chat_id, items, kind)

    def pending(
        self,
        chat_id: int,
        candidates: Sequence[tuple[str, str]],
        kind: DeliveryKind = "digest",
    ) -> list[tuple[str, str]]:
        return self._ledger.pending(chat_id, candidates, kind)

    # -- questions (bot.store.questions) -----------------------------------------------------

    def record_question(
        self,
        chat_id: int,
        question: str | None,
        answered: bool,
        intent: str,
        confidence: float,
        latency_ms: float,
        token: str | None = None,
    ) -> int:
        return self._questions.record_question(
            chat_id, question, answered, intent, confidence, latency_ms, token
        )

    def unanswered(self, since: datetime, limit: int) -> list[UnansweredQuestion]:
        return self._questions.unanswered(since, limit)

    def question_stats(self, now: datetime) -> QuestionStats:
        return self._questions.question_stats(now)

    def rate(
        self, token: str, chat_id: int, user_id: int, rating: int, question: str | None
    ) -> bool:
        return self._questions.rate(token, chat_id, user_id, rating, question)

    def ratings(self, since: datetime) -> tuple[int, int]:
        return self._questions.ratings(since)

    def editor_queue(self, since: datetime, limit: int) -> list[UnansweredQuestion]:
        return self._questions.editor_queue(since, limit)

    # -- channels (bot.store.channels) ------------------------------------------------------

    def link_channel(self, channel_id: int, user_id: int) -> None:
        self._channels.link_channel(channel_id, user_id)

    def unlink_channel(self, channel_id: int) -> bool:
        return self._channels.unlink_channel(channel_id)

    def channel_owner(self, channel_id: int) -> int | None:
        return self._channels.channel_owner(channel_id)

    # -- audit (bot.store.audit) -------------------------------------------------------------

    def audit(self, user_id: int, action: str, detail: str, result: str) -> int:
        return self._audit.audit(user_id, action, detail, result)

    def audit_log(self, limit: int = 50) -> list[AuditEntry]:
        return self._audit.audit_log(limit)

    # -- retention (bot.store.retention) -----------------------------------------------------

    def prune(self, before: datetime) -> Pruned:
        """Delete question-log and audit rows older than ``before``, in one transaction.

        ``/stats`` looks back seven days, so a retention shorter than that shortens its week.
        """
        stamp = to_epoch(before, "before")
        with self._db.write() as conn:
            return Pruned(
                questions=QuestionLog.delete_before(conn, stamp),
                audit=AuditLog.delete_before(conn, stamp),
            )
