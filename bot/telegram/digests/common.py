"""What every digests command shares: the request it handles, the chat rule, the texts.

Why one module: each of the nine commands used to open with the same lines (the message, the
user's language, the chat's row, the argument) and most repeated the same "only a chat admin
may change this" check and reply.  :meth:`DigestContext.command` does the first once,
:meth:`DigestContext.allowed` the second, so a command body is only what makes it different.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from telegram import Chat as TgChat
from telegram import InlineKeyboardMarkup, Message, Update

from bot.knowledge.build import Knowledge
from bot.rules.model import Responses
from bot.service import NewsService
from bot.store import AsyncStore, Chat
from bot.telegram.digest_render import topics_keyboard
from bot.telegram.format import format_lines
from bot.telegram.incoming import GROUP_TYPES, interface_language
from bot.telegram.ptb import Ctx, HandlerFn
from bot.telegram.send import reply
from bot.telegram.subscribe import is_chat_admin

logger = logging.getLogger(__name__)

#: How much of a rejected argument a reply quotes back: enough to recognise it, too little to
#: make the bot repost a stranger's text (a 4,000-character "/timezone …" in a group).
ECHO_LIMIT: Final = 40
_MONTHS: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


@dataclass(frozen=True, slots=True)
class Request:
    """One digests command as its body sees it: the chat's row is already recorded."""

    message: Message
    chat: Chat
    language: str
    argument: str  # what follows ``/command`` (or ``/command@bot``), stripped


CommandBody = Callable[[Request], Awaitable[None]]


class DigestContext:
    """The service, the store and the helpers the digests commands and buttons share."""

    def __init__(self, service: NewsService, store: AsyncStore) -> None:
        self.service = service
        self.store = store

    @property
    def knowledge(self) -> Knowledge:
        return self.service.knowledge

    @property
    def responses(self) -> Responses:
        return self.service.knowledge.rules.responses

    def t(self, key: str, language: str, /, **values: object) -> str:
        return self.responses.text(key, language, **values)

    # --- the shared opening and the chat rule ------------------------------------------------

    def command(self, body: CommandBody) -> HandlerFn:
        """A command handler: read the update, record the chat, then run ``body``."""

        async def handler(update: Update, context: Ctx) -> None:
            message = update.effective_message
            if message is None:
                return
            language = interface_language(message.from_user)
            chat = await self.record(message.chat, language)
            await body(Request(message, chat, language, argument(message)))

        return handler

    async def allowed(self, request: Request) -> bool:
        """May this sender change the chat's digests?  If not, they are told so."""
        if await self.may_change(request.message):
            return True
        await self.say(request, "tg_digest_admins_only")
        return False

    async def may_change(self, message: Message) -> bool:
        """Private chats: yes.  Groups: chat administrators (checked now, with Telegram)."""
        chat = message.chat
        if chat.type not in GROUP_TYPES:
            return True
        if message.sender_chat is not None and message.sender_chat.id == chat.id:
            return True  # an anonymous administrator posting as the group
        user = message.from_user
        return user is not None and await is_chat_admin(message.get_bot(), chat.id, user.id)

    async def record(self, chat: TgChat, language: str) -> Chat:
        """The chat's row (created, or reactivated: it is talking to us), in step with the
        private user's language so digests follow a client switched to English (unless the
        chat picked a language on /settings)."""
        stored = await self.store.upsert_chat(chat.id, chat.type, chat.title, language)
        if chat.type == "private" and stored.language != language and not stored.language_chosen:
            stored = await self.store.set_language(chat.id, language)
        return stored

    # --- replies -----------------------------------------------------------------------------

    async def send(
        self,
        request: Request,
        lines: Sequence[str],
        keyboard: InlineKeyboardMarkup | None = None,
        *,
        bold_first: bool = False,
    ) -> None:
        await reply(request.message, format_lines(lines, bold_first=bold_first), keyboard)

    async def say(self, request: Request, key: str, /, **values: object) -> None:
        """Reply with one response text in the user's language."""
        await self.send(request, [self.t(key, request.language, **values)])

    def topic_names(self, topic_ids: Sequence[str], language: str) -> str:
        rules = self.knowledge.rules
        names = [t.name(language) if (t := rules.topic(i)) else i for i in topic_ids]
        return ("、" if language == "zh" else ", ").join(names)

    def ordered(self, topic_ids: Sequence[str]) -> list[str]:
        """Topic ids in the rules' order (the order /topics shows), unknown ones last."""
        order = {t.id: n for n, t in enumerate(self.knowledge.rules.topics)}
        return sorted(topic_ids, key=lambda t: (order.get(t, len(order)), t))

    def schedule(self, chat: Chat, language: str) -> str:
        """``每天 08:00（Asia/Shanghai）发送摘要。下一期：3月2日 08:00`` or the paused note."""
        if chat.paused:
            return self.t("tg_digest_paused_note", language)
        text = self.t("tg_digest_schedule", language, time=chat.digest_time, zone=chat.timezone)
        if chat.next_digest_at is not None:
            when = local_time(chat.next_digest_at, chat, language)
            text += " " + self.t("tg_digest_next", language, when=when)
        return text

    def keyboard(self, subscribed: Sequence[str], language: str) -> InlineKeyboardMarkup | None:
        return topics_keyboard(self.knowledge.rules.topics, subscribed, self.responses, language)


def argument(message: Message) -> str:
    """What follows ``/command`` (or ``/command@bot``), stripped."""
    parts = (message.text or "").split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def local_time(moment: datetime, chat: Chat, language: str) -> str:
    """A digest time in the chat's zone: ``3月2日 08:00`` / ``Mar 2, 08:00``."""
    local = moment.astimezone(chat.zone)
    if language == "en":
        return f"{_MONTHS[local.month - 1]} {local.day}, {local:%H:%M}"
    return f"{local.month}月{local.day}日 {local:%H:%M}"
