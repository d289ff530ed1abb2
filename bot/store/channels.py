"""Channels that receive digests, and who linked each.

Why keep the linking user: a channel has no one to talk to.  When the bot loses its right to
post there, the administrator who linked it is the one to tell.
"""

from __future__ import annotations

import logging

from bot.store.connection import Database
from bot.store.timeutil import to_epoch

logger = logging.getLogger(__name__)


class ChannelLinks:
    """channel id → the user who linked it (the channel's row lives in ``chats``)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def link_channel(self, channel_id: int, user_id: int) -> None:
        """Record (or move) the link; the channel's chat row must exist."""
        with self._db.write() as conn:
            conn.execute(
                "INSERT INTO channel_links (channel_id, user_id, linked_at) VALUES (?, ?, ?) "
                "ON CONFLICT (channel_id) DO UPDATE SET user_id = excluded.user_id, "
                "linked_at = excluded.linked_at",
                (channel_id, user_id, to_epoch(self._db.now())),
            )

    def unlink_channel(self, channel_id: int) -> bool:
        with self._db.write() as conn:
            cursor = conn.execute("DELETE FROM channel_links WHERE channel_id = ?", (channel_id,))
            return cursor.rowcount > 0

    def channel_owner(self, channel_id: int) -> int | None:
        """Who linked the channel, or None when it is not linked."""
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT user_id FROM channel_links WHERE channel_id = ?", (channel_id,)
            ).fetchone()
        return None if row is None else int(row[0])
