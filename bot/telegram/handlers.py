"""Message and command handlers.  Thin: read the update, call the core, render, send.

Answering runs the core directly on the event loop: it is CPU-only and takes about a
millisecond, far less than handing it to a thread would cost.  Store writes (chat records,
question log) go through ``AsyncStore``'s worker thread after the reply is sent; the 👍/👎
buttons carry a random token the question is logged with, so the reply does not wait for
the database (waiting cost 60 % of end-to-end throughput in the quick benchmark).
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections.abc import Sequence

from telegram import Bot, Message, Update, User

from bot.answer.model import Answer
from bot.content.numbers import parse_number
from bot.service import Snapshot
from bot.telegram.chats import question_token, record_question, remember_chat
from bot.telegram.deps import BotDeps
from bot.telegram.features import CommandSpec, Feature, StartPayloadFn
from bot.telegram.format import block, format_answer, format_lines, format_text, render
from bot.telegram.incoming import (
    command_for_us,
    conversation_key,
    interface_language,
    is_group,
    strip_bot_mentions,
)
from bot.telegram.keyboards import (
    answer_keyboard,
    articles_keyboard,
    examples_keyboard,
    topics_keyboard,
)
from bot.telegram.menus import help_sections
from bot.telegram.ptb import Ctx
from bot.telegram.send import Where, reply, send_chunks

logger = logging.getLogger(__name__)
_PAGE_NUMBER_RE = re.compile(r"[0-9]{1,6}|[一二两三四五六七八九十百千]{1,6}")


class Questions:
    """A question from any source (text, /ask, a mention, a button) → the answer message."""

    def __init__(self, deps: BotDeps) -> None:
        self.deps = deps

    async def answer(self, message: Message, text: str) -> None:
        """Answer a user's message, in its chat, with follow-up context."""
        user = message.from_user
        key = conversation_key(message.chat_id, message.chat.type, user)
        await self.answer_in(message.get_bot(), Where.answering(message), key, user, text)
        await remember_chat(self.deps, message.chat, interface_language(user))

    async def answer_in(
        self,
        bot: Bot,
        where: Where,
        key: object,
        user: User | None,
        text: str,
        *,
        asked: str | None = None,
    ) -> Answer:
        """Answer ``text`` at ``where``; ``asked`` echoes a question a button asked."""
        deps = self.deps
        language = interface_language(user)
        snapshot = deps.service.snapshot
        limit = snapshot.knowledge.rules.thresholds.max_question_chars
        note = None
        if len(text) > limit:  # read no further than the core would; say so
            text = text[:limit]
            note = deps.text("too_long", language, limit=limit)
        started = time.perf_counter()
        answer = deps.service.ask(text, key, language)
        latency_ms = (time.perf_counter() - started) * 1000
        token = question_token(deps, answer)
        if token is not None and answer.answered:
            deps.recent.remember(token, where.chat_id, answer.question)
        keyboard = answer_keyboard(
            answer, snapshot, language, can_subscribe=deps.subscribe is not None, token=token
        )
        chunks = format_answer(
            answer,
            snapshot.knowledge.rules.responses,
            language,
            asked=asked,
            note=note,
            # a decline's suggestions are its buttons; listing them again is noise
            list_suggestions=answer.answered or keyboard is None,
        )
        await send_chunks(bot, where, chunks, keyboard)
        await record_question(deps, where.chat_id, answer, latency_ms, token)
        logger.info(
            "chat %d: %s answered=%s confidence=%.2f (%d chars, %.1f ms)",
            where.chat_id,
            answer.intent,
            answer.answered,
            answer.confidence,
            len(text),
            latency_ms,
        )
        return answer


