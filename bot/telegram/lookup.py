"""Between answers and button data: which refs an answer's buttons carry, and what a pressed
button's ref means in the *current* knowledge.

Why separate: refs must survive restarts and reloads, so they are resolved afresh against
whatever snapshot is serving when the button is pressed.  A ref whose check no longer matches
(the paragraph or question changed) resolves to None and the user is told the button is stale;
nothing here trusts the data it is given.  No ``telegram`` import: this is plain lookups.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.answer.engine import Answerer
from bot.answer.model import Answer
from bot.content.model import Article, Paragraph
from bot.knowledge.build import Knowledge
from bot.telegram.callbacks import (
    NO_CHECK,
    ParagraphRef,
    RelatedRef,
    SuggestionRef,
    text_check,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ParagraphView:
    title: str
    section: str | None
    text: str
    highlight: tuple[int, int] | None


# --- paragraph ------------------------------------------------------------------------------


def paragraph_ref(answer: Answer, knowledge: Knowledge) -> ParagraphRef | None:
    """The 原文段落 ref of an answer with a source, pointing at the quote inside it."""
    source = answer.source
    if source is None:
        return None
    paragraph = _paragraph(
        knowledge.article(source.article_id), source.section_index, source.paragraph_index
    )
    if paragraph is None:
        return None
    start, length = 0, 0
    # a quote of several lines (headline, then lead) is highlighted by the line that is in
    # the paragraph
    for part in (answer.quote, *answer.quote.split("\n")[::-1]) if answer.quote else ():
        found = paragraph.text.find(part) if part else -1
        if found >= 0:
            start, length = found, len(part)
            break
    return ParagraphRef(
        source.article_id,
        source.section_index,
        source.paragraph_index,
        start,
        length,
        text_check(paragraph.text),
    )


def resolve_paragraph(ref: ParagraphRef, knowledge: Knowledge) -> ParagraphView | None:
    article = knowledge.article(ref.article_id)
    paragraph = _paragraph(article, ref.section, ref.paragraph)
    if article is None or paragraph is None or text_check(paragraph.text) != ref.check:
        return None
    end = ref.start + ref.length
    highlight = (ref.start, end) if ref.length and end <= len(paragraph.text) else None
    return ParagraphView(
        article.title, article.sections[ref.section].heading, paragraph.text, highlight
    )


def _paragraph(article: Article | None, section: int, paragraph: int) -> Paragraph | None:
    if article is None or not 0 <= section < len(article.sections):
        return None
    paragraphs = article.sections[section].paragraphs
    return paragraphs[paragraph] if 0 <= paragraph < len(paragraphs) else None


# --- suggestions ----------------------------------------------------------------------------


def related_ref(answer: Answer) -> RelatedRef | None:
    """The 相关问题 ref of an answered question whose section has suggestions."""
    if answer.source is None or not answer.answered or not answer.suggestions:
        return None
    exclude = text_check(answer.question) if answer.question else NO_CHECK
    return RelatedRef(answer.source.article_id, answer.source.section_index, exclude)


def related(ref: RelatedRef, answerer: Answerer) -> list[tuple[str, SuggestionRef]]:
    """The section's suggestions as (question, ref), without the question already asked."""
    return [
        (question, SuggestionRef(ref.article_id, ref.section, index, check))
        for index, question in enumerate(
            _section_suggestions(answerer, ref.article_id, ref.section)
        )
        if (check := text_check(question)) != ref.exclude
    ]


def suggestion_refs(
    questions: Sequence[str], answerer: Answerer, near: Iterable[tuple[str, int]] = ()
) -> list[tuple[str, SuggestionRef]]:
    """Refs for suggestion texts (a decline's, /start's examples), found in the sections'
    verified suggestion lists; sections in ``near`` are searched first.  Texts that are in no
    list (so no ref could find them again) are left out."""
    wanted = {q: None for q in questions if q}
    found: dict[str, SuggestionRef] = {}
    for article_id, section in _search_order(answerer.knowledge, near):
        for index, question in enumerate(_section_suggestions(answerer, article_id, section)):
            if question in wanted and question not in found:
                found[question] = SuggestionRef(article_id, section, index, text_check(question))
        if len(found) == len(wanted):
            break
    return [(q, found[q]) for q in wanted if q in found]


def resolve_suggestion(ref: SuggestionRef, answerer: Answerer) -> str | None:
    """The question a suggestion button asks, if the section still offers it."""
    questions = _section_suggestions(answerer, ref.article_id, ref.section)
    if 0 <= ref.index < len(questions) and text_check(questions[ref.index]) == ref.check:
        return questions[ref.index]
    # The list changed (reload): the same question may sit at another index.
    return next((q for q in questions if text_check(q) == ref.check), None)


def _section_suggestions(answerer: Answerer, article_id: str, section: int) -> tuple[str, ...]:
    article = answerer.knowledge.article(article_id)
    if article is None or not 0 <= section < len(article.sections):
        return ()
    return answerer.suggestions_for(article_id, section)


def _search_order(knowledge: Knowledge, near: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    order = list(near)
    order += [(a.id, 0) for a in knowledge.heads]
    order += [(a.id, i) for a in knowledge.heads for i in range(1, a.sections)]
    return list(dict.fromkeys(order))


# --- articles -------------------------------------------------------------------------------


def summary_question(article: Article, knowledge: Knowledge) -> str:
    """The question whose answer is an article's summary (asked through the service so the
    conversation remembers which article the reader is on)."""
    return knowledge.rules.responses.text("suggest_article", "zh", title=article.title)
