"""Bookkeeping in the store: which chats talk to the bot, their questions, blocks, migrations.

Why here: the digests and admin features read these tables (who to send digests to, which
questions went unanswered), and only the Telegram front end sees the events.  All of it is
best effort — a store problem is logged and never stops an answer.  Nothing is done when the
application was built without a store.
"""

from __future__ import annotations

import logging
import secrets

from telegram import Chat, ChatMember, ChatMemberAdministrator, ChatMemberOwner, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot.answer.model import Answer
from bot.store import StoreError
from bot.telegram.deps import BotDeps
from bot.telegram.format import format_text, plain
from bot.telegram.incoming import interface_language
from bot.telegram.ptb import Ctx

logger = logging.getLogger(__name__)

GONE = (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT)
TITLE_LIMIT = 40  # characters of a channel title quoted in a notice


def _may_post(member: ChatMember) -> bool:
    """In a channel the bot needs to be an administrator allowed to post."""
    if isinstance(member, ChatMemberOwner):
        return True
    return isinstance(member, ChatMemberAdministrator) and bool(member.can_post_messages)


STORE_CHAT_TYPES = ("private", "group", "supergroup", "channel")


async def remember_chat(deps: BotDeps, chat: Chat, language: str) -> None:
    """Record a chat the first time this process hears from it (new chats get the language of
    the user who wrote first)."""
    if deps.store is None or chat.id in deps.known_chats or chat.type not in STORE_CHAT_TYPES:
        return
    try:
        await deps.store.upsert_chat(chat.id, chat.type, chat.title, language)
        deps.known_chats.add(chat.id)
    except StoreError as exc:
        logger.warning("could not record chat %d: %s", chat.id, exc)


def question_token(deps: BotDeps, answer: Answer) -> str | None:
    """The token a logged question's 👍/👎 buttons carry, or None when it will not be logged
    (no store, an empty message).  Random, so it is known before the row is written."""
    if deps.store is None or answer.intent == "empty":
        return None
    return secrets.token_hex(5)


async def record_question(
    deps: BotDeps, chat_id: int, answer: Answer, latency_ms: float, token: str | None = None
) -> None:
    """Log the question for /stats and /unanswered (the store keeps the text of unanswered
    questions only)."""
    if deps.store is None or answer.intent == "empty":
        return
    try:
        await deps.store.record_question(
            chat_id,
            answer.question,
            answer.answered,
            answer.intent,
            answer.confidence,
            latency_ms,
            token,
        )
    except StoreError as exc:
        logger.warning("could not record a question of chat %d: %s", chat_id, exc)


async def mark_gone(deps: BotDeps, chat_id: int) -> None:
    """The chat blocked the bot or removed it: stop scheduling it (subscriptions are kept)."""
    deps.known_chats.discard(chat_id)
    if deps.store is None:
        return
    try:
        await deps.store.mark_inactive(chat_id)
    except StoreError as exc:
        logger.warning("could not mark chat %d inactive: %s", chat_id, exc)


class ChatEvents:
    """Handlers for membership changes and group→supergroup migrations."""

    def __init__(self, deps: BotDeps) -> None:
        self.deps = deps

    async def on_my_chat_member(self, update: Update, context: Ctx) -> None:
        change = update.my_chat_member
        if change is None:
            return
        chat = change.chat
        if change.new_chat_member.status in GONE:
            logger.info("bot removed from or blocked in %s chat %d", chat.type, chat.id)
            await mark_gone(self.deps, chat.id)
            if chat.type == ChatType.CHANNEL:
                await self._tell_owner(context, chat)
        elif chat.type == ChatType.CHANNEL and not _may_post(change.new_chat_member):
            logger.info("bot may no longer post in channel %d", chat.id)
            await mark_gone(self.deps, chat.id)
            await self._tell_owner(context, chat)
        else:
            self.deps.known_chats.discard(chat.id)  # re-activate on the next upsert
            await remember_chat(self.deps, chat, interface_language(change.from_user))

    async def _tell_owner(self, context: Ctx, chat: Chat) -> None:
        """The channel's digests stopped: tell the administrator who linked it, once."""
        store = self.deps.store
        if store is None:
            return
        try:
            owner = await store.channel_owner(chat.id)
            if owner is None:
                return
            known = await store.get_chat(owner)
            await store.unlink_channel(chat.id)
        except StoreError as exc:
            logger.warning("could not look up who linked channel %d: %s", chat.id, exc)
            return
        language = known.language if known is not None else "zh"
        title = plain(chat.title or str(chat.id), TITLE_LIMIT)
        text = self.deps.text("tg_channel_rights_lost", language, title=title)
        try:
            await context.bot.send_message(owner, format_text(text)[0])
        except TelegramError as exc:
            logger.warning("could not tell the owner of channel %d: %s", chat.id, exc)

    async def on_migrate(self, update: Update, context: Ctx) -> None:
        message = update.effective_message
        if message is None or message.migrate_to_chat_id is None or self.deps.store is None:
            return
        old, new = message.chat_id, message.migrate_to_chat_id
        logger.info("group %d migrated to supergroup %d", old, new)
        try:
            await self.deps.store.migrate_chat(old, new)
            self.deps.known_chats.discard(old)
        except StoreError as exc:
            logger.warning("could not migrate chat %d: %s", old, exc)
