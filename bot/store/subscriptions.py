"""Subscriptions: which chats follow which topics.

Why they reschedule: a chat with no subscriptions has no next digest time (so the due-chats
query never visits it), so adding the first topic or removing the last one changes the
timetable, in the same transaction.
"""

from __future__ import annotations

import logging

from bot.store.checks import check_text
from bot.store.connection import Database
from bot.store.rows import require_chat
from bot.store.timetable import reschedule
from bot.store.timeutil import to_epoch

logger = logging.getLogger(__name__)


class Subscriptions:
    """Subscribe, unsubscribe, and who follows what (for digests, /stats, /topics)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def subscribe(self, chat_id: int, topic_id: str) -> bool:
        """Subscribe a known chat to a topic; False if it already was."""
        topic = check_text(topic_id, "topic_id")
        now = self._db.now()
        with self._db.write() as conn:
            require_chat(conn, chat_id)
            cursor = conn.execute(
                "INSERT OR IGNORE INTO subscriptions (chat_id, topic_id, created_at) "
                "VALUES (?, ?, ?)",
                (chat_id, topic, to_epoch(now)),
            )
            if cursor.rowcount:
                reschedule(conn, chat_id, now, keep_overdue=True)
            return cursor.rowcount > 0

    def unsubscribe(self, chat_id: int, topic_id: str) -> bool:
        """Remove one subscription; False if the chat was not subscribed."""
        now = self._db.now()
        with self._db.write() as conn:
            cursor = conn.execute(
                "DELETE FROM subscriptions WHERE chat_id = ? AND topic_id = ?",
                (chat_id, topic_id),
            )
            if cursor.rowcount:
                reschedule(conn, chat_id, now, keep_overdue=True)
            return cursor.rowcount > 0

    def unsubscribe_all(self, chat_id: int) -> int:
        """Remove every subscription of a chat; returns how many there were."""
        now = self._db.now()
        with self._db.write() as conn:
            cursor = conn.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,))
            if cursor.rowcount:
                reschedule(conn, chat_id, now, keep_overdue=True)
            return cursor.rowcount

    def subscriptions(self, chat_id: int) -> list[str]:
        """The chat's topic ids, sorted."""
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT topic_id FROM subscriptions WHERE chat_id = ? ORDER BY topic_id",
                (chat_id,),
            ).fetchall()
        return [str(row[0]) for row in rows]

    def subscribers(self, topic_id: str, active_only: bool = True) -> list[int]:
        """Chat ids subscribed to a topic, sorted; inactive chats only if asked for."""
        with self._db.read() as conn:
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
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT s.topic_id, count(*) FROM subscriptions AS s "
                "JOIN chats AS c ON c.chat_id = s.chat_id "
                "WHERE c.active = 1 GROUP BY s.topic_id ORDER BY s.topic_id"
            ).fetchall()
        return {str(row[0]): int(row[1]) for row in rows}
