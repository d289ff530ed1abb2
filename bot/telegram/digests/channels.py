"""Digests in a channel the user administers: ``/channel @name [topics]`` or a forwarded post.

Why these checks: anyone can type a channel's name.  So, with Telegram (getChatMember), the
user must be an administrator of the channel and the bot an administrator allowed to post
there; otherwise the reply says which of the two is missing.  The channel then gets its own
chat row (digest time and zone copied from the user's chat, topics from the argument or the
user's own subscriptions) and is delivered to like any chat.  ``/channel @name off`` stops it.
When the bot later loses its admin rights there, :func:`rights_lost` marks the channel
inactive and tells the user who linked it (see ``chats.ChatEvents``).
"""

from __future__ import annotations

import logging
from typing import Final

from telegram import (
    Bot,
    ChatFullInfo,
    ChatMemberAdministrator,
    ChatMemberOwner,
    Message,
    MessageOriginChannel,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import filters

from bot.rules.model import Topic
from bot.telegram.digests.common import ECHO_LIMIT, DigestContext, Request
from bot.telegram.digests.topics import TopicCommands
from bot.telegram.format import plain
from bot.telegram.incoming import interface_language
from bot.telegram.ptb import Ctx

logger = logging.getLogger(__name__)

OFF_WORDS: Final = frozenset({"off", "stop", "关闭", "取消", "停止"})


class FromChannel(filters.MessageFilter):
    """A private message forwarded from a channel (how a user can point at a private one)."""

    def filter(self, message: Message) -> bool:
        return message.chat.type == ChatType.PRIVATE and isinstance(
            message.forward_origin, MessageOriginChannel
        )


class ChannelCommands:
    """Link a channel for digests, or unlink it."""

    def __init__(self, ctx: DigestContext, topics: TopicCommands) -> None:
        self.ctx = ctx
        self.topics = topics

    async def channel(self, request: Request) -> None:
        ctx = self.ctx
        if request.message.chat.type != ChatType.PRIVATE:
            await ctx.say(request, "tg_channel_private_only")
            return
        name, _, rest = request.argument.partition(" ")
        if not name:
            await ctx.say(request, "tg_channel_usage")
            return
        target = name if name.startswith("@") or name.lstrip("-").isdigit() else f"@{name}"
        chat = await self._find(request, target)
        if chat is not None:
            await self.link(request, chat, rest.strip())
        else:
            await ctx.say(request, "tg_channel_not_found", name=plain(name, ECHO_LIMIT))

    async def on_forward(self, update: Update, context: Ctx) -> None:
        """A post forwarded from a channel: link that channel (topics as the user's own)."""
        message = update.effective_message
        if message is None or not isinstance(message.forward_origin, MessageOriginChannel):
            return
        language = interface_language(message.from_user)
        chat = await self.ctx.record(message.chat, language)
        request = Request(message, chat, language, "")
        found = await self._find(request, message.forward_origin.chat.id)
        if found is None:
            name = message.forward_origin.chat.title or str(message.forward_origin.chat.id)
            await self.ctx.say(request, "tg_channel_not_found", name=plain(name, ECHO_LIMIT))
            return
        await self.link(request, found, "")

    async def _find(self, request: Request, target: str | int) -> ChatFullInfo | None:
        try:
            return await request.message.get_bot().get_chat(target)
        except (BadRequest, Forbidden) as exc:
            logger.info("channel lookup failed: %s", exc)
            return None

    async def link(self, request: Request, channel: ChatFullInfo, argument: str) -> None:
        ctx, language, bot = self.ctx, request.language, request.message.get_bot()
        title = plain(channel.title or str(channel.id), ECHO_LIMIT)
        if channel.type != ChatType.CHANNEL:
            await ctx.say(request, "tg_channel_not_channel", title=title)
            return
        user = request.message.from_user
        if user is None or not await _is_admin(bot, channel.id, user.id):
            await ctx.say(request, "tg_channel_user_not_admin", title=title)
            return
        if argument.casefold() in OFF_WORDS:
            await ctx.store.unsubscribe_all(channel.id)
            await ctx.store.unlink_channel(channel.id)
            await ctx.say(request, "tg_channel_unlinked", title=title)
            return
        if not await can_post(bot, channel.id):
            await ctx.say(request, "tg_channel_bot_not_admin", title=title)
            return
        topics = await self._topics(request, argument)
        if topics is None:
            return
        stored = await ctx.store.upsert_chat(channel.id, "channel", channel.title, language)
        await ctx.store.set_digest_time(channel.id, request.chat.digest_time)
        stored = await ctx.store.set_timezone(channel.id, request.chat.timezone)
        await ctx.store.link_channel(channel.id, user.id)
        for topic in topics:
            await ctx.store.subscribe(channel.id, topic.id)
        names = ctx.topic_names([t.id for t in topics], language)
        lines = [ctx.t("tg_channel_linked", language, title=title, topics=names)]
        lines.append(ctx.schedule(stored, language))
        await ctx.send(request, lines)

    async def _topics(self, request: Request, argument: str) -> list[Topic] | None:
        """Named topics, else the user's own subscriptions; None after saying what is wrong."""
        ctx = self.ctx
        if argument:
            topics = self.topics.match(argument)
            if topics is None:
                await ctx.send(request, [self.topics.unknown(argument, request.language)])
            return topics
        own = ctx.ordered(await ctx.store.subscriptions(request.chat.chat_id))
        found = [t for t in (ctx.knowledge.rules.topic(i) for i in own) if t is not None]
        if not found:
            await ctx.say(request, "tg_channel_no_topics")
            return None
        return found


async def _is_admin(bot: Bot, chat_id: int, user_id: int) -> bool:
    try:
        member = await bot.get_chat_member(chat_id, user_id)
    except TelegramError as exc:
        logger.info("getChatMember in a channel failed: %s", exc)
        return False
    return isinstance(member, ChatMemberAdministrator | ChatMemberOwner)


async def can_post(bot: Bot, chat_id: int) -> bool:
    """Is the bot an administrator of the channel with the right to post?"""
    try:
        member = await bot.get_chat_member(chat_id, bot.id)
    except TelegramError as exc:
        logger.info("getChatMember (the bot) in a channel failed: %s", exc)
        return False
    if isinstance(member, ChatMemberOwner):
        return True
    return isinstance(member, ChatMemberAdministrator) and bool(member.can_post_messages)
