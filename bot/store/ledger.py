"""The digest ledger: what each chat has been sent, by item id and content hash.

Why a hash and not only the id: an article corrected in a reload is the same item with new
content, and subscribers should get the correction once; an unchanged item is never sent
twice, across restarts too, because delivery is recorded in the same store the next digest
reads.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Final

from bot.store.checks import check_text
from bot.store.connection import Database
from bot.store.rows import require_chat
from bot.store.settings import DeliveryKind, validate_kind
from bot.store.timeutil import to_epoch

logger = logging.getLogger(__name__)

_LEDGER_UPSERT: Final = (
    "INSERT INTO ledger (chat_id, item_id, kind, item_hash, sent_at) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (chat_id, item_id, kind) DO UPDATE "
    "SET item_hash = excluded.item_hash, sent_at = excluded.sent_at "
    "WHERE ledger.item_hash <> excluded.item_hash"
)


class Ledger:
    """Deliveries per chat and kind (``digest`` or ``notice``), idempotent."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def delivered(self, chat_id: int, kind: DeliveryKind = "digest") -> dict[str, str]:
        """Map of item id to the content hash last delivered to the chat."""
        checked = validate_kind(kind)
        with self._db.read() as conn:
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
                check_text(item_id, "item_id"),
                checked,
                check_text(item_hash, "item_hash"),
            )
            for item_id, item_hash in items
        ]
        if not rows:
            return 0
        stamp = to_epoch(self._db.now())
        with self._db.write() as conn:
            require_chat(conn, chat_id)
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
