"""The admin audit log: every admin action, who did it and how it ended.

Append-only for the bot; old rows are deleted only by the retention policy
(:mod:`bot.store.retention`).  Text is made storable (lone surrogates replaced) because a
file name or detail comes from Telegram and must never make the audit write fail.
"""

from __future__ import annotations

import logging
import sqlite3

from bot.store.checks import check_limit, storable
from bot.store.connection import Database
from bot.store.models import AuditEntry
from bot.store.timeutil import from_epoch, to_epoch

logger = logging.getLogger(__name__)


class AuditLog:
    """Append and read admin actions, newest first."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def audit(self, user_id: int, action: str, detail: str, result: str) -> int:
        """Append an admin action to the audit log; returns its id."""
        with self._db.write() as conn:
            cursor = conn.execute(
                "INSERT INTO audit (at, user_id, action, detail, result) VALUES (?, ?, ?, ?, ?)",
                (to_epoch(self._db.now()), user_id, *map(storable, (action, detail, result))),
            )
            return int(cursor.lastrowid or 0)

    def audit_log(self, limit: int = 50) -> list[AuditEntry]:
        """The most recent admin actions, newest first."""
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT id, at, user_id, action, detail, result FROM audit "
                "ORDER BY id DESC LIMIT ?",
                (check_limit(limit),),
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

    @staticmethod
    def delete_before(conn: sqlite3.Connection, stamp: int) -> int:
        """Delete entries made before epoch ``stamp`` inside the caller's transaction."""
        return conn.execute("DELETE FROM audit WHERE at < ?", (stamp,)).rowcount
