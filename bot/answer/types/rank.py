"""排第几 / 全球前三: a ranking, in the scope asked (全球, 全国) and as an ordinal if asked."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.answer.types.base import (
    AnswerKind,
    Fit,
    FitInput,
    SuggestInput,
    about_the_question,
    select,
)
from bot.content.model import Fact, FactKind
from bot.rules.model import AnswerType

KINDS = frozenset({FactKind.RANK})
_ORDINAL_ASKED = re.compile(r"第几|第多少|排第|排名|名次")


def fit(inp: FitInput) -> Fit:
    return about_the_question(inp, select(inp, KINDS))


def ranks_asked(facts: Sequence[Fact], question: str) -> tuple[Fact, ...]:
    """Of a sentence's ranks, those the question asks for: its scope (全球第几 → 全球前三,
    not 国内最大 beside it), then an ordinal when it asks for one (排第几 → 第七位, not
    全省唯一)."""
    chosen = tuple(facts)
    scoped = tuple(f for f in chosen if f.qualifier and f.qualifier in question)
    chosen = scoped or chosen
    if _ORDINAL_ASKED.search(question):
        chosen = tuple(f for f in chosen if "第" in f.text) or chosen
    return chosen


def suggest(inp: SuggestInput) -> str | None:
    subject = inp.subject()
    if subject is None or "第" not in inp.fact.text:
        return None
    return inp.responses.text("suggest_rank", "zh", subject=subject)


KIND = AnswerKind(
    AnswerType.RANK, fit, KINDS, owns=FactKind.RANK, narrow=ranks_asked, suggest=suggest
)
