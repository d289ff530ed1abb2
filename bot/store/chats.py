"""Chats: the chats the bot knows and their settings (language, time zone, digest time, pause).

Why settings changes reschedule here: the next digest time depends on them, so each change
recomputes it in the same transaction (:func:`bot.store.timetable.reschedule`).  A group
upgraded to a supergroup moves to a new id with everything it owns (:meth:`migrate_chat`).
"""

from __future__ import annotations

import logging
import sqlite3

from bot.store.checks import storable
from bot.store.connection import Database
from bot.store.models import Chat
from bot.store.rows import find_chat, require_chat
from bot.store.settings import (
    DEFAULT_LANGUAGE,
    parse_digest_time,
    validate_chat_type,
    validate_language,
    validate_timezone,
)
from bot.store.timetable import reschedule
from bot.store.timeutil import to_epoch

logger = logging.getLogger(__name__)


class Chats:
    """Create, read and configure chats; mark them inactive; migrate them to a new id."""

    def __init__(self, db: Database) -> None:
        self._db = db

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
        title = storable(title)
        now = self._db.now()
        stamp = to_epoch(now)
        with self._db.write() as conn:
            existing = find_chat(conn, chat_id)
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
                    reschedule(conn, chat_id, now, keep_overdue=True)
            return require_chat(conn, chat_id)

    def get_chat(self, chat_id: int) -> Chat | None:
        """Return the chat, or None if the bot has never seen it."""
        with self._db.read() as conn:
            return find_chat(conn, chat_id)

    def _update_chat(
        self,
        chat_id: int,
        sql: str,
        params: tuple[object, ...],
        *,
        moves_digest: bool,
        keep_overdue: bool = False,
    ) -> Chat:
        """Run one UPDATE on an existing chat (``sql`` ends in ``WHERE chat_id = ?``)."""
        now = self._db.now()
        with self._db.write() as conn:
            require_chat(conn, chat_id)
            conn.execute(sql, (*params, to_epoch(now), chat_id))
            if moves_digest:
                reschedule(conn, chat_id, now, keep_overdue=keep_overdue)
            return require_chat(conn, chat_id)

    def set_language(self, chat_id: int, language: str, *, chosen: bool = False) -> Chat:
        """Set the chat's reply language ('zh' or 'en'); ``chosen`` when the chat picked it
        (``/settings``), so it is no longer synced with the user's client."""
        lang = validate_language(language)
        return self._update_chat(
            chat_id,
            "UPDATE chats SET language = ?, language_chosen = ?, updated_at = ? WHERE chat_id = ?",
            (lang, int(chosen)),
            moves_digest=False,
        )

    def set_timezone(self, chat_id: int, tz: str) -> Chat:
        """Set the chat's IANA time zone and move its next digest to the new local time."""
        zone = validate_timezone(tz)
        return self._update_chat(
            chat_id,
            "UPDATE chats SET timezone = ?, updated_at = ? WHERE chat_id = ?",
            (zone,),
            moves_digest=True,
        )

    def set_digest_time(self, chat_id: int, hhmm: str) -> Chat:
        """Set the local digest time ('H:MM' or 'HH:MM', stored as 'HH:MM') and reschedule."""
        normalised = parse_digest_time(hhmm)
        return self._update_chat(
            chat_id,
            "UPDATE chats SET digest_time = ?, updated_at = ? WHERE chat_id = ?",
            (normalised,),
            moves_digest=True,
        )

    def set_paused(self, chat_id: int, paused: bool) -> Chat:
        """Pause or resume digests; a resumed chat gets its next future occurrence, no backlog.

        A redundant "resume" of a running chat keeps a digest that is already overdue.
        """
        return self._update_chat(
            chat_id,
            "UPDATE chats SET paused = ?, updated_at = ? WHERE chat_id = ?",
            (int(bool(paused)),),
            moves_digest=True,
            keep_overdue=True,
        )

    def mark_inactive(self, chat_id: int) -> bool:
        """Stop scheduling a chat that blocked the bot or removed it; keep its subscriptions.

        Subscriptions are kept so a user who unblocks the bot gets their digests back. Returns
        False if the chat is unknown (nothing to mark).
        """
        now = self._db.now()
        with self._db.write() as conn:
            cursor = conn.execute(
                "UPDATE chats SET active = 0, next_digest_at = NULL, updated_at = ? "
                "WHERE chat_id = ? AND active = 1",
                (to_epoch(now), chat_id),
            )
            if cursor.rowcount:
                logger.info("chat %d marked inactive", chat_id)
                return True
            return find_chat(conn, chat_id) is not None

    def migrate_chat(self, old_id: int, new_id: int) -> Chat | None:
        """Move a chat to a new id (a group upgraded to a supergroup), with everything it owns.

        If the new id is unknown, the row is renamed and the foreign keys cascade. If it already
        exists (the bot saw the supergroup first), the two are merged: subscriptions, ledger
        entries (the later delivery wins) and digest runs are united; the old chat's settings
        win because they are what users configured, while the new row's type and title are
        kept because they are current. Returns the resulting chat, or None if ``old_id`` is
        unknown.
        """
        now = self._db.now()
        stamp = to_epoch(now)
        with self._db.write() as conn:
            old = find_chat(conn, old_id)
            if old is None:
                return None
            if old_id == new_id:
                return old
            new = find_chat(conn, new_id)
            if new is None:
                conn.execute(
                    "UPDATE chats SET chat_id = ?, updated_at = ? WHERE chat_id = ?",
                    (new_id, stamp, old_id),
                )
            else:
                self._merge_into(conn, old, new, stamp)
            conn.execute("UPDATE questions SET chat_id = ? WHERE chat_id = ?", (new_id, old_id))
            conn.execute("UPDATE feedback SET chat_id = ? WHERE chat_id = ?", (new_id, old_id))
            reschedule(conn, new_id, now, keep_overdue=True)
            logger.info("chat %d migrated to %d", old_id, new_id)
            return require_chat(conn, new_id)

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
        with self._db.read() as conn:
            if active_only:
                row = conn.execute("SELECT count(*) FROM chats WHERE active = 1").fetchone()
            else:
                row = conn.execute("SELECT count(*) FROM chats").fetchone()
            return int(row[0])
