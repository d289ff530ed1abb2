"""``/settings``: the chat's digest settings on one screen, changed with buttons.

Why buttons: ``/settime 07:30`` and ``/timezone Europe/London`` need the user to know the
syntax; most people want one of a few common choices.  The screen shows the current values
and offers presets for the digest time and time zone, the digest language and pause/resume;
each press changes one setting (through the same store setters as the commands, with the
same "group admins only" rule, checked on every press because button data can be forged) and
redraws the screen in place.  Callback data is ``st:<kind>:<value>`` (at most 13 bytes);
zones travel as an index into :data:`ZONE_PRESETS`, whose order therefore never changes
(new zones go at the end).
"""

from __future__ import annotations

import logging
from typing import Final

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MaybeInaccessibleMessage,
    Update,
)
from telegram.error import BadRequest, TelegramError

from bot.store import Chat
from bot.telegram.callbacks import CallbackData, CallbackError, encode
from bot.telegram.chats import STORE_CHAT_TYPES
from bot.telegram.digests.common import DigestContext, Request
from bot.telegram.format import format_lines
from bot.telegram.incoming import GROUP_TYPES, interface_language
from bot.telegram.ptb import Ctx
from bot.telegram.send import answer_query
from bot.telegram.subscribe import is_chat_admin

logger = logging.getLogger(__name__)

SETTINGS_ACTION: Final = "st"
TIME_PRESETS: Final = ("07:00", "08:00", "12:00", "18:00", "21:00")
ZONE_PRESETS: Final = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Europe/London",
    "America/New_York",
    "UTC",
)
LANGUAGES: Final = ("zh", "en")
CHECK_MARK: Final = "✓ "


class SettingsScreen:
    """Shows the screen (``/settings``) and applies its buttons."""

    def __init__(self, ctx: DigestContext) -> None:
        self.ctx = ctx

    async def show(self, request: Request) -> None:
        subscribed = await self.ctx.store.subscriptions(request.chat.chat_id)
        lines = self.lines(request.chat, subscribed, request.language)
        await self.ctx.send(request, lines, self.keyboard(request.chat, request.language))

    def lines(self, chat: Chat, subscribed: list[str], language: str) -> list[str]:
        t = self.ctx.t
        topics = self.ctx.topic_names(self.ctx.ordered(subscribed), language) if subscribed else ""
        return [
            t("tg_settings_title", language),
            t("tg_settings_time", language, time=chat.digest_time, zone=chat.timezone),
            t(
                "tg_settings_language",
                language,
                value=t(f"tg_settings_lang_{chat.language}", language),
            ),
            t("tg_settings_state_paused" if chat.paused else "tg_settings_state_on", language),
            t("tg_settings_topics", language, topics=topics)
            if topics
            else t("tg_settings_no_topics", language),
            t("tg_settings_hint", language),
        ]

    def keyboard(self, chat: Chat, language: str) -> InlineKeyboardMarkup:
        t = self.ctx.t

        def key(label: str, kind: str, value: str, current: bool) -> InlineKeyboardButton:
            mark = CHECK_MARK if current else ""
            return InlineKeyboardButton(
                mark + label, callback_data=encode(SETTINGS_ACTION, kind, value)
            )

        times = [
            key(hhmm, "t", hhmm.replace(":", ""), chat.digest_time == hhmm)
            for hhmm in TIME_PRESETS
        ]
        zones = [
            key(zone_label(zone), "z", str(i), chat.timezone == zone)
            for i, zone in enumerate(ZONE_PRESETS)
        ]
        languages = [
            key(t(f"tg_settings_lang_{lang}", language), "l", lang, chat.language == lang)
            for lang in LANGUAGES
        ]
        pause = (
            key(t("tg_settings_resume", language), "p", "0", False)
            if chat.paused
            else key(t("tg_settings_pause", language), "p", "1", False)
        )
        return InlineKeyboardMarkup([times, zones[:4], zones[4:], languages, [pause]])

    async def on_button(self, update: Update, context: Ctx, data: CallbackData) -> None:
        query = update.callback_query
        if query is None:
            return
        data.expect(2)
        kind, value = data.field(0), data.field(1)
        target = query.message
        if target is None or target.chat.type not in STORE_CHAT_TYPES:
            raise CallbackError("settings need a chat")
        language = interface_language(query.from_user)
        tg_chat, bot = target.chat, query.get_bot()
        if tg_chat.type in GROUP_TYPES and not await is_chat_admin(
            bot, tg_chat.id, query.from_user.id
        ):
            await answer_query(query, self.ctx.t("tg_digest_admins_only", language))
            return
        await self.ctx.record(tg_chat, language)
        chat = await self._apply(tg_chat.id, kind, value)
        await answer_query(query, self.ctx.t("tg_settings_saved", language))
        subscribed = await self.ctx.store.subscriptions(chat.chat_id)
        await _redraw(
            bot, target, self.lines(chat, subscribed, language), self.keyboard(chat, language)
        )

    async def _apply(self, chat_id: int, kind: str, value: str) -> Chat:
        store = self.ctx.store
        if kind == "t" and len(value) == 4 and f"{value[:2]}:{value[2:]}" in TIME_PRESETS:
            return await store.set_digest_time(chat_id, f"{value[:2]}:{value[2:]}")
        if kind == "z" and value.isdigit() and int(value) < len(ZONE_PRESETS):
            return await store.set_timezone(chat_id, ZONE_PRESETS[int(value)])
        if kind == "l" and value in LANGUAGES:
            return await store.set_language(chat_id, value, chosen=True)
        if kind == "p" and value in ("0", "1"):
            return await store.set_paused(chat_id, value == "1")
        raise CallbackError(f"unknown setting {kind!r}")


def zone_label(zone: str) -> str:
    """``Asia/Hong_Kong`` → ``Hong Kong``: the city is what people recognise."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


async def _redraw(
    bot: Bot, message: MaybeInaccessibleMessage, lines: list[str], keyboard: InlineKeyboardMarkup
) -> None:
    """Edit the screen in place; "not modified" (a press that changed nothing) is fine."""
    try:
        await bot.edit_message_text(
            format_lines(lines)[0], message.chat.id, message.message_id, reply_markup=keyboard
        )
    except BadRequest as exc:
        if "not modified" in str(exc).lower():
            logger.debug("settings screen already up to date")
        else:
            logger.warning("could not redraw the settings screen: %s", exc)
    except TelegramError as exc:
        logger.warning("could not redraw the settings screen: %s", exc)
