"""Choosing topics: ``/topics`` (✓ toggles), ``/subscribe``, ``/unsubscribe``, the toggle
button, and the 订阅「topic」 button under answers (the subscribe hook).

Topic names match fuzzily in zh or en (``/subscribe 城市`` → 城市更新; ``/subscribe 城市 金融``
takes both).  In a group anyone may look, changing needs a chat administrator; the buttons
check that on every press, because button data can be forged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Final

from telegram import Bot, InlineKeyboardMarkup, MaybeInaccessibleMessage, Update
from telegram.error import BadRequest, TelegramError

from bot.digest import find_topic, rank_topics
from bot.rules.model import Responses, Topic
from bot.store import StoreError
from bot.telegram.callbacks import CallbackData, CallbackError
from bot.telegram.chats import STORE_CHAT_TYPES
from bot.telegram.digest_render import ToggleRef
from bot.telegram.digests.common import ECHO_LIMIT, DigestContext, Request
from bot.telegram.format import plain
from bot.telegram.incoming import GROUP_TYPES, interface_language
from bot.telegram.ptb import Ctx
from bot.telegram.send import answer_query
from bot.telegram.subscribe import SubscribeReply, SubscribeRequest, is_chat_admin

logger = logging.getLogger(__name__)

ALL_WORDS: Final = frozenset({"all", "全部", "所有", "全部话题", "所有话题"})
_TOPIC_SPLIT: Final = re.compile(r"[\s,，、;；/]+")
SUBSCRIBE_PAYLOAD: Final = "sub_"  # /start sub_<topic id>


class TopicCommands:
    """Subscribe and unsubscribe, by command or by button."""

    def __init__(self, ctx: DigestContext) -> None:
        self.ctx = ctx

    # --- commands ---------------------------------------------------------------------------

    async def topics(self, request: Request) -> None:
        """The topic list with a ✓ toggle per topic (anyone may look; toggles check admins)."""
        await self.show(request)

    async def show(self, request: Request, note: str | None = None) -> None:
        ctx = self.ctx
        listing = ctx.service.topic_list("/topics", request.language)
        lines = listing.summary.split("\n")
        lines.append(ctx.t("tg_digest_topics_hint", request.language))
        if note:
            lines.insert(0, note)
        subscribed = await ctx.store.subscriptions(request.chat.chat_id)
        keyboard = ctx.keyboard(subscribed, request.language)
        await ctx.send(request, lines, keyboard, bold_first=True)

    async def subscribe(self, request: Request) -> None:
        ctx, chat_id, language = self.ctx, request.chat.chat_id, request.language
        if not request.argument:
            await self.show(request)
            return
        topics = await self._topics_or_tell(request)
        if topics is None or not await ctx.allowed(request):
            return
        lines = await self._each(
            request, topics, ctx.store.subscribe, "tg_subscribed", "tg_already_subscribed"
        )
        chat = await ctx.store.get_chat(chat_id) or request.chat
        lines.append(ctx.schedule(chat, language))
        lines.append(ctx.t("tg_digest_now_hint", language))
        await ctx.send(request, lines)

    async def unsubscribe(self, request: Request) -> None:
        ctx, chat_id, language = self.ctx, request.chat.chat_id, request.language
        if not request.argument:
            await self.show(request, ctx.t("tg_digest_unsubscribe_usage", language))
            return
        everything = request.argument.casefold() in ALL_WORDS
        topics = [] if everything else await self._topics_or_tell(request)
        if topics is None or not await ctx.allowed(request):
            return
        if everything:
            count = await ctx.store.unsubscribe_all(chat_id)
            key = "tg_digest_unsubscribed_all" if count else "digest_no_subscriptions"
            await ctx.say(request, key, count=count)
            return
        lines = await self._each(
            request,
            topics,
            ctx.store.unsubscribe,
            "tg_digest_unsubscribed",
            "tg_digest_not_subscribed",
        )
        await ctx.send(request, lines)

    async def _each(
        self,
        request: Request,
        topics: list[Topic],
        change: Callable[[int, str], Awaitable[bool]],
        changed: str,
        unchanged: str,
    ) -> list[str]:
        """Apply ``change`` (subscribe or unsubscribe) per topic; one line each saying
        whether it changed anything."""
        language, lines = request.language, []
        for topic in topics:
            done = await change(request.chat.chat_id, topic.id)
            key = changed if done else unchanged
            lines.append(self.ctx.t(key, language, topic=topic.name(language)))
        return lines

    async def start_payload(self, update: Update, context: Ctx, payload: str) -> bool:
        """``/start sub_<topic id>`` (a ``t.me/bot?start=sub_urban`` link): subscribe, as
        ``/subscribe`` would.  False for any other payload or an unknown topic, so the plain
        /start answers instead."""
        message = update.effective_message
        if message is None or not payload.startswith(SUBSCRIBE_PAYLOAD):
            return False
        topic = self.ctx.knowledge.rules.topic(payload.removeprefix(SUBSCRIBE_PAYLOAD))
        if topic is None:
            logger.info("unknown topic in a /start link")
            return False
        language = interface_language(message.from_user)
        chat = await self.ctx.record(message.chat, language)
        await self.subscribe(Request(message, chat, language, topic.id))
        return True

    # --- topic names ------------------------------------------------------------------------

    async def _topics_or_tell(self, request: Request) -> list[Topic] | None:
        """The topics the argument names, or None after saying which topics there are."""
        topics = self.match(request.argument)
        if topics is None:
            await self.ctx.send(request, [self.unknown(request.argument, request.language)])
        return topics

    def match(self, query: str) -> list[Topic] | None:
        """The topics a query names: one (fuzzy, zh or en) or several separated by spaces or
        commas; None when any part matches nothing or is ambiguous."""
        topics = self.ctx.knowledge.rules.topics
        topic = find_topic(query, topics)
        if topic is not None:
            return [topic]
        parts = [p for p in _TOPIC_SPLIT.split(query) if p]
        if len(parts) < 2:
            return None
        found = [find_topic(part, topics) for part in parts]
        if any(t is None for t in found):
            return None
        return list({t.id: t for t in found if t is not None}.values())

    def unknown(self, query: str, language: str) -> str:
        ctx = self.ctx
        topics = ctx.knowledge.rules.topics
        candidates = [m.topic.id for m in rank_topics(query, topics)[:3]]
        names = ctx.topic_names(candidates or [t.id for t in topics], language)
        return ctx.t(
            "digest_unknown_topic", language, query=plain(query, ECHO_LIMIT), topics=names
        )

    # --- buttons ----------------------------------------------------------------------------

    async def on_toggle(self, update: Update, context: Ctx, data: CallbackData) -> None:
        """A ``/topics`` toggle: flip the subscription, answer with a toast, redraw the keys."""
        query = update.callback_query
        if query is None:
            return
        ctx = self.ctx
        ref = ToggleRef.parse(data)
        topic = ctx.knowledge.rules.topic(ref.topic_id)
        target = query.message
        if topic is None or target is None or target.chat.type not in STORE_CHAT_TYPES:
            raise CallbackError("unknown topic")
        language = interface_language(query.from_user)
        tg_chat = target.chat
        bot = query.get_bot()
        if tg_chat.type in GROUP_TYPES and not await is_chat_admin(
            bot, tg_chat.id, query.from_user.id
        ):
            await answer_query(query, ctx.t("tg_subscribe_admins_only", language))
            return
        chat = await ctx.record(tg_chat, language)
        name = topic.name(language)
        if topic.id in await ctx.store.subscriptions(chat.chat_id):
            await ctx.store.unsubscribe(chat.chat_id, topic.id)
            toast = ctx.t("tg_digest_unsubscribed", language, topic=name)
        else:
            await ctx.store.subscribe(chat.chat_id, topic.id)
            toast = ctx.t("tg_subscribed", language, topic=name)
        await answer_query(query, toast)
        subscribed = await ctx.store.subscriptions(chat.chat_id)
        await _edit_keyboard(bot, target, ctx.keyboard(subscribed, ref.language))

    async def subscribe_hook(
        self, request: SubscribeRequest, bot: Bot, responses: Responses
    ) -> SubscribeReply:
        """The 订阅「topic」 button under answers: like ``/subscribe topic`` (same admin rule),
        confirming the schedule."""
        store, language = self.ctx.store, request.language
        group = request.chat_type in GROUP_TYPES
        if group and not await is_chat_admin(bot, request.chat_id, request.user_id):
            return SubscribeReply(responses.text("tg_subscribe_admins_only", language))
        name = request.topic.name(language)
        try:
            await store.upsert_chat(
                request.chat_id, request.chat_type, request.chat_title, language
            )
            added = await store.subscribe(request.chat_id, request.topic.id)
            chat = await store.get_chat(request.chat_id)
        except StoreError as exc:
            logger.error("subscribing chat %d failed: %s", request.chat_id, exc)
            return SubscribeReply(responses.text("error", language))
        if not added:
            return SubscribeReply(responses.text("tg_already_subscribed", language, topic=name))
        text = responses.text("tg_subscribed", language, topic=name)
        if chat is not None:
            text += " " + self.ctx.schedule(chat, language)
        return SubscribeReply(text, announce=group)


async def _edit_keyboard(
    bot: Bot, message: MaybeInaccessibleMessage, keyboard: InlineKeyboardMarkup | None
) -> None:
    """Redraw a message's keyboard; "message is not modified" (two quick presses that end
    where they began) is fine, and any other refusal only costs the redraw."""
    try:
        await bot.edit_message_reply_markup(
            message.chat.id, message.message_id, reply_markup=keyboard
        )
    except BadRequest as exc:
        if "not modified" in str(exc).lower():
            logger.debug("keyboard already up to date")
        else:
            logger.warning("could not redraw the topics keyboard: %s", exc)
    except TelegramError as exc:
        logger.warning("could not redraw the topics keyboard: %s", exc)
