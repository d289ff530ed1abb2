"""Inline mode: ``@bot 问题`` in any chat offers up to five formatted answers; an empty query
offers the articles.

The first result is the answer to the query itself; the rest answer the related questions
the core suggests, so a reader can pick the one they meant.  Inline messages have no buttons:
a button on an inline message has no chat to post a follow-up in.  No conversation context is
used (inline queries are not part of a chat).  The answers come from the same
:class:`~bot.service.NewsService` as every other front end (``top_answers``).

Telegram sends a query at every typing pause, often the same text again.  Answers are kept
per (text, language) for ``BotOptions.inline_ttl`` seconds; a query answered from there does
not count against the user's inline budget, so pauses do not eat it (only fresh answers, which
cost work, are flood-guarded).
"""

from __future__ import annotations

import logging
from collections import OrderedDict

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.answer.model import Answer
from bot.rules.model import Responses
from bot.telegram.callbacks import text_check
from bot.telegram.deps import BotDeps
from bot.telegram.flood import Kind
from bot.telegram.format import format_answer, plain
from bot.telegram.guards import flood_guarded
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


Results = list[InlineQueryResultArticle]


class InlineAnswers:
    def __init__(self, deps: BotDeps) -> None:
        self.deps = deps
        self._fresh = flood_guarded(deps, self._answer_fresh, Kind.INLINE)
        self._cache: OrderedDict[tuple[str, str, str], tuple[float, Results]] = OrderedDict()
        self.cache_hits = 0

    async def on_inline(self, update: Update, context: Ctx) -> None:
        """A cached answer at once (free), else a fresh one within the inline budget."""
        query = update.inline_query
        if query is None:
            return
        key = self._key(query.query.strip(), interface_language(query.from_user))
        found = self._cache.get(key)
        if found is not None and found[0] > self.deps.options.clock():
            self._cache.move_to_end(key)
            self.cache_hits += 1
            await self._send(update, key[1], found[1])
            return
        await self._fresh(update, context)

    def _key(self, text: str, language: str) -> tuple[str, str, str]:
        return (self.deps.knowledge.version, text, language)

    async def _answer_fresh(self, update: Update, context: Ctx) -> None:
        query = update.inline_query
        if query is None:
            return
        language = interface_language(query.from_user)
        text = query.query.strip()
        key = self._key(text, language)
        results = self.answers(text, language) if text else self.articles(language)
        options = self.deps.options
        if options.inline_ttl > 0:
            self._cache[key] = (options.clock() + options.inline_ttl, results)
            self._cache.move_to_end(key)
            while len(self._cache) > options.inline_cache_size:
                self._cache.popitem(last=False)
        await self._send(update, text, results)

    async def _send(self, update: Update, text: str, results: Results) -> None:
        query = update.inline_query
        if query is None:
            return
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
        service = self.deps.service
        responses = service.knowledge.rules.responses
        found = service.top_answers(text, self.deps.options.inline_results, language)
        out = []
        for position, (asked, answer) in enumerate(found):
            title = answer.summary if position == 0 else asked
            description = answer.quote or (answer.summary if title != answer.summary else None)
            result_id = f"{position}-{text_check(title)}"
            out.append(result(result_id, title, description, answer, responses, language))
        return out

    def articles(self, language: str) -> list[InlineQueryResultArticle]:
        service = self.deps.service
        knowledge = service.knowledge
        responses = knowledge.rules.responses
        out = []
        for index, article in enumerate(knowledge.articles[:MAX_RESULTS]):
            out.append(
                result(
                    f"a{index}-{text_check(article.id)}",
                    article.title,
                    article.summary,
                    service.article_summary(article, language),
                    responses,
                    language,
                )
            )
        return out
