"""Typed errors raised by the store.

Callers (Telegram handlers, the CLI, the scheduler) need to tell a user mistake — an unknown time
zone, a malformed digest time — apart from a broken database, so each failure has its own class
instead of a bare ``sqlite3`` exception or a ``sys.exit``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot.errors import NewsbotError

logger = logging.getLogger(__name__)


class StoreError(NewsbotError):
    """Base class for every error the store raises on purpose.

    A :class:`NewsbotError`, so the CLI prints its message as one line and exits non-zero
    instead of showing a traceback to the operator.
    """


class EmptyDatabaseError(StoreError):
    """The database file exists but holds zero bytes.

    SQLite would silently treat it as a brand-new database, and the bot would start with no
    chats or subscriptions, so a truncated file (a failed copy or restore, a full disk, a stray
    ``> newsbot.sqlite3``) would go unnoticed until readers complain.  Starting afresh in such
    a file therefore needs the operator to say so.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"the database file {path} is empty (0 bytes), which usually means it was "
            "truncated; restore it from a backup, or pass --init-db (NEWSBOT_INIT_DB=1) "
            "to start a fresh database in it"
        )


class StoreUnwritableError(StoreError):
    """The database file or its directory cannot be created or written by this process."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        super().__init__(
            f"cannot write the database {path} ({reason}); make {path.parent} and the file "
            "writable by this user (SQLite also creates -wal and -shm files next to it), "
            "or point --db / NEWSBOT_DB at a writable place"
        )


class StoreClosedError(StoreError):
    """The store was used after ``close()``; a programming error in the caller's lifecycle."""


class SchemaError(StoreError):
    """The database schema cannot be brought to the version this code expects."""


class SchemaTooNewError(SchemaError):
    """The database was written by a newer newsbot; opening it could corrupt data it relies on."""

    def __init__(self, found: int, supported: int) -> None:
        self.found = found
        self.supported = supported
        super().__init__(
            f"database schema version {found} is newer than this newsbot supports "
            f"({supported}); upgrade newsbot or point --db at another file"
        )


class InvalidArgumentError(StoreError, ValueError):
    """A value passed by code is outside what the schema allows (e.g. a naive datetime)."""


class InvalidSetting(InvalidArgumentError):
    """A user-supplied chat setting is invalid; the message is meant to be shown to the user."""


class UnknownChatError(StoreError, LookupError):
    """The operation needs a chat row that does not exist (call ``upsert_chat`` first)."""

    def __init__(self, chat_id: int) -> None:
        self.chat_id = chat_id
        super().__init__(f"unknown chat {chat_id}")
