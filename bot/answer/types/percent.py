"""百分之几 / 增长了多少 / 占比: a percentage."""

from __future__ import annotations

from bot.answer.types.base import AnswerKind, Fit, FitInput, about_the_question, select
from bot.content.model import FactKind
from bot.rules.model import AnswerType

KINDS = frozenset({FactKind.PERCENT})


def fit(inp: FitInput) -> Fit:
    return about_the_question(inp, select(inp, KINDS))


KIND = AnswerKind(AnswerType.PERCENT, fit, KINDS, owns=FactKind.PERCENT)
