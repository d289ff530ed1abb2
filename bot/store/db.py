"""The SQLite store: one connection, one file, every write one transaction.

The bot keeps a single connection and serialises access to it (see :mod:`bot.store.aio`), so
SQLite's own locking only has to cope with occasional other processes such as
``newsbot digest``. Each public write runs in ``BEGIN IMMEDIATE … COMMIT``: a ``kill -9`` at any
moment leaves either the whole change or none of it, and taking the write lock up front avoids
the deadlock two deferred transactions can get into when both try to upgrade to writers.
"""

from __future__ import annotations

import logging
import math
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Final, Self, cast

from bot.store.errors import (
    EmptyDatabaseError,
    InvalidArgumentError,
    SchemaError,
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
from bot.store.schedule import next_occurrence
from bot.store.schema import migrate
from bot.store.settings import (
    DEFAULT_LANGUAGE,
    ChatType,
    DeliveryKind,
    Language,
    parse_digest_time,
    validate_chat_type,
    validate_kind,
    validate_language,
    validate_timezone,
    zone_or_default,
)
from bot.store.timeutil import from_epoch, require_aware, to_epoch, utc_now

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_MS: Final = 5000
MEMORY: Final = ":memory:"

_CHAT_COLUMNS: Final = (
    "chat_id, type, title, language, timezone, digest_time, paused, active, "
    "created_at, updated_at, next_digest_at"
)
_SELECT_CHAT: Final = f"SELECT {_CHAT_COLUMNS} FROM chats WHERE chat_id = ?"
_SELECT_DUE: Final = (
    f"SELECT {_CHAT_COLUMNS} FROM chats "
    "WHERE next_digest_at <= ? AND active = 1 AND paused = 0 "
    "ORDER BY next_digest_at, chat_id LIMIT ?"
)
_LEDGER_UPSERT: Final = (
    "INSERT INTO ledger (chat_id, item_id, kind, item_hash, sent_at) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (chat_id, item_id, kind) DO UPDATE "
    "SET item_hash = excluded.item_hash, sent_at = excluded.sent_at "
    "WHERE ledger.item_hash <> excluded.item_hash"
)


def _chat_from_row(row: sqlite3.Row) -> Chat:
    """Build a :class:`Chat` from a row selected with ``_CHAT_COLUMNS``."""
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
    )


def _check_text(value: str, what: str) -> str:
    """Refuse empty or non-string identifiers, which would silently match nothing later."""
    if not isinstance(value, str) or not value:
        raise InvalidArgumentError(f"{what} must be a non-empty string, got {value!r}")
    return value


def _storable(text: str | None) -> str | None:
    """Text SQLite can store: a lone surrogate (JSON can carry one, UTF-8 cannot) becomes U+FFFD
    instead of failing the whole write with UnicodeEncodeError (a chat title, an audit detail)."""
    if text is None or not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _check_limit(limit: int) -> int:
    """Refuse non-positive limits; SQLite treats a negative LIMIT as "no limit"."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InvalidArgumentError(f"limit must be a positive integer, got {limit!r}")
    return limit


def _check_local_date(value: str) -> str:
    """Accept only ``YYYY-MM-DD``; ``date.fromisoformat`` alone also takes ``20240301``."""
    try:
        parsed = date.fromisoformat(value)
    except (TypeError, ValueError):
        parsed = None
    if parsed is None or parsed.isoformat() != value:
        raise InvalidArgumentError(f"local_date must be YYYY-MM-DD, got {value!r}")
    return value


def _check_finite(value: float, what: str) -> float:
    """Refuse NaN and infinities: SQLite would store NaN as NULL and break the statistics."""
    number = float(value)
    if not math.isfinite(number):
        raise InvalidArgumentError(f"{what} must be a finite number, got {value!r}")
    return number


def _prepare_file(path: Path, *, allow_empty: bool) -> None:
    """Create the directory, and refuse a 0-byte database file unless told to start afresh.

    A database this store creates stops being 0 bytes within microseconds (switching it to WAL
    writes its first page), so an empty file is almost always a truncated one.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        size = path.stat().st_size if path.exists() else None
    except OSError as exc:
        raise StoreUnwritableError(path, exc.strerror or str(exc)) from exc
    if size == 0:
        if not allow_empty:
            raise EmptyDatabaseError(path)
        logger.warning("starting a fresh database in the empty file %s (--init-db)", path)


