"""Chat rows: the queries that return chats, and the row → :class:`Chat` mapping.

Shared because several aggregates read chats inside their own transactions (a subscription
or a delivery needs an existing chat; the timetable's due-chats query returns chats), and one
column list and one mapping keep them from drifting apart.  The SQL stays in this module, as
constants next to the ``execute`` calls that use them.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Final, cast

from bot.store.errors import UnknownChatError
from bot.store.models import Chat
from bot.store.settings import ChatType, Language
from bot.store.timeutil import from_epoch

logger = logging.getLogger(__name__)

CHAT_COLUMNS: Final = (
    "chat_id, type, title, language, timezone, digest_time, paused, active, "
    "created_at, updated_at, next_digest_at, language_chosen"
)
SELECT_CHAT: Final = f"SELECT {CHAT_COLUMNS} FROM chats WHERE chat_id = ?"
SELECT_DUE: Final = (
    f"SELECT {CHAT_COLUMNS} FROM chats "
    "WHERE next_digest_at <= ? AND active = 1 AND paused = 0 "
    "ORDER BY next_digest_at, chat_id LIMIT ?"
)


def chat_from_row(row: sqlite3.Row) -> Chat:
    """Build a :class:`Chat` from a row selected with ``CHAT_COLUMNS``."""
    next_at = row["next_digest_at"]
    return Chat(
        chat_id=int(row["chat_id"]),
        type=cast(ChatType, row["type"]),
        title=row["title"],
        language=cast(Language, row["language"]),
        timezone=str(row["timezone"]),
        digest_time=str(row["digest_time"]),
        paused=bool(row["paused"]),
        active=bool(row["active"]),
        created_at=from_epoch(row["created_at"]),
        updated_at=from_epoch(row["updated_at"]),
        next_digest_at=None if next_at is None else from_epoch(next_at),
        language_chosen=bool(row["language_chosen"]),
    )


def find_chat(conn: sqlite3.Connection, chat_id: int) -> Chat | None:
    """The chat, read inside the caller's transaction; None if unknown."""
    row = conn.execute(SELECT_CHAT, (chat_id,)).fetchone()
    return None if row is None else chat_from_row(row)


def require_chat(conn: sqlite3.Connection, chat_id: int) -> Chat:
    """The chat, or :class:`UnknownChatError` (the caller should ``upsert_chat`` first)."""
    chat = find_chat(conn, chat_id)
    if chat is None:
        raise UnknownChatError(chat_id)
    return chat


def select_due(conn: sqlite3.Connection, stamp: int, limit: int) -> list[Chat]:
    """Chats due at epoch ``stamp``, most overdue first (the ``next_digest_at`` index)."""
    return [chat_from_row(row) for row in conn.execute(SELECT_DUE, (stamp, limit)).fetchall()]
