"""Errors of the digest core, including the ones a front end's ``send`` raises.

The delivery loop must react differently to "this chat is gone", "this chat has a new id",
"slow down" and "the network hiccuped", but it must not import ``telegram`` to recognise them.
So the front end translates its library's exceptions (``Forbidden``, ``ChatMigrated``,
``RetryAfter``, ``NetworkError``/``TimedOut``) into these classes, and the core only knows these.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.errors import NewsbotError

logger = logging.getLogger(__name__)


class DigestError(NewsbotError):
    """Base class for every error the digest core raises on purpose."""


class UnknownTopicError(DigestError):
    """A topic query matched no topic (or several equally well); carries what was asked."""

    def __init__(self, query: str, candidates: Sequence[str] = ()) -> None:
        self.query = query
        self.candidates: tuple[str, ...] = tuple(candidates)
        hint = f" (did you mean: {', '.join(self.candidates)}?)" if self.candidates else ""
        super().__init__(f"unknown topic {query!r}{hint}")


class ItemTooLargeError(DigestError):
    """One item does not fit in an empty message: the renderer's sizes break the contract.

    Items are bounded by construction (see :mod:`bot.digest.items`), so any renderer that keeps
    a few hundred characters per item fits them in 4,096; hitting this is a renderer bug, and
    splitting an item across messages would hide it.
    """

    def __init__(self, item_id: str, size: int, budget: int) -> None:
        self.item_id = item_id
        self.size = size
        self.budget = budget
        super().__init__(f"digest item {item_id} needs {size} characters, a message has {budget}")


class SendError(Exception):
    """Base of the outcomes a front end's ``send`` may raise instead of returning."""


class ChatUnreachable(SendError):
    """The chat blocked or removed the bot, or was deactivated: stop sending, keep its topics."""


class ChatMoved(SendError):
    """The chat now has another id (a group became a supergroup): move it and retry there."""

    def __init__(self, new_chat_id: int) -> None:
        self.new_chat_id = new_chat_id
        super().__init__(f"chat moved to {new_chat_id}")


class RetryLater(SendError):
    """Flood control: wait ``seconds`` before sending anything again, then resend the message."""

    def __init__(self, seconds: float) -> None:
        self.seconds = max(0.0, float(seconds))
        super().__init__(f"retry after {self.seconds:g}s")


class TransientSendError(SendError):
    """A network error or server-side failure that may succeed on a later attempt."""
