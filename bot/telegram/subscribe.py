"""The 订阅「topic」 button's seam: a hook the digest feature provides, and a default on SQLite.

Why a hook: the answer buttons belong to this package, but what subscribing *means* (schedules,
ledger, confirmation wording, who may change a group's subscriptions) belongs to the digests
feature.  The button handler builds a :class:`SubscribeRequest` and calls whatever
:data:`SubscribeHook` the application was built with (``Feature.subscribe``).  Until a feature
provides one, :class:`StoreSubscriptions` does the real thing on the store — records the chat
and the subscription, with the chat-admin rule for groups — so the button never lies.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import Bot
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot.rules.model import Responses, Topic
from bot.store import AsyncStore, StoreError

logger = logging.getLogger(__name__)

GROUP_TYPES = (ChatType.GROUP, ChatType.SUPERGROUP)
ADMIN_STATUSES = (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


@dataclass(frozen=True, slots=True)
class SubscribeRequest:
    """Somebody pressed 订阅「topic」 in a chat."""

    chat_id: int
    chat_type: str
    chat_title: str | None
    user_id: int
    topic: Topic
    language: str  # interface language of the user who pressed


@dataclass(frozen=True, slots=True)
class SubscribeReply:
    """What to tell them: ``text`` (plain, short) as the button's toast; with ``announce``
    also posted in the chat, so everybody in a group sees the change."""

    text: str
    announce: bool = False


SubscribeHook = Callable[[SubscribeRequest, Bot, Responses], Awaitable[SubscribeReply]]


async def is_chat_admin(bot: Bot, chat_id: int, user_id: int) -> bool:
    """True for a group's administrators and owner; False if Telegram cannot say."""
    try:
        member = await bot.get_chat_member(chat_id, user_id)
    except TelegramError as exc:
        logger.warning("cannot check admin status in chat %d: %s", chat_id, exc)
        return False
    return member.status in ADMIN_STATUSES


class StoreSubscriptions:
    """Default :data:`SubscribeHook`: subscribe the chat on the store."""

    def __init__(self, store: AsyncStore) -> None:
        self.store = store

    async def __call__(
        self, request: SubscribeRequest, bot: Bot, responses: Responses
    ) -> SubscribeReply:
        name = request.topic.name(request.language)
        group = request.chat_type in GROUP_TYPES
        if group and not await is_chat_admin(bot, request.chat_id, request.user_id):
            return SubscribeReply(responses.text("tg_subscribe_admins_only", request.language))
        try:
            await self.store.upsert_chat(
                request.chat_id, request.chat_type, request.chat_title, request.language
            )
            added = await self.store.subscribe(request.chat_id, request.topic.id)
        except StoreError as exc:
            logger.error("subscribing chat %d failed: %s", request.chat_id, exc)
            return SubscribeReply(responses.text("error", request.language))
        key = "tg_subscribed" if added else "tg_already_subscribed"
        return SubscribeReply(
            responses.text(key, request.language, topic=name), announce=group and added
        )
