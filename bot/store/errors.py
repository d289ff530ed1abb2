"""Typed errors raised by the store.

Callers (Telegram handlers, the CLI, the scheduler) need to tell a user mistake — an unknown time
zone, a malformed digest time — apart from a broken database, so each failure has its own class
instead of a bare ``sqlite3`` exception or a ``sys.exit``.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


class StoreError(Exception):
    """Base class for every error the store raises on purpose."""


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
