"""Inline mode: ``@bot 问题`` in any chat offers up to five formatted answers; an empty query
offers the articles.

The first result is the answer to the query itself; the rest answer the related questions
the core suggests, so a reader can pick the one they meant.  Inline messages have no buttons:
a button on an inline message has no chat to post a follow-up in.  No conversation context is
used (inline queries are not part of a chat).
"""

from __future__ import annotations

import logging

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.answer.model import Answer
from bot.rules.model import Responses
from bot.telegram.callbacks import text_check
from bot.telegram.deps import BotDeps
from bot.telegram.format import format_answer, plain
from bot.telegram.incoming import interface_language
from bot.telegram.ptb import Ctx
from bot.telegram.send import NO_PREVIEW

logger = logging.getLogger(__name__)

TITLE_LIMIT = 64
DESCRIPTION_LIMIT = 120
MAX_RESULTS = 50  # Telegram's limit per answerInlineQuery


def result(
    result_id: str,
    title: str,
    description: str | None,
    answer: Answer,
    responses: Responses,
    language: str,
) -> InlineQueryResultArticle:
    """One result whose message is the formatted answer (its first part, if it is long)."""
    html = format_answer(answer, responses, language)[0]
    return InlineQueryResultArticle(
        id=result_id,
        title=plain(title, TITLE_LIMIT) or "…",
        description=plain(description, DESCRIPTION_LIMIT) if description else None,
        input_message_content=InputTextMessageContent(
            html, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
        ),
    )


class InlineAnswers:
    def __init__(self, deps: BotDeps) -> None:
        self.deps = deps

    async def on_inline(self, update: Update, context: Ctx) -> None:
        query = update.inline_query
        if query is None:
            return
        language = interface_language(query.from_user)
        text = query.query.strip()
        results = self.answers(text, language) if text else self.articles(language)
        try:
            await query.answer(
                results,
                cache_time=self.deps.options.inline_cache_seconds,
                is_personal=True,  # results depend on the user's interface language
            )
        except BadRequest as exc:  # the user typed on; Telegram forgot this query
            logger.debug("inline query not answered: %s", exc)
        logger.info("inline query (%d chars): %d results", len(text), len(results))

    def answers(self, text: str, language: str) -> list[InlineQueryResultArticle]:
        snapshot = self.deps.service.snapshot
        responses = snapshot.knowledge.rules.responses
        limit = snapshot.knowledge.rules.thresholds.max_question_chars
        answerer = snapshot.answerer
        with snapshot.knowledge.bound():  # this snapshot's words, even during a reload
            first = answerer.answer(text[:limit], None, language)
            found: list[tuple[str, Answer]] = [(first.summary, first)]
            for question in first.suggestions:
                if len(found) >= self.deps.options.inline_results:
                    break
                answer = answerer.answer(question, None, language)
                if answer.answered:
                    found.append((question, answer))
        out = []
        for position, (title, answer) in enumerate(found):
            description = answer.quote or (answer.summary if title != answer.summary else None)
            result_id = f"{position}-{text_check(title)}"
            out.append(result(result_id, title, description, answer, responses, language))
        return out

    def articles(self, language: str) -> list[InlineQueryResultArticle]:
        snapshot = self.deps.service.snapshot
        responses = snapshot.knowledge.rules.responses
        out = []
        for index, article in enumerate(snapshot.knowledge.articles[:MAX_RESULTS]):
            answer = snapshot.answerer.meta.article_summary(
                article.title, "summarize_article", article, language
            )
            out.append(
                result(
                    f"a{index}-{text_check(article.id)}",
                    article.title,
                    article.summary,
                    answer,
                    responses,
                    language,
                )
            )
        return out
