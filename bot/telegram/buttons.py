"""Callback queries: decode the button's data, act, and always answer the query.

Built-in actions (see :mod:`bot.telegram.callbacks`): 原文段落 (p), 相关问题 (r), a suggested
question (q), 订阅「topic」 (t), an article summary (a), 👍/👎 (f), a /start example (x).
Other actions are dispatched to the features that registered them.  Data that does not
decode, or no longer matches the content (a reload changed it), gets a short "this button has
expired" toast instead of an error.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace

from telegram import CallbackQuery, Message, Update

from bot.answer.model import Answer
from bot.telegram.callbacks import (
    ACTION_RE,
    BUILTIN_ACTIONS,
    ArticleRef,
    BuiltinRef,
    CallbackError,
    ExampleRef,
    FeedbackRef,
    ListPageRef,
    ParagraphRef,
    RelatedRef,
    SuggestionRef,
    TopicRef,
    decode,
    parse_builtin,
    text_check,
)
from bot.telegram.deps import BotDeps
from bot.telegram.features import ButtonFn
from bot.telegram.feedback import on_feedback
from bot.telegram.format import format_answer, format_paragraph, format_text
from bot.telegram.handlers import Questions
from bot.telegram.incoming import conversation_key, interface_language
from bot.telegram.keyboards import answer_keyboard, articles_keyboard, suggestions_keyboard
from bot.telegram.lookup import (
    related,
    resolve_paragraph,
    resolve_suggestion,
    summary_question,
)
from bot.telegram.ptb import Ctx
from bot.telegram.send import Where, answer_query, send_chunks
from bot.telegram.subscribe import SubscribeRequest

logger = logging.getLogger(__name__)


class Buttons:
    def __init__(self, deps: BotDeps, questions: Questions, extra: Mapping[str, ButtonFn]) -> None:
        clash = set(extra) & set(BUILTIN_ACTIONS)
        if clash:
            raise ValueError(f"callback actions already taken: {sorted(clash)}")
        invalid = [action for action in extra if not ACTION_RE.fullmatch(action)]
        if invalid:
            raise ValueError(f"invalid callback actions: {invalid}")
        self.deps = deps
        self.questions = questions
        self.extra = dict(extra)

    async def on_callback(self, update: Update, context: Ctx) -> None:
        query = update.callback_query
        if query is None:
            return
        language = interface_language(query.from_user)
        try:
            data = decode(query.data)
            handler = self.extra.get(data.action)
            if handler is not None:
                await handler(update, context, data)
                return
            ref = parse_builtin(data)
            if query.message is None:  # a button on an inline-mode message: nowhere to post
                raise CallbackError("no message to answer below")
            await self._builtin(query, ref, language)
        except CallbackError as exc:
            logger.info("stale or invalid button from user %d", query.from_user.id)
            logger.debug("button data refused: %s", exc)
            await answer_query(query, self.deps.text("tg_button_expired", language))

    async def _builtin(self, query: CallbackQuery, ref: BuiltinRef, language: str) -> None:
        if isinstance(ref, ParagraphRef):
            await self._paragraph(query, ref, language)
        elif isinstance(ref, RelatedRef):
            await self._related(query, ref, language)
        elif isinstance(ref, SuggestionRef):
            question = resolve_suggestion(ref, self.deps.answerer)
            if question is None:
                raise CallbackError("suggestion no longer offered")
            await answer_query(query)
            await self._ask(query, question)
        elif isinstance(ref, TopicRef):
            await self._subscribe(query, ref, language)
        elif isinstance(ref, FeedbackRef):
            await on_feedback(self.deps, query, ref, language)
        elif isinstance(ref, ExampleRef):
            examples = self.deps.examples.questions(self.deps.service)
            if ref.index >= len(examples) or text_check(examples[ref.index]) != ref.check:
                raise CallbackError("example no longer offered")
            await answer_query(query)
            await self._ask(query, examples[ref.index])
        elif isinstance(ref, ListPageRef):
            await self._list_page(query, ref, language)
        else:
            await self._article(query, ref, language)

    def _where(self, query: CallbackQuery) -> Where:
        assert query.message is not None
        return Where.answering(query.message)

    async def _paragraph(self, query: CallbackQuery, ref: ParagraphRef, language: str) -> None:
        view = resolve_paragraph(ref, self.deps.knowledge)
        if view is None:
            raise CallbackError("paragraph changed")
        chunks = format_paragraph(
            self.deps.responses, language, view.title, view.section, view.text, view.highlight
        )
        await answer_query(query)
        await send_chunks(query.get_bot(), self._where(query), chunks)

    async def _related(self, query: CallbackQuery, ref: RelatedRef, language: str) -> None:
        pairs = related(ref, self.deps.answerer)
        if not pairs:
            await answer_query(query, self.deps.text("tg_no_related", language))
            return
        await answer_query(query)
        chunks = format_text(self.deps.text("tg_related_header", language))
        await send_chunks(query.get_bot(), self._where(query), chunks, suggestions_keyboard(pairs))

    async def _ask(self, query: CallbackQuery, question: str) -> Answer:
        assert query.message is not None
        chat = query.message.chat
        key = conversation_key(chat.id, chat.type, query.from_user)
        return await self.questions.answer_in(
            query.get_bot(), self._where(query), key, query.from_user, question, asked=question
        )

    async def _subscribe(self, query: CallbackQuery, ref: TopicRef, language: str) -> None:
        topic = self.deps.knowledge.rules.topic(ref.topic_id)
        hook = self.deps.subscribe
        if topic is None or hook is None or query.message is None:
            raise CallbackError("unknown topic")
        chat = query.message.chat
        title = chat.title if isinstance(query.message, Message) else None
        request = SubscribeRequest(chat.id, chat.type, title, query.from_user.id, topic, language)
        result = await hook(request, query.get_bot(), self.deps.responses)
        await answer_query(query, result.text)
        if result.announce:
            await send_chunks(
                query.get_bot(),
                replace(self._where(query), reply_to=None),
                format_text(result.text),
            )

    async def _list_page(self, query: CallbackQuery, ref: ListPageRef, language: str) -> None:
        """◂ 较新 / 更早 ▸ under /articles: that page of the list, as a new message."""
        snapshot = self.deps.service.snapshot
        answer = snapshot.answerer.meta.article_list(
            "/articles", "list_articles", language, page=ref.page
        )
        await answer_query(query)
        responses = snapshot.knowledge.rules.responses
        chunks = format_answer(answer, responses, language)
        keyboard = articles_keyboard(answer, responses, language)
        await send_chunks(query.get_bot(), self._where(query), chunks, keyboard)

    async def _article(self, query: CallbackQuery, ref: ArticleRef, language: str) -> None:
        snapshot = self.deps.service.snapshot
        article = snapshot.knowledge.article(ref.article_id)
        if article is None or query.message is None:
            raise CallbackError("article gone")
        await answer_query(query)
        chat = query.message.chat
        key = conversation_key(chat.id, chat.type, query.from_user)
        # Asked through the service, so follow-ups ("投资了多少？") refer to this article.
        answer = self.deps.service.ask(
            summary_question(article, snapshot.knowledge), key, language
        )
        if answer.source is None or answer.source.article_id != article.id:
            answer = snapshot.answerer.meta.article_summary(
                article.title, "summarize_article", article, language
            )
        chunks = format_answer(answer, snapshot.knowledge.rules.responses, language)
        keyboard = answer_keyboard(
            answer, snapshot, language, can_subscribe=self.deps.subscribe is not None
        )
        await send_chunks(query.get_bot(), self._where(query), chunks, keyboard)
