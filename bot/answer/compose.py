"""Stage 10 — compose the reply: a one-line summary and a verbatim quote.

The summary is a direct answer built from the fact and the words around it
(``4.56亿元 — 2023年艾华集团投资布局“薄膜电容器及新材料项目”``), not a copy of the quote; the
quote is always a contiguous substring of the cleaned article text, at most ~200 characters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.answer.clauses import MAX_CONTEXT_CHARS, balanced, clauses, context_clause
from bot.answer.types import owner_of
from bot.answer.types.base import SummaryInput
from bot.content.model import Fact, Paragraph
from bot.knowledge.build import Knowledge
from bot.text.wellformed import without_dangling_end

__all__ = [
    "MAX_CONTEXT_CHARS",
    "MAX_QUOTE_CHARS",
    "context_clause",
    "extend_with_cue",
    "quote_for",
    "summary_for",
]

MAX_QUOTE_CHARS = 200
MAX_SUMMARY_CHARS = 90


def summary_for(
    text: str,
    fact: Fact | None,
    knowledge: Knowledge | None = None,
    words: Sequence[str] = (),
) -> str:
    """A one-line direct answer; ``words`` are the question's content words.  The type that
    owns the fact's kind may write the whole line (a person: name — organisation role) or
    how the fact opens it (a date: resolved); else the fact, then the clauses around it."""
    return without_dangling_end(balanced(_summary(text, fact, knowledge, words)))


def _summary(
    text: str, fact: Fact | None, knowledge: Knowledge | None, words: Sequence[str]
) -> str:
    """The line before its quotes and brackets are paired (a type's own line, or a quote's
    opening, may carry a mark whose partner the cut left out)."""
    owner = owner_of(fact.kind) if fact is not None else None
    if fact is not None and owner is not None and owner.summary is not None:
        return owner.summary(SummaryInput(text, fact, knowledge))
    context = context_clause(text, fact, words=words)
    if fact is None:
        return context or text[:MAX_SUMMARY_CHARS]
    lead = owner.lead(fact) if owner is not None and owner.lead is not None else fact.text
    summary = f"{lead} — {context}" if context else lead
    return summary[:MAX_SUMMARY_CHARS]


def extend_with_cue(
    paragraph: Paragraph, index: int, cue: re.Pattern[str], limit: int = MAX_QUOTE_CHARS
) -> str | None:
    """The sentence plus the next one when only the next gives the reason or the method.

    “智能制造不是选择题，而是生死题。” is answered by the sentence after it
    (“…源于对趋势的判断，也来自政府的兜底”); both are quoted, as one contiguous passage.
    """
    sentences = paragraph.sentences
    if index + 1 >= len(sentences) or not cue.search(sentences[index + 1].text):
        return None
    first, second = sentences[index], sentences[index + 1]
    end = second.start + len(second.text)
    if end - first.start > limit:
        return None
    return paragraph.text[first.start : end]


def quote_for(text: str, fact: Fact | None, limit: int = MAX_QUOTE_CHARS) -> str:
    """The sentence, or when longer than ``limit`` the clauses around the fact."""
    if len(text) <= limit:
        return text
    parts = clauses(text)
    at = 0
    if fact is not None:
        at = next((i for i, (s, e, _) in enumerate(parts) if s <= fact.start < e), 0)
    lo = hi = at
    while True:
        grown = False
        if hi + 1 < len(parts) and parts[hi + 1][1] - parts[lo][0] <= limit:
            hi += 1
            grown = True
        if lo > 0 and parts[hi][1] - parts[lo - 1][0] <= limit:
            lo -= 1
            grown = True
        if not grown:
            break
    start, end = parts[lo][0], parts[hi][1]
    if end - start > limit:
        end = start + limit
    return text[start:end]
