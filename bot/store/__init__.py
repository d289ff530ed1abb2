"""SQLite persistence for newsbot: chats, subscriptions, digest ledger and schedule, logs.

Use :class:`Store` from synchronous code (CLI, tests) and :class:`AsyncStore` from the bot's
event loop. Nothing here imports ``telegram``: the store is part of the core.

Layout: ``connection`` (the file, pragmas, migrations via ``schema``, transactions), one module
per aggregate — ``chats``, ``subscriptions``, ``timetable`` (next digest times, due chats,
digest runs; calendar arithmetic in ``schedule``), ``ledger``, ``questions``, ``audit`` —
sharing ``rows`` (chat queries) and ``checks`` (argument checks); ``db`` is the thin
:class:`Store` facade over them, ``aio`` its async twin, ``retention`` the pruning policy.
"""

from __future__ import annotations

import logging

from bot.store.aio import AsyncStore
from bot.store.db import Store
from bot.store.errors import (
    EmptyDatabaseError,
    InvalidArgumentError,
    InvalidSetting,
    SchemaError,
    SchemaTooNewError,
    StoreClosedError,
    StoreError,
    StoreUnwritableError,
    UnknownChatError,
)
from bot.store.models import (
    AuditEntry,
    Chat,
    Pruned,
    QuestionStats,
    StoreInfo,
    UnansweredQuestion,
)
from bot.store.schema import SCHEMA_VERSION
from bot.store.settings import (
    DEFAULT_DIGEST_TIME,
    DEFAULT_LANGUAGE,
    DEFAULT_TIMEZONE,
    ChatType,
    DeliveryKind,
    Language,
    parse_digest_time,
    validate_timezone,
)
from bot.store.timeutil import utc_now

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_DIGEST_TIME",
    "DEFAULT_LANGUAGE",
    "DEFAULT_TIMEZONE",
    "SCHEMA_VERSION",
    "AsyncStore",
    "AuditEntry",
    "Chat",
    "ChatType",
    "DeliveryKind",
    "EmptyDatabaseError",
    "InvalidArgumentError",
    "InvalidSetting",
    "Language",
    "Pruned",
    "QuestionStats",
    "SchemaError",
    "SchemaTooNewError",
    "Store",
    "StoreClosedError",
    "StoreError",
    "StoreInfo",
    "StoreUnwritableError",
    "UnansweredQuestion",
    "UnknownChatError",
    "parse_digest_time",
    "utc_now",
    "validate_timezone",
]
