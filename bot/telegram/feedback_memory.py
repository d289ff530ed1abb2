"""The wording of recent answers' questions, kept in memory until a reader rates them.

Why in memory: the store keeps an answered question's text only once a reader rates it 👎
(see :mod:`bot.telegram.feedback`), so until then it lives here, bounded.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Final

logger = logging.getLogger(__name__)

RECENT_LIMIT: Final = 1000  # answers whose wording is kept in memory for a 👎


class RecentQuestions:
    """Question token → (chat id, wording) of the latest answers, oldest dropped first."""

    def __init__(self, limit: int = RECENT_LIMIT) -> None:
        self._limit = limit
        self._items: OrderedDict[str, tuple[int, str]] = OrderedDict()

    def remember(self, token: str, chat_id: int, question: str) -> None:
        self._items[token] = (chat_id, question)
        self._items.move_to_end(token)
        while len(self._items) > self._limit:
            self._items.popitem(last=False)

    def wording(self, token: str, chat_id: int) -> str | None:
        item = self._items.get(token)
        return item[1] if item is not None and item[0] == chat_id else None
