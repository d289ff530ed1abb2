"""Any number: money, a count, a percentage or a duration (a follow-up after a count, or a
"多少" whose unit the rules cannot tell)."""

from __future__ import annotations

from bot.answer.types.base import AnswerKind, Fit, FitInput, about_the_question
from bot.answer.types.count import in_units, of_what_was_counted
from bot.content.model import FactKind
from bot.rules.model import AnswerType

KINDS = frozenset({FactKind.MONEY, FactKind.COUNT, FactKind.PERCENT, FactKind.DURATION})


def fit(inp: FitInput) -> Fit:
    return about_the_question(inp, of_what_was_counted(inp, in_units(inp, KINDS)))


KIND = AnswerKind(AnswerType.QUANTITY, fit, KINDS, inherits=True)
