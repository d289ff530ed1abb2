"""Delivering formatted messages: HTML parse mode, no link previews, the right thread.

Every message goes out through :func:`send_chunks`, so every message is HTML from
:mod:`bot.telegram.format` with link previews off; a split answer carries its buttons on the
last part.  In groups a reply quotes the message it answers (and still goes out if that was
deleted); in forum topics it stays in the topic.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    MaybeInaccessibleMessage,
    Message,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, NetworkError, TelegramError, TimedOut

from bot.telegram.format import plain
from bot.telegram.incoming import GROUP_TYPES

logger = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
TOAST_LIMIT = 200  # answerCallbackQuery text
RETRY_DELAYS: tuple[float, ...] = (0.5, 2.0)  # seconds before resending after a 5xx/reset


@dataclass(frozen=True, slots=True)
class Where:
    """Where a reply goes: a chat, optionally as a reply to a message, optionally in a topic."""

    chat_id: int
    chat_type: str
    reply_to: int | None = None
    thread_id: int | None = None

    @classmethod
    def answering(cls, message: MaybeInaccessibleMessage) -> Where:
        """Reply to ``message`` (quoted in groups, where several conversations interleave)."""
        group = message.chat.type in GROUP_TYPES
        in_topic = isinstance(message, Message) and (
            message.is_topic_message or bool(message.chat.is_forum)
        )
        thread = message.message_thread_id if isinstance(message, Message) and in_topic else None
        return cls(
            message.chat.id, message.chat.type, message.message_id if group else None, thread
        )


async def send_chunks(
    bot: Bot,
    where: Where,
    chunks: Sequence[str],
    keyboard: InlineKeyboardMarkup | None = None,
) -> list[Message]:
    sent = []
    for position, chunk in enumerate(chunks):
        reply = where.reply_to if position == 0 else None
        message = await send_html(
            bot,
            where,
            chunk,
            keyboard=keyboard if position == len(chunks) - 1 else None,
            reply_to=reply,
        )
        sent.append(message)
        where = replace(where, chat_id=message.chat_id)  # after a migration
    return sent


async def send_html(
    bot: Bot,
    where: Where,
    html: str,
    *,
    keyboard: InlineKeyboardMarkup | None = None,
    reply_to: int | None = None,
) -> Message:
    """One HTML message, retried where a retry cannot duplicate it.

    429s are the rate limiter's (it waits and retries).  Server errors and dropped connections
    are retried after :data:`RETRY_DELAYS`; a timeout is not (Telegram may have delivered the
    message), nor a 400 (the same request gets the same refusal).  A group that became a
    supergroup is written to at its new id.
    """
    chat_id = where.chat_id
    delays = iter(RETRY_DELAYS)
    migrated = False
    while True:
        try:
            return await bot.send_message(
                chat_id,
                html,
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
                reply_markup=keyboard,
                reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True)
                if reply_to is not None
                else None,
                message_thread_id=where.thread_id,
            )
        except ChatMigrated as exc:
            if migrated:
                raise
            migrated = True
            logger.info("chat %d is now %d; sending there", chat_id, exc.new_chat_id)
            chat_id = int(exc.new_chat_id)
        except (TimedOut, BadRequest):  # BadRequest subclasses NetworkError; resending won't help
            raise
        except NetworkError as exc:
            delay = next(delays, None)
            if delay is None:
                raise
            logger.warning(
                "sendMessage to chat %d failed (%s); retrying in %.1fs", chat_id, exc, delay
            )
            await asyncio.sleep(delay)


async def reply(
    message: Message, chunks: Sequence[str], keyboard: InlineKeyboardMarkup | None = None
) -> list[Message]:
    return await send_chunks(message.get_bot(), Where.answering(message), chunks, keyboard)


async def answer_query(
    query: CallbackQuery, text: str | None = None, *, alert: bool = False
) -> None:
    """Answer a callback query (always, so the button stops spinning); never raises for a
    query Telegram already forgot."""
    try:
        await query.answer(plain(text, TOAST_LIMIT) if text else None, show_alert=alert)
    except BadRequest as exc:
        logger.debug("callback query not answered: %s", exc)
    except TelegramError as exc:
        logger.warning("callback query not answered: %s", exc)
