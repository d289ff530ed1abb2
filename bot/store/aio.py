"""Async facade over :class:`Store` for the Telegram bot's event loop.

SQLite calls block (a commit waits for the disk), so each call runs on one dedicated worker
thread. One thread — not the loop's default pool — means calls reach the connection strictly in
the order they were made and never overlap, which is what a single sqlite3 connection needs.
The wrappers are written out one by one, rather than generated with ``__getattr__``, so that
mypy checks every caller's arguments and return types.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from types import TracebackType
from typing import ParamSpec, Self, TypeVar

from bot.store.db import Store
from bot.store.errors import StoreClosedError
from bot.store.models import (
    AuditEntry,
    Chat,
    Pruned,
    QuestionStats,
    StoreInfo,
    UnansweredQuestion,
)
from bot.store.settings import DeliveryKind

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


class AsyncStore:
    """The :class:`Store` API as coroutines, serialised on one worker thread."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._executor: ThreadPoolExecutor | None = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="newsbot-store"
        )

    @property
    def store(self) -> Store:
        """The wrapped synchronous store (for start-up code and tests, not the event loop)."""
        return self._store

    async def _run(self, func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        executor = self._executor
        if executor is None:
            raise StoreClosedError("the async store is closed")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(executor, functools.partial(func, *args, **kwargs))

    async def aclose(self) -> None:
        """Close the store on its worker thread (after queued calls), then stop the thread."""
        executor = self._executor
        if executor is None:
            return
        try:
            await self._run(self._store.close)
        finally:
            self._executor = None
            executor.shutdown(wait=True)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- diagnostics -------------------------------------------------------------------------

    async def integrity_ok(self) -> bool:
        return await self._run(self._store.integrity_ok)

    async def info(self) -> StoreInfo:
        return await self._run(self._store.info)

    # -- chats -------------------------------------------------------------------------------

    async def upsert_chat(
        self,
        chat_id: int,
        type: str,  # Telegram's own name for the field
        title: str | None = None,
        language: str | None = None,
    ) -> Chat:
        return await self._run(self._store.upsert_chat, chat_id, type, title, language)

    async def get_chat(self, chat_id: int) -> Chat | None:
        return await self._run(self._store.get_chat, chat_id)

    async def set_language(self, chat_id: int, language: str, *, chosen: bool = False) -> Chat:
        return await self._run(self._store.set_language, chat_id, language, chosen=chosen)

    async def set_timezone(self, chat_id: int, tz: str) -> Chat:
        return await self._run(self._store.set_timezone, chat_id, tz)

    async def set_digest_time(self, chat_id: int, hhmm: str) -> Chat:
        return await self._run(self._store.set_digest_time, chat_id, hhmm)

    async def set_paused(self, chat_id: int, paused: bool) -> Chat:
        return await self._run(self._store.set_paused, chat_id, paused)

    async def mark_inactive(self, chat_id: int) -> bool:
        return await self._run(self._store.mark_inactive, chat_id)

    async def migrate_chat(self, old_id: int, new_id: int) -> Chat | None:
        return await self._run(self._store.migrate_chat, old_id, new_id)

    async def count_chats(self, *, active_only: bool = False) -> int:
        return await self._run(self._store.count_chats, active_only=active_only)

    # -- subscriptions -----------------------------------------------------------------------

    async def subscribe(self, chat_id: int, topic_id: str) -> bool:
        return await self._run(self._store.subscribe, chat_id, topic_id)

    async def unsubscribe(self, chat_id: int, topic_id: str) -> bool:
        return await self._run(self._store.unsubscribe, chat_id, topic_id)

    async def unsubscribe_all(self, chat_id: int) -> int:
        return await self._run(self._store.unsubscribe_all, chat_id)

    async def subscriptions(self, chat_id: int) -> list[str]:
        return await self._run(self._store.subscriptions, chat_id)

    async def subscribers(self, topic_id: str, active_only: bool = True) -> list[int]:
        return await self._run(self._store.subscribers, topic_id, active_only)

    async def subscriber_counts(self) -> dict[str, int]:
        return await self._run(self._store.subscriber_counts)

    # -- schedule ----------------------------------------------------------------------------

    async def due_chats(self, now: datetime, limit: int = 500) -> list[Chat]:
        return await self._run(self._store.due_chats, now, limit)

    async def record_run(self, chat_id: int, local_date: str) -> bool:
        return await self._run(self._store.record_run, chat_id, local_date)

    # -- ledger ------------------------------------------------------------------------------

    async def delivered(self, chat_id: int, kind: DeliveryKind = "digest") -> dict[str, str]:
        return await self._run(self._store.delivered, chat_id, kind)

    async def record_delivery(
        self, chat_id: int, items: Sequence[tuple[str, str]], kind: DeliveryKind = "digest"
    ) -> int:
        # Copy: the caller may mutate its list while the worker thread is still reading it.
        return await self._run(self._store.record_delivery, chat_id, tuple(items), kind)

    async def pending(
        self,
        chat_id: int,
        candidates: Sequence[tuple[str, str]],
        kind: DeliveryKind = "digest",
    ) -> list[tuple[str, str]]:
        return await self._run(self._store.pending, chat_id, tuple(candidates), kind)

    # -- questions ---------------------------------------------------------------------------

    async def record_question(
        self,
        chat_id: int,
        question: str | None,
        answered: bool,
        intent: str,
        confidence: float,
        latency_ms: float,
        token: str | None = None,
    ) -> int:
        return await self._run(
            self._store.record_question,
            chat_id,
            question,
            answered,
            intent,
            confidence,
            latency_ms,
            token,
        )

    async def unanswered(self, since: datetime, limit: int) -> list[UnansweredQuestion]:
        return await self._run(self._store.unanswered, since, limit)

    async def rate(
        self, token: str, chat_id: int, user_id: int, rating: int, question: str | None
    ) -> bool:
        return await self._run(self._store.rate, token, chat_id, user_id, rating, question)

    async def ratings(self, since: datetime) -> tuple[int, int]:
        return await self._run(self._store.ratings, since)

    async def editor_queue(self, since: datetime, limit: int) -> list[UnansweredQuestion]:
        return await self._run(self._store.editor_queue, since, limit)

    async def question_stats(self, now: datetime) -> QuestionStats:
        return await self._run(self._store.question_stats, now)

    # -- audit -------------------------------------------------------------------------------

    async def link_channel(self, channel_id: int, user_id: int) -> None:
        await self._run(self._store.link_channel, channel_id, user_id)

    async def unlink_channel(self, channel_id: int) -> bool:
        return await self._run(self._store.unlink_channel, channel_id)

    async def channel_owner(self, channel_id: int) -> int | None:
        return await self._run(self._store.channel_owner, channel_id)

    async def audit(self, user_id: int, action: str, detail: str, result: str) -> int:
        return await self._run(self._store.audit, user_id, action, detail, result)

    async def audit_log(self, limit: int = 50) -> list[AuditEntry]:
        return await self._run(self._store.audit_log, limit)

    # -- retention ---------------------------------------------------------------------------

    async def prune(self, before: datetime) -> Pruned:
        return await self._run(self._store.prune, before)