_UNWRITABLE: Final = ("readonly", "read-only", "unable to open", "permission")


def _open_error(path: Path | None, exc: Exception, fallback: str) -> StoreError:
    """Name the real problem: a permission or read-only failure gets the path and the fix."""
    text = str(exc)
    if path is not None and any(word in text.lower() for word in _UNWRITABLE):
        return StoreUnwritableError(path, text)
    return StoreError(f"{fallback}: {text}")


class Store:
    """Chats, subscriptions, the digest ledger and schedule, the question log and admin audit.

    Synchronous and thread-safe (one lock around the one connection); async code should use
    :class:`bot.store.aio.AsyncStore`, which runs these calls off the event loop. The clock is
    injected so schedules and statistics are deterministic in tests.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        clock: Callable[[], datetime] = utc_now,
        allow_empty: bool = False,
    ) -> None:
        """Open (creating if missing) and migrate the database at ``path``.

        An existing 0-byte file is refused with :class:`EmptyDatabaseError` unless
        ``allow_empty`` (the operator's ``--init-db``); a missing file is simply created.
        """
        self._clock = clock
        self._lock = threading.RLock()
        self._path: Path | None = None if str(path) == MEMORY else Path(path)
        if self._path is not None:
            _prepare_file(self._path, allow_empty=allow_empty)
        target = MEMORY if self._path is None else str(self._path)
        try:
            conn = sqlite3.connect(
                target,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,  # explicit BEGIN/COMMIT below, DDL included
                check_same_thread=False,  # AsyncStore uses it from its worker thread
            )
        except sqlite3.Error as exc:
            raise _open_error(self._path, exc, f"cannot open database {target}") from exc
        try:
            conn.row_factory = sqlite3.Row
            self._configure(conn)
            self._schema_version = migrate(conn)
        except (sqlite3.DatabaseError, SchemaError) as exc:
            conn.close()
            error = _open_error(self._path, exc, f"{target} is not a usable SQLite database")
            if isinstance(exc, SchemaError) and not isinstance(error, StoreUnwritableError):
                raise  # a failed or too-new migration says so itself
            raise error from exc
        except BaseException:
            conn.close()
            raise
        self._conn: sqlite3.Connection | None = conn
        logger.debug("opened store %s (schema version %d)", target, self._schema_version)
        try:
            self._repair_schedules()
        except BaseException:
            self.close()
            raise

    def _repair_schedules(self) -> None:
        """Schedule eligible chats that lack a ``next_digest_at``.

        Such rows come from a migration or a hand edit; left alone, the chat would silently
        never get a digest again. The lookup is read-only so that merely opening the file (say,
        ``newsbot digest`` next to the running bot) takes no write lock when all is well.
        """
        query = (
            "SELECT chat_id FROM chats AS c WHERE next_digest_at IS NULL AND active = 1 "
            "AND paused = 0 AND EXISTS (SELECT 1 FROM subscriptions AS s "
            "WHERE s.chat_id = c.chat_id)"
        )
        now = self._now()
        with self._read() as conn:
            if conn.execute(query).fetchone() is None:
                return
        with self._write() as conn:
            chat_ids = [int(row[0]) for row in conn.execute(query).fetchall()]
            for chat_id in chat_ids:
                self._reschedule(conn, chat_id, now, keep_overdue=False)
        logger.info("scheduled %d chats that had no next digest time", len(chat_ids))

    def _configure(self, conn: sqlite3.Connection) -> None:
        """Set the per-connection pragmas durability and integrity depend on.

        WAL lets readers (``newsbot digest``) run while the bot writes; ``synchronous=NORMAL``
        in WAL mode survives process crashes (only an OS crash can lose the last commits);
        foreign keys are off by default in SQLite and the cascades rely on them.
        """
        # Constants, not input: PRAGMA accepts no bound parameters.
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
        mode = str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]).lower()
        if mode != "wal" and self._path is not None:
            logger.warning("SQLite refused WAL mode for %s (using %s)", self._path, mode)
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def path(self) -> Path | None:
        """The database file, or None for an in-memory store."""
        return self._path

    @property
    def schema_version(self) -> int:
        """The schema version the database was migrated to when it was opened."""
        return self._schema_version

    def close(self) -> None:
        """Close the connection; safe to call twice. WAL is checkpointed by SQLite on close."""
        with self._lock:
            conn, self._conn = self._conn, None
            if conn is None:
                return
            try:
                conn.execute("PRAGMA optimize")  # cheap, keeps the query planner's stats fresh
            except sqlite3.Error:
                logger.debug("PRAGMA optimize failed on close", exc_info=True)
            finally:
                conn.close()
            logger.debug("closed store %s", self._path or MEMORY)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreClosedError("the store is closed")
        return self._conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """Run the body as one ``BEGIN IMMEDIATE`` transaction; roll back on any exception."""
        with self._lock:
            conn = self._connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreError(f"cannot start a transaction: {exc}") from exc
            try:
                yield conn
                conn.commit()
            except sqlite3.Error as exc:
                conn.rollback()
                raise StoreError(f"database write failed: {exc}") from exc
            except BaseException:
                conn.rollback()
                raise

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock for a read so it never interleaves with a write's statements."""
        with self._lock:
            conn = self._connection()
            try:
                yield conn
            except sqlite3.Error as exc:
                raise StoreError(f"database read failed: {exc}") from exc

    def _now(self) -> datetime:
        """The injected clock's time in UTC; a naive clock is a bug worth failing loudly on."""
        return require_aware(self._clock(), "clock()")

    def integrity_ok(self) -> bool:
        """True if SQLite's integrity check and the foreign key check both find nothing wrong."""
        with self._read() as conn:
            integrity = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
            fk_violations = conn.execute("PRAGMA foreign_key_check").fetchall()
        if integrity != ["ok"] or fk_violations:
            logger.error(
                "database integrity check failed: %s; %d foreign key violations",
                "; ".join(integrity[:5]),
                len(fk_violations),
            )
            return False
        return True

    def info(self) -> StoreInfo:
        """Report the connection's effective settings (they can silently differ from asked)."""
        with self._read() as conn:

            def pragma(name: str) -> object:
                return conn.execute(f"PRAGMA {name}").fetchone()[0]

            return StoreInfo(
                path=self._path,
                schema_version=int(cast(int, pragma("user_version"))),
                journal_mode=str(pragma("journal_mode")),
                synchronous=int(cast(int, pragma("synchronous"))),
                foreign_keys=bool(pragma("foreign_keys")),
                busy_timeout_ms=int(cast(int, pragma("busy_timeout"))),
            )

    # -- chats -------------------------------------------------------------------------------

    @staticmethod
    def _get(conn: sqlite3.Connection, chat_id: int) -> Chat | None:
        row = conn.execute(_SELECT_CHAT, (chat_id,)).fetchone()
        return None if row is None else _chat_from_row(row)

    @classmethod
    def _require(cls, conn: sqlite3.Connection, chat_id: int) -> Chat:
        chat = cls._get(conn, chat_id)
        if chat is None:
            raise UnknownChatError(chat_id)
        return chat

    def upsert_chat(
        self,
        chat_id: int,
        type: str,  # Telegram's own name for the field
        title: str | None = None,
        language: str | None = None,
    ) -> Chat:
        """Create the chat with defaults, or refresh its type and title.

        A chat marked inactive (it blocked the bot) is reactivated: it is talking to us again.
        ``language`` only seeds a new chat — an existing chat keeps the language it chose.
        A ``None`` title keeps the stored one (private chats have none to report). ``type`` and
        ``language`` are plain strings because they come straight from Telegram; they are
        checked here.
        """
        chat_type = validate_chat_type(type)
        lang = DEFAULT_LANGUAGE if language is None else validate_language(language)
        title = _storable(title)
        now = self._now()
        stamp = to_epoch(now)
        with self._write() as conn:
            existing = self._get(conn, chat_id)
            if existing is None:
                conn.execute(
                    "INSERT INTO chats (chat_id, type, title, language, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (chat_id, chat_type, title, lang, stamp, stamp),
                )
                logger.info("new %s chat %d", chat_type, chat_id)
            else:
                new_title = existing.title if title is None else title
                changed = (chat_type, new_title) != (existing.type, existing.title)
                if changed or not existing.active:
                    conn.execute(
                        "UPDATE chats SET type = ?, title = ?, active = 1, updated_at = ? "
                        "WHERE chat_id = ?",
                        (chat_type, new_title, stamp, chat_id),
                    )
                if not existing.active:
                    logger.info("chat %d is back; reactivated", chat_id)
                    self._reschedule(conn, chat_id, now, keep_overdue=True)
            return self._require(conn, chat_id)

    def get_chat(self, chat_id: int) -> Chat | None:
        """Return the chat, or None if the bot has never seen it."""
        with self._read() as conn:
            return self._get(conn, chat_id)

    def _update_chat(
        self,
        chat_id: int,
        sql: str,
        params: tuple[object, ...],
        *,
        reschedule: bool,
        keep_overdue: bool = False,
    ) -> Chat:
        """Run one UPDATE on an existing chat (``sql`` ends in ``WHERE chat_id = ?``)."""
        now = self._now()
        with self._write() as conn:
            self._require(conn, chat_id)
            conn.execute(sql, (*params, to_epoch(now), chat_id))
            if reschedule:
                self._reschedule(conn, chat_id, now, keep_overdue=keep_overdue)
            return self._require(conn, chat_id)

    def set_language(self, chat_id: int, language: str) -> Chat:
        """Set the chat's reply language ('zh' or 'en')."""
        lang = validate_language(language)
        return self._update_chat(
            chat_id,
            "UPDATE chats SET language = ?, updated_at = ? WHERE chat_id = ?",
            (lang,),
            reschedule=False,
        )

    def set_timezone(self, chat_id: int, tz: str) -> Chat:
        """Set the chat's IANA time zone and move its next digest to the new local time."""
        zone = validate_timezone(tz)
        return self._update_chat(
            chat_id,
            "UPDATE chats SET timezone = ?, updated_at = ? WHERE chat_id = ?",
            (zone,),
            reschedule=True,
        )

    def set_digest_time(self, chat_id: int, hhmm: str) -> Chat:
        """Set the local digest time ('H:MM' or 'HH:MM', stored as 'HH:MM') and reschedule."""
        normalised = parse_digest_time(hhmm)
        return self._update_chat(
            chat_id,
            "UPDATE chats SET digest_time = ?, updated_at = ? WHERE chat_id = ?",
            (normalised,),
            reschedule=True,
        )

    def set_paused(self, chat_id: int, paused: bool) -> Chat:
        """Pause or resume digests; a resumed chat gets its next future occurrence, no backlog.

        A redundant "resume" of a running chat keeps a digest that is already overdue.
        """
        return self._update_chat(
            chat_id,
            "UPDATE chats SET paused = ?, updated_at = ? WHERE chat_id = ?",
            (int(bool(paused)),),
            reschedule=True,
            keep_overdue=True,
        )

    def mark_inactive(self, chat_id: int) -> bool:
        """Stop scheduling a chat that blocked the bot or removed it; keep its subscriptions.

        Subscriptions are kept so a user who unblocks the bot gets their digests back. Returns
        False if the chat is unknown (nothing to mark).
        """
        now = self._now()
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE chats SET active = 0, next_digest_at = NULL, updated_at = ? "
                "WHERE chat_id = ? AND active = 1",
                (to_epoch(now), chat_id),
            )
            if cursor.rowcount:
                logger.info("chat %d marked inactive", chat_id)
                return True
            return self._get(conn, chat_id) is not None

    def migrate_chat(self, old_id: int, new_id: int) -> Chat | None:
        """Move a chat to a new id (a group upgraded to a supergroup), with everything it owns.

        If the new id is unknown, the row is renamed and the foreign keys cascade. If it already
        exists (the bot saw the supergroup first), the two are merged: subscriptions, ledger
        entries (the later delivery wins) and digest runs are united; the old chat's settings
        win because they are what users configured, while the new row's type and title are
        kept because they are current. Returns the resulting chat, or None if ``old_id`` is
        unknown.
        """
        now = self._now()
        stamp = to_epoch(now)
        with self._write() as conn:
            old = self._get(conn, old_id)
            if old is None:
                return None
            if old_id == new_id:
                return old
            new = self._get(conn, new_id)
            if new is None:
                conn.execute(
                    "UPDATE chats SET chat_id = ?, updated_at = ? WHERE chat_id = ?",
                    (new_id, stamp, old_id),
                )
            else:
                self._merge_into(conn, old, new, stamp)
            conn.execute("UPDATE questions SET chat_id = ? WHERE chat_id = ?", (new_id, old_id))
            self._reschedule(conn, new_id, now, keep_overdue=True)
            logger.info("chat %d migrated to %d", old_id, new_id)
            return self._require(conn, new_id)

    @staticmethod
    def _merge_into(conn: sqlite3.Connection, old: Chat, new: Chat, stamp: int) -> None:
        """Fold ``old``'s rows into the existing chat ``new`` and delete ``old``."""
        conn.execute(
            "INSERT OR IGNORE INTO subscriptions (chat_id, topic_id, created_at) "
            "SELECT ?, topic_id, created_at FROM subscriptions WHERE chat_id = ?",
            (new.chat_id, old.chat_id),
        )
        conn.execute(
            "INSERT INTO ledger (chat_id, item_id, kind, item_hash, sent_at) "
            "SELECT ?, item_id, kind, item_hash, sent_at FROM ledger WHERE chat_id = ? "
            "ON CONFLICT (chat_id, item_id, kind) DO UPDATE "
            "SET item_hash = excluded.item_hash, sent_at = excluded.sent_at "
            "WHERE excluded.sent_at > ledger.sent_at",
            (new.chat_id, old.chat_id),
        )
        conn.execute(
            "INSERT OR IGNORE INTO digest_runs (chat_id, local_date) "
            "SELECT ?, local_date FROM digest_runs WHERE chat_id = ?",
            (new.chat_id, old.chat_id),
        )
        old_next = None if old.next_digest_at is None else to_epoch(old.next_digest_at)
        conn.execute(
            "UPDATE chats SET language = ?, timezone = ?, digest_time = ?, paused = ?, "
            "active = max(active, ?), created_at = min(created_at, ?), updated_at = ?, "
            "next_digest_at = ? WHERE chat_id = ?",
            (
                old.language,
                old.timezone,
                old.digest_time,
                int(old.paused),
                int(old.active),
                to_epoch(old.created_at),
                stamp,
                old_next,
                new.chat_id,
            ),
        )
        conn.execute("DELETE FROM chats WHERE chat_id = ?", (old.chat_id,))

    def count_chats(self, *, active_only: bool = False) -> int:
        """Number of known chats (only those not marked inactive, if ``active_only``)."""
        with self._read() as conn:
            if active_only:
                row = conn.execute("SELECT count(*) FROM chats WHERE active = 1").fetchone()
            else:
                row = conn.execute("SELECT count(*) FROM chats").fetchone()
            return int(row[0])

    # -- subscriptions -----------------------------------------------------------------------

    def subscribe(self, chat_id: int, topic_id: str) -> bool:
        """Subscribe a known chat to a topic; False if it already was."""
        topic = _check_text(topic_id, "topic_id")
        now = self._now()
        with self._write() as conn:
            self._require(conn, chat_id)
            cursor = conn.execute(
                "INSERT OR IGNORE INTO subscriptions (chat_id, topic_id, created_at) "
                "VALUES (?, ?, ?)",
                (chat_id, topic, to_epoch(now)),
            )
            if cursor.rowcount:
                self._reschedule(conn, chat_id, now, keep_overdue=True)
            return cursor.rowcount > 0

    def unsubscribe(self, chat_id: int, topic_id: str) -> bool:
        """Remove one subscription; False if the chat was not subscribed."""
        now = self._now()
        with self._write() as conn:
            cursor = conn.execute(
                "DELETE FROM subscriptions WHERE chat_id = ? AND topic_id = ?",
                (chat_id, topic_id),
            )
            if cursor.rowcount:
                self._reschedule(conn, chat_id, now, keep_overdue=True)
            return cursor.rowcount > 0

    def unsubscribe_all(self, chat_id: int) -> int:
        """Remove every subscription of a chat; returns how many there were."""
        now = self._now()
        with self._write() as conn:
            cursor = conn.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,))
            if cursor.rowcount:
                self._reschedule(conn, chat_id, now, keep_overdue=True)
            return cursor.rowcount

    def subscriptions(self, chat_id: int) -> list[str]:
        """The chat's topic ids, sorted."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT topic_id FROM subscriptions WHERE chat_id = ? ORDER BY topic_id",
                (chat_id,),
            ).fetchall()
        return [str(row[0]) for row in rows]

    def subscribers(self, topic_id: str, active_only: bool = True) -> list[int]:
        """Chat ids subscribed to a topic, sorted; inactive chats only if asked for."""
        with self._read() as conn:
            if active_only:
                rows = conn.execute(
                    "SELECT s.chat_id FROM subscriptions AS s "
                    "JOIN chats AS c ON c.chat_id = s.chat_id "
                    "WHERE s.topic_id = ? AND c.active = 1 ORDER BY s.chat_id",
                    (topic_id,),
                ).fetchall()
            else:
                rows = conn.execute(
                    "SELECT chat_id FROM subscriptions WHERE topic_id = ? ORDER BY chat_id",
                    (topic_id,),
                ).fetchall()
        return [int(row[0]) for row in rows]

    def subscriber_counts(self) -> dict[str, int]:
        """Active subscribed chats per topic, for ``/stats`` and ``/topics``."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT s.topic_id, count(*) FROM subscriptions AS s "
                "JOIN chats AS c ON c.chat_id = s.chat_id "
                "WHERE c.active = 1 GROUP BY s.topic_id ORDER BY s.topic_id"
            ).fetchall()
        return {str(row[0]): int(row[1]) for row in rows}

    # -- schedule ----------------------------------------------------------------------------

    def _reschedule(
        self, conn: sqlite3.Connection, chat_id: int, now: datetime, *, keep_overdue: bool
    ) -> None:
        """Recompute ``next_digest_at`` inside the caller's transaction.

        NULL unless the chat is active, not paused and subscribed to something, so
        ``due_chats`` never has to look at such chats. With ``keep_overdue`` an already
        overdue value is kept: a digest owed from before a restart stays owed when the user
        merely adds a topic. Otherwise the next unrun occurrence at or after ``now`` is used,
        which is why a long outage yields one catch-up digest, not one per missed day.
        """
        row = conn.execute(
            "SELECT timezone, digest_time, paused, active, next_digest_at, "
            "EXISTS (SELECT 1 FROM subscriptions AS s WHERE s.chat_id = chats.chat_id) "
            "AS subscribed FROM chats WHERE chat_id = ?",
            (chat_id,),
        ).fetchone()
        if row is None:
            return
        current: int | None = row["next_digest_at"]
        upcoming: int | None
        if not row["active"] or row["paused"] or not row["subscribed"]:
            upcoming = None
        elif keep_overdue and current is not None and current <= to_epoch(now):
            return
        else:
            zone = zone_or_default(row["timezone"])
            since = (now.astimezone(zone).date() - timedelta(days=1)).isoformat()
            done = {
                str(run[0])
                for run in conn.execute(
                    "SELECT local_date FROM digest_runs WHERE chat_id = ? AND local_date >= ?",
                    (chat_id, since),
                )
            }
            upcoming = to_epoch(next_occurrence(now, zone, row["digest_time"], done))
        if upcoming != current:
            conn.execute(
                "UPDATE chats SET next_digest_at = ? WHERE chat_id = ?", (upcoming, chat_id)
            )

    def due_chats(self, now: datetime, limit: int = 500) -> list[Chat]:
        """Chats whose digest is due at ``now``, most overdue first.

        Served by the ``next_digest_at`` index: chats that are paused, inactive or without
        subscriptions have NULL there and are never visited.
        """
        stamp = to_epoch(now, "now")
        with self._read() as conn:
            rows = conn.execute(_SELECT_DUE, (stamp, _check_limit(limit))).fetchall()
        return [_chat_from_row(row) for row in rows]

    def record_run(self, chat_id: int, local_date: str) -> bool:
        """Record that the chat's digest for ``local_date`` ran, and schedule the next one.

        Returns False if that day was already recorded. Pass ``chat.local_date(now)``; the
        next digest is then the first occurrence after the clock's now on a day without a run.
        """
        day = _check_local_date(local_date)
        now = self._now()
        with self._write() as conn:
            self._require(conn, chat_id)
            cursor = conn.execute(
                "INSERT OR IGNORE INTO digest_runs (chat_id, local_date) VALUES (?, ?)",
                (chat_id, day),
            )
            self._reschedule(conn, chat_id, now, keep_overdue=False)
            return cursor.rowcount > 0

    # -- ledger ------------------------------------------------------------------------------

    def delivered(self, chat_id: int, kind: DeliveryKind = "digest") -> dict[str, str]:
        """Map of item id to the content hash last delivered to the chat."""
        checked = validate_kind(kind)
        with self._read() as conn:
            rows = conn.execute(
                "SELECT item_id, item_hash FROM ledger WHERE chat_id = ? AND kind = ?",
                (chat_id, checked),
            ).fetchall()
        return {str(row[0]): str(row[1]) for row in rows}

    def record_delivery(
        self, chat_id: int, items: Sequence[tuple[str, str]], kind: DeliveryKind = "digest"
    ) -> int:
        """Record ``(item_id, item_hash)`` pairs as delivered, all in one transaction.

        Idempotent: an item already recorded with the same hash is left alone, one with a new
        hash is updated. Returns how many rows were new or changed.
        """
        checked = validate_kind(kind)
        rows = [
            (
                chat_id,
                _check_text(item_id, "item_id"),
                checked,
                _check_text(item_hash, "item_hash"),
            )
            for item_id, item_hash in items
        ]
        if not rows:
            return 0
        stamp = to_epoch(self._now())
        with self._write() as conn:
            self._require(conn, chat_id)
            before = conn.total_changes
            conn.executemany(_LEDGER_UPSERT, [(*row, stamp) for row in rows])
            return conn.total_changes - before

    def pending(
        self,
        chat_id: int,
        candidates: Sequence[tuple[str, str]],
        kind: DeliveryKind = "digest",
    ) -> list[tuple[str, str]]:
        """The candidates not yet delivered in this version (new items or changed hashes).

        Order is kept and exact duplicates are dropped, so the digest never repeats an item.
        """
        sent = self.delivered(chat_id, kind)
        seen: set[tuple[str, str]] = set()
        result: list[tuple[str, str]] = []
        for item_id, item_hash in candidates:
            pair = (item_id, item_hash)
            if sent.get(item_id) != item_hash and pair not in seen:
                seen.add(pair)
                result.append(pair)
        return result

    # -- questions ---------------------------------------------------------------------------

    def record_question(
        self,
        chat_id: int,
        question: str | None,
        answered: bool,
        intent: str,
        confidence: float,
        latency_ms: float,
    ) -> int:
        """Log a question for statistics; returns its row id.

        The text is kept only when the bot could not answer — that is what ``/unanswered``
        needs to show missing content, and answered questions need not be retained.
        """
        row = (
            chat_id,
            to_epoch(self._now()),
            int(bool(answered)),
            str(intent),
            _check_finite(confidence, "confidence"),
            None if answered else _storable(question),
            _check_finite(latency_ms, "latency_ms"),
        )
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO questions "
                "(chat_id, asked_at, answered, intent, confidence, question, latency_ms) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            return int(cursor.lastrowid or 0)

    def unanswered(self, since: datetime, limit: int) -> list[UnansweredQuestion]:
        """Unanswered questions with text asked at or after ``since``, newest first."""
        stamp = to_epoch(since, "since")
        with self._read() as conn:
            rows = conn.execute(
                "SELECT id, chat_id, asked_at, question, intent, confidence FROM questions "
                "WHERE answered = 0 AND asked_at >= ? AND question IS NOT NULL "
                "ORDER BY asked_at DESC, id DESC LIMIT ?",
                (stamp, _check_limit(limit)),
            ).fetchall()
        return [
            UnansweredQuestion(
                id=int(row["id"]),
                chat_id=int(row["chat_id"]),
                asked_at=from_epoch(row["asked_at"]),
                question=str(row["question"]),
                intent=str(row["intent"]),
                confidence=float(row["confidence"]),
            )
            for row in rows
        ]

    def question_stats(self, now: datetime) -> QuestionStats:
        """Counts since UTC midnight and over the seven days up to ``now``."""
        end = require_aware(now, "now")
        midnight = datetime.combine(end.date(), datetime.min.time(), tzinfo=UTC)
        with self._read() as conn:
            row = conn.execute(
                "SELECT coalesce(sum(asked_at >= :today), 0), "
                "coalesce(sum(asked_at >= :today AND answered = 1), 0), "
                "count(*), coalesce(sum(answered), 0), avg(latency_ms) "
                "FROM questions WHERE asked_at >= :week AND asked_at <= :now",
                {
                    "today": to_epoch(midnight),
                    "week": to_epoch(end - timedelta(days=7)),
                    "now": to_epoch(end),
                },
            ).fetchone()
        return QuestionStats(
            today_total=int(row[0]),
            today_answered=int(row[1]),
            week_total=int(row[2]),
            week_answered=int(row[3]),
            week_mean_latency_ms=None if row[4] is None else float(row[4]),
        )

    # -- audit -------------------------------------------------------------------------------

    def audit(self, user_id: int, action: str, detail: str, result: str) -> int:
        """Append an admin action to the audit log; returns its id."""
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO audit (at, user_id, action, detail, result) VALUES (?, ?, ?, ?, ?)",
                (to_epoch(self._now()), user_id, *map(_storable, (action, detail, result))),
            )
            return int(cursor.lastrowid or 0)

    def audit_log(self, limit: int = 50) -> list[AuditEntry]:
        """The most recent admin actions, newest first."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT id, at, user_id, action, detail, result FROM audit "
                "ORDER BY id DESC LIMIT ?",
                (_check_limit(limit),),
            ).fetchall()
        return [
            AuditEntry(
                id=int(row["id"]),
                at=from_epoch(row["at"]),
                user_id=int(row["user_id"]),
                action=str(row["action"]),
                detail=str(row["detail"]),
                result=str(row["result"]),
            )
            for row in rows
        ]

    # -- retention ---------------------------------------------------------------------------

    def prune(self, before: datetime) -> Pruned:
        """Delete question-log and audit rows older than ``before``, in one transaction.

        Every question row goes, not only the declined ones with text: an answered row still
        says which chat asked when.  ``/stats`` looks back seven days, so a retention shorter
        than that shortens its week too.
        """
        stamp = to_epoch(before, "before")
        with self._write() as conn:
            questions = conn.execute("DELETE FROM questions WHERE asked_at < ?", (stamp,))
            audit = conn.execute("DELETE FROM audit WHERE at < ?", (stamp,))
            return Pruned(questions=questions.rowcount, audit=audit.rowcount)