class Commands:
    """/start /help /articles /topics /ask, unknown commands, plain text and non-text."""

    def __init__(self, deps: BotDeps, questions: Questions) -> None:
        self.deps = deps
        self.questions = questions
        #: every feature's commands, for /help (set by ``app`` once all features are known)
        self.features: tuple[Feature, ...] = ()
        #: what ``/start <payload>`` does for payloads other than the plain start
        self.start_payloads: list[StartPayloadFn] = []

    def feature(self) -> Feature:
        """The built-in commands, described like any other feature's."""
        return Feature(
            name="core",
            commands=(
                CommandSpec("start", self.start, "tg_cmd_start"),
                CommandSpec("help", self.help, "tg_cmd_help"),
                CommandSpec("ask", self.ask, "tg_cmd_ask"),
                CommandSpec("articles", self.articles, "tg_cmd_articles"),
                CommandSpec("topics", self.topics, "tg_cmd_topics", section="subscriptions"),
            ),
        )

    async def start(self, update: Update, context: Ctx) -> None:
        """One line of what the bot does, a hint, three example buttons.  A deep-link payload
        (``t.me/bot?start=sub_urban``) goes to the feature that knows it first; an unknown or
        refused payload falls back to this plain start."""
        message = update.effective_message
        if message is None:
            return
        payload = (context.args or [""])[0] if context.args else ""
        for handle in self.start_payloads:
            if payload and await handle(update, context, payload):
                return
        user = message.from_user
        language = interface_language(user)
        snapshot = self.deps.service.snapshot
        self.deps.service.reset(conversation_key(message.chat_id, message.chat.type, user))
        lines = [
            self.deps.text(
                "tg_welcome",
                language,
                name=user.first_name if user else "",
                count=len(snapshot.knowledge.articles),
            )
        ]
        if is_group(message):
            lines.append(self.deps.text("tg_group_hint", language, bot=message.get_bot().username))
        lines.append(self.deps.text("tg_try_these", language))
        examples = self.deps.examples.questions(self.deps.service)
        await reply(message, format_lines(lines), examples_keyboard(examples))
        await remember_chat(self.deps, message.chat, language)

    async def help(self, update: Update, context: Ctx) -> None:
        """How to ask, then every command by section (admin commands for admins only)."""
        message = update.effective_message
        if message is None:
            return
        language = interface_language(message.from_user)
        user = message.from_user
        admin = user is not None and user.id in self.deps.settings.admins
        blocks = [block(line) for line in self.deps.text("help", language).split("\n")]
        for title, lines in help_sections(self.deps, self.features, language, admin=admin):
            blocks += [block(""), block(title, bold=True), *(block(line) for line in lines)]
        await reply(message, render(blocks))

    async def ask(self, update: Update, context: Ctx) -> None:
        message = update.effective_message
        if message is None or message.text is None:
            return
        parts = message.text.split(maxsplit=1)
        question = parts[1].strip() if len(parts) > 1 else ""
        if not question:
            language = interface_language(message.from_user)
            await reply(message, format_text(self.deps.text("tg_ask_usage", language)))
            return
        await self.questions.answer(message, question)

    async def articles(self, update: Update, context: Ctx) -> None:
        message = update.effective_message
        if message is None:
            return
        language = interface_language(message.from_user)
        snapshot = self.deps.service.snapshot
        page = list_page(context.args)  # /articles 2: the next page of an archive
        answer = snapshot.answerer.meta.article_list(
            "/articles", "list_articles", language, page=page
        )
        await self._send_meta(message, snapshot, answer, language)

    async def topics(self, update: Update, context: Ctx) -> None:
        message = update.effective_message
        if message is None:
            return
        language = interface_language(message.from_user)
        snapshot = self.deps.service.snapshot
        answer = snapshot.answerer.meta.topic_list("/topics", "list_topics", language)
        await self._send_meta(message, snapshot, answer, language)

    async def _send_meta(
        self, message: Message, snapshot: Snapshot, answer: Answer, language: str
    ) -> None:
        chunks = format_answer(answer, snapshot.knowledge.rules.responses, language)
        if answer.intent == "list_articles":
            keyboard = articles_keyboard(answer, snapshot.knowledge.rules.responses, language)
        elif self.deps.subscribe is not None:
            keyboard = topics_keyboard(snapshot, language)
        else:
            keyboard = None
        await reply(message, chunks, keyboard)

    async def unknown_command(self, update: Update, context: Ctx) -> None:
        message = update.effective_message
        if message is None or not command_for_us(message, message.get_bot().username):
            return
        language = interface_language(message.from_user)
        await reply(message, format_text(self.deps.text("tg_unknown_command", language)))

    async def private_text(self, update: Update, context: Ctx) -> None:
        message = update.effective_message
        if message is None or message.text is None:
            return
        await self.questions.answer(message, message.text)

    async def group_text(self, update: Update, context: Ctx) -> None:
        """A group message that mentions the bot or replies to it (see AddressedToBot)."""
        message = update.effective_message
        if message is None or message.text is None:
            return
        bot = message.get_bot()
        await self.questions.answer(message, strip_bot_mentions(message, bot.username, bot.id))

    async def non_text(self, update: Update, context: Ctx) -> None:
        """Stickers, photos, voice, locations…: a one-line hint."""
        message = update.effective_message
        if message is None:
            return
        language = interface_language(message.from_user)
        await reply(message, format_text(self.deps.text("tg_non_text", language)))


def list_page(args: Sequence[str] | None) -> int:
    """The page ``/articles N`` asks for: 1 unless N is a whole number (２, 第2页, 第二页)."""
    if not args:
        return 1
    found = _PAGE_NUMBER_RE.search(unicodedata.normalize("NFKC", args[0]))
    number = parse_number(found.group()) if found else None
    return int(number) if number is not None and 1 <= number < 1_000_000 else 1
