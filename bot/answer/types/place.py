"""在哪 / 哪个区 / 从哪里迁来: a place."""

from __future__ import annotations

from bot.answer.types.base import AnswerKind, Fit, FitInput, about_the_question, select
from bot.content.model import FactKind
from bot.rules.model import AnswerType

KINDS = frozenset({FactKind.PLACE})


def fit(inp: FitInput) -> Fit:
    return about_the_question(inp, select(inp, KINDS))


KIND = AnswerKind(AnswerType.PLACE, fit, KINDS, owns=FactKind.PLACE)
