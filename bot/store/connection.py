"""The database file and its one connection: opening, pragmas, migrations, transactions.

Why one connection behind one lock: the bot serialises every call (see :mod:`bot.store.aio`),
so SQLite's own locking only has to cope with occasional other processes such as
``newsbot digest``. Each write runs in ``BEGIN IMMEDIATE … COMMIT``: a ``kill -9`` at any moment
leaves either the whole change or none of it, and taking the write lock up front avoids the
deadlock two deferred transactions can get into when both try to upgrade to writers.  The
aggregates (:mod:`bot.store.chats`, :mod:`bot.store.subscriptions`, …) share one
:class:`Database` and never open their own.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Final, cast

from bot.store.errors import (
    EmptyDatabaseError,
    SchemaError,
    StoreClosedError,
    StoreError,
    StoreUnwritableError,
)
from bot.store.models import StoreInfo
from bot.store.schema import migrate
from bot.store.timeutil import require_aware, utc_now

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_MS: Final = 5000
MEMORY: Final = ":memory:"


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


class Database:
    """One SQLite file (or ``:memory:``), migrated, with its connection, lock and clock.

    Thread-safe: every read and write holds one re-entrant lock around the one connection.
    The clock is injected so that schedules and statistics are deterministic in tests.
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

    def connection(self) -> sqlite3.Connection:
        """The open connection; :class:`StoreClosedError` after :meth:`close`."""
        if self._conn is None:
            raise StoreClosedError("the store is closed")
        return self._conn

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """Run the body as one ``BEGIN IMMEDIATE`` transaction; roll back on any exception."""
        with self._lock:
            conn = self.connection()
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
    def read(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock for a read so it never interleaves with a write's statements."""
        with self._lock:
            conn = self.connection()
            try:
                yield conn
            except sqlite3.Error as exc:
                raise StoreError(f"database read failed: {exc}") from exc

    def now(self) -> datetime:
        """The injected clock's time in UTC; a naive clock is a bug worth failing loudly on."""
        return require_aware(self._clock(), "clock()")

    def integrity_ok(self) -> bool:
        """True if SQLite's integrity check and the foreign key check both find nothing wrong."""
        with self.read() as conn:
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
        with self.read() as conn:

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
