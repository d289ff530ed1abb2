"""Schema migrations, versioned with ``PRAGMA user_version``.

Migrations only ever move forward and each runs in its own transaction together with the
version bump, so a crash mid-upgrade leaves the previous version intact and the next start
simply retries. A database written by a newer newsbot is refused rather than guessed at.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from typing import Final

from bot.store.errors import SchemaError, SchemaTooNewError

logger = logging.getLogger(__name__)

Migration = Sequence[str]

# Version 1: chats, subscriptions, the digest ledger, digest runs and the admin audit log.
# Times are UTC epoch seconds (INTEGER). Child tables cascade on chat id changes so that a
# group upgraded to a supergroup can be renamed with one UPDATE.
V1: Final[Migration] = (
    """
    CREATE TABLE chats (
        chat_id        INTEGER PRIMARY KEY,
        type           TEXT    NOT NULL
                       CHECK (type IN ('private', 'group', 'supergroup', 'channel')),
        title          TEXT,
        language       TEXT    NOT NULL DEFAULT 'zh' CHECK (language IN ('zh', 'en')),
        timezone       TEXT    NOT NULL DEFAULT 'Asia/Shanghai',
        digest_time    TEXT    NOT NULL DEFAULT '08:00' CHECK (length(digest_time) = 5),
        paused         INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
        active         INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        created_at     INTEGER NOT NULL,
        updated_at     INTEGER NOT NULL,
        next_digest_at INTEGER
    )
    """,
    "CREATE INDEX chats_next_digest_at ON chats (next_digest_at)",
    """
    CREATE TABLE subscriptions (
        chat_id    INTEGER NOT NULL
                   REFERENCES chats (chat_id) ON DELETE CASCADE ON UPDATE CASCADE,
        topic_id   TEXT    NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (chat_id, topic_id)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE ledger (
        chat_id   INTEGER NOT NULL
                  REFERENCES chats (chat_id) ON DELETE CASCADE ON UPDATE CASCADE,
        item_id   TEXT    NOT NULL,
        kind      TEXT    NOT NULL CHECK (kind IN ('digest', 'notice')),
        item_hash TEXT    NOT NULL,
        sent_at   INTEGER NOT NULL,
        PRIMARY KEY (chat_id, item_id, kind)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE digest_runs (
        chat_id    INTEGER NOT NULL
                   REFERENCES chats (chat_id) ON DELETE CASCADE ON UPDATE CASCADE,
        local_date TEXT    NOT NULL CHECK (length(local_date) = 10),
        PRIMARY KEY (chat_id, local_date)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE audit (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        at      INTEGER NOT NULL,
        user_id INTEGER NOT NULL,
        action  TEXT    NOT NULL,
        detail  TEXT    NOT NULL,
        result  TEXT    NOT NULL
    )
    """,
)

# Version 2: the question log behind /stats and /unanswered, and a topic index so finding a
# topic's subscribers after a reload does not scan every subscription.
V2: Final[Migration] = (
    """
    CREATE TABLE questions (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        chat_id    INTEGER NOT NULL,
        asked_at   INTEGER NOT NULL,
        answered   INTEGER NOT NULL CHECK (answered IN (0, 1)),
        intent     TEXT    NOT NULL,
        confidence REAL    NOT NULL,
        question   TEXT,
        latency_ms REAL    NOT NULL,
        CHECK (answered = 0 OR question IS NULL)
    )
    """,
    "CREATE INDEX questions_asked_at ON questions (asked_at)",
    "CREATE INDEX questions_unanswered ON questions (asked_at) WHERE answered = 0",
    "CREATE INDEX subscriptions_topic ON subscriptions (topic_id, chat_id)",
)

# Version 3: readers' ratings of answers (👍/👎), whether a chat chose its language, and
# which administrator linked a channel for digests.
# One rating per user and question (a second press replaces it).  The text is kept only for
# 👎: the reader asked for it to be looked at, and it joins declined questions in the
# editors' queue; 👍 rows only count.
V3: Final[Migration] = (
    """
    CREATE TABLE feedback (
        question_id INTEGER NOT NULL,
        user_id     INTEGER NOT NULL,
        chat_id     INTEGER NOT NULL,
        rated_at    INTEGER NOT NULL,
        rating      INTEGER NOT NULL CHECK (rating IN (-1, 1)),
        question    TEXT,
        intent      TEXT    NOT NULL,
        confidence  REAL    NOT NULL,
        CHECK (rating = -1 OR question IS NULL),
        PRIMARY KEY (question_id, user_id)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX feedback_disliked ON feedback (rated_at) WHERE rating = -1",
    # a language picked on the /settings screen sticks; otherwise a private chat follows the
    # language of the user's client
    "ALTER TABLE chats ADD COLUMN language_chosen INTEGER NOT NULL DEFAULT 0 "
    "CHECK (language_chosen IN (0, 1))",
    # the short random token a question's 👍/👎 buttons carry: known before the row is
    # written, so the reply need not wait for the database
    "ALTER TABLE questions ADD COLUMN token TEXT",
    "CREATE UNIQUE INDEX questions_token ON questions (token) WHERE token IS NOT NULL",
    # channels that get digests, and the administrator who linked each (told when the bot
    # loses its right to post there)
    """
    CREATE TABLE channel_links (
        channel_id INTEGER PRIMARY KEY
                   REFERENCES chats (chat_id) ON DELETE CASCADE ON UPDATE CASCADE,
        user_id    INTEGER NOT NULL,
        linked_at  INTEGER NOT NULL
    )
    """,
)

MIGRATIONS: Final[tuple[Migration, ...]] = (V1, V2, V3)
SCHEMA_VERSION: Final = len(MIGRATIONS)


def user_version(conn: sqlite3.Connection) -> int:
    """Return the schema version recorded in the database header (0 for a new file)."""
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring ``conn``'s database up to ``len(migrations)`` and return the resulting version.

    ``conn`` must be in autocommit mode (``isolation_level=None``) so the explicit
    ``BEGIN IMMEDIATE`` below really wraps the DDL: Python's implicit transactions do not cover
    CREATE statements. IMMEDIATE takes the write lock first, so two processes starting at once
    cannot both apply the same migration.
    """
    target = len(migrations)
    current = user_version(conn)
    if current > target:
        raise SchemaTooNewError(current, target)
    while current < target:
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Re-read under the lock: another process may have migrated meanwhile.
            current = user_version(conn)
            if current > target:
                raise SchemaTooNewError(current, target)
            if current == target:
                conn.rollback()
                break
            for statement in migrations[current]:
                conn.execute(statement)
            # PRAGMA takes no bound parameters; the value is our own int, never input.
            conn.execute(f"PRAGMA user_version = {current + 1:d}")
            conn.commit()
        except sqlite3.Error as exc:
            conn.rollback()
            raise SchemaError(f"migration to schema version {current + 1} failed: {exc}") from exc
        except BaseException:
            conn.rollback()
            raise
        current += 1
        logger.info("database schema migrated to version %d", current)
    return current
