"""The admin audit trail: every admin action and every refused attempt, in the store.

Why best effort: the audit must never be the reason an admin action fails or a refusal is not
sent, so a store problem is logged (without the detail, which may hold a file name the user
chose) and swallowed.  Details are clipped so one odd request cannot bloat the table.
"""

from __future__ import annotations

import logging
from typing import Final

from bot.store import AsyncStore, StoreError

logger = logging.getLogger(__name__)

#: ``user_id`` of actions nobody typed: SIGHUP and ``--watch`` reloads.
SYSTEM_USER: Final = 0
DETAIL_LIMIT: Final = 500

OK: Final = "ok"
REFUSED: Final = "refused"  # not an admin
REJECTED: Final = "rejected"  # an admin's request that failed a check (nothing changed)
FAILED: Final = "error"  # the action ran and failed (old content still served)
CANCELLED: Final = "cancelled"


def clip(text: str, limit: int = DETAIL_LIMIT) -> str:
    """``text`` on one line, at most ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class Auditor:
    """Writes audit entries through the bot's store (or only logs without one)."""

    def __init__(self, store: AsyncStore | None) -> None:
        self.store = store

    async def record(self, user_id: int, action: str, detail: str, result: str) -> None:
        logger.info("audit: user %d %s → %s", user_id, action, result.split(":", 1)[0])
        if self.store is None:
            return
        try:
            await self.store.audit(user_id, clip(action, 64), clip(detail), clip(result))
        except StoreError as exc:
            logger.warning("could not write the audit entry for %s: %s", action, exc)
