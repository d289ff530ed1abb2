"""Topic digests and new-content notices: the Telegram-independent core.

What a front end calls (see each function's docstring):

- ``/subscribe`` / ``/unsubscribe``: :func:`find_topic` / :func:`match_topic` turn the user's
  words into a topic; the store does the rest (``AsyncStore.subscribe``).
- ``/digest``: :func:`send_now`, then reply from :class:`SendNowResult` (``digest_empty`` /
  ``digest_no_subscriptions`` responses when nothing was sent).
- the scheduler tick: :func:`deliver_due` with one shared :class:`Pacer`.
- after ``/reload``: :func:`notify_new_content` with the reload's :class:`KnowledgeDiff`.
- ``newsbot digest TOPIC``: :func:`bot.digest.cli.print_digest`.

A digest lists one :class:`DigestEntry` per article (title, page date, one well-formed summary
sentence, link) standing for the article's pending section items, which remain the ledger's
unit. The front end's ``send`` renders a planned :class:`DigestMessage` (``render_text``
here, HTML in the Telegram layer, both measured by a :class:`MessageLayout`) and raises the
errors in :mod:`bot.digest.errors`. Nothing in this package imports ``telegram``.
"""

from __future__ import annotations

import logging

from bot.digest.build import (
    Digest,
    Notice,
    TopicGroup,
    build_digest,
    new_subscriber_digest,
    pending_for_chat,
    pending_for_chat_sync,
)
from bot.digest.catalog import Catalog, catalog_for
from bot.digest.delivery import (
    FanoutReport,
    LayoutFor,
    RetryPolicy,
    SendDigest,
    SendNowResult,
    SendNowStatus,
    deliver_due,
    send_now,
)
from bot.digest.entries import DigestEntry
from bot.digest.errors import (
    ChatMoved,
    ChatUnreachable,
    DigestError,
    ItemTooLargeError,
    RetryLater,
    SendError,
    TransientSendError,
    UnknownTopicError,
)
from bot.digest.items import (
    DigestItem,
    ItemDetails,
    KeyFact,
    make_item_id,
    parse_item_id,
    section_hash,
)
from bot.digest.notices import SendNotice, notify_new_content
from bot.digest.pacing import PaceLimits, Pacer
from bot.digest.plan import (
    TELEGRAM_MESSAGE_LIMIT,
    DigestMessage,
    MessageLayout,
    MessagePart,
    MessagePlan,
    plan_messages,
)
from bot.digest.text import render_notice_text, render_text, say, text_layout
from bot.digest.topics import TopicMatch, find_topic, match_topic, rank_topics

logger = logging.getLogger(__name__)

__all__ = [
    "TELEGRAM_MESSAGE_LIMIT",
    "Catalog",
    "ChatMoved",
    "ChatUnreachable",
    "Digest",
    "DigestEntry",
    "DigestError",
    "DigestItem",
    "DigestMessage",
    "FanoutReport",
    "ItemDetails",
    "ItemTooLargeError",
    "KeyFact",
    "LayoutFor",
    "MessageLayout",
    "MessagePart",
    "MessagePlan",
    "Notice",
    "PaceLimits",
    "Pacer",
    "RetryLater",
    "RetryPolicy",
    "SendDigest",
    "SendError",
    "SendNotice",
    "SendNowResult",
    "SendNowStatus",
    "TopicGroup",
    "TopicMatch",
    "TransientSendError",
    "UnknownTopicError",
    "build_digest",
    "catalog_for",
    "deliver_due",
    "find_topic",
    "make_item_id",
    "match_topic",
    "new_subscriber_digest",
    "notify_new_content",
    "parse_item_id",
    "pending_for_chat",
    "pending_for_chat_sync",
    "plan_messages",
    "rank_topics",
    "render_notice_text",
    "render_text",
    "say",
    "section_hash",
    "send_now",
    "text_layout",
]
