"""The digest timetable: each chat's ``next_digest_at``, the due-chats query, digest runs.

Why a stored next time instead of computing "who is due" on every tick: the tick then reads
one index range, however many chats there are.  The price is that every change to what the
time depends on — time zone, digest time, pause, subscriptions, activity, a recorded run —
must recompute it in the same transaction; :func:`reschedule` is that one recomputation,
called by the other aggregates.  The pure calendar arithmetic is :mod:`bot.store.schedule`.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime, timedelta
from typing import Final

from bot.store.checks import check_limit, check_local_date
from bot.store.connection import Database
from bot.store.models import Chat
from bot.store.rows import require_chat, select_due
from bot.store.schedule import next_occurrence
from bot.store.settings import zone_or_default
from bot.store.timeutil import to_epoch

logger = logging.getLogger(__name__)

_UNSCHEDULED: Final = (
    "SELECT chat_id FROM chats AS c WHERE next_digest_at IS NULL AND active = 1 "
    "AND paused = 0 AND EXISTS (SELECT 1 FROM subscriptions AS s "
    "WHERE s.chat_id = c.chat_id)"
)


def reschedule(
    conn: sqlite3.Connection, chat_id: int, now: datetime, *, keep_overdue: bool
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
        conn.execute("UPDATE chats SET next_digest_at = ? WHERE chat_id = ?", (upcoming, chat_id))


class Timetable:
    """When each chat's next digest is due, and which days' digests have run."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def repair(self) -> None:
        """Schedule eligible chats that lack a ``next_digest_at`` (run when the file opens).

        Such rows come from a migration or a hand edit; left alone, the chat would silently
        never get a digest again. The lookup is read-only so that merely opening the file (say,
        ``newsbot digest`` next to the running bot) takes no write lock when all is well.
        """
        now = self._db.now()
        with self._db.read() as conn:
            if conn.execute(_UNSCHEDULED).fetchone() is None:
                return
        with self._db.write() as conn:
            chat_ids = [int(row[0]) for row in conn.execute(_UNSCHEDULED).fetchall()]
            for chat_id in chat_ids:
                reschedule(conn, chat_id, now, keep_overdue=False)
        logger.info("scheduled %d chats that had no next digest time", len(chat_ids))

    def due_chats(self, now: datetime, limit: int = 500) -> list[Chat]:
        """Chats whose digest is due at ``now``, most overdue first.

        Served by the ``next_digest_at`` index: chats that are paused, inactive or without
        subscriptions have NULL there and are never visited.
        """
        stamp = to_epoch(now, "now")
        with self._db.read() as conn:
            return select_due(conn, stamp, check_limit(limit))

    def record_run(self, chat_id: int, local_date: str) -> bool:
        """Record that the chat's digest for ``local_date`` ran, and schedule the next one.

        Returns False if that day was already recorded. Pass ``chat.local_date(now)``; the
        next digest is then the first occurrence after the clock's now on a day without a run.
        """
        day = check_local_date(local_date)
        now = self._db.now()
        with self._db.write() as conn:
            require_chat(conn, chat_id)
            cursor = conn.execute(
                "INSERT OR IGNORE INTO digest_runs (chat_id, local_date) VALUES (?, ?)",
                (chat_id, day),
            )
            reschedule(conn, chat_id, now, keep_overdue=False)
            return cursor.rowcount > 0
