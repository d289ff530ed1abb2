"""多久 / 多长时间: a duration, or a relative day (当天下午…办结) for how long it took."""

from __future__ import annotations

from bot.answer.types.base import AnswerKind, Fit, FitInput, about_the_question
from bot.content.model import Fact, FactKind
from bot.nlu import resources
from bot.rules.model import AnswerType

KINDS = frozenset({FactKind.DURATION})


def fit(inp: FitInput) -> Fit:
    facts = tuple(f for f in inp.sentence.facts if f.kind in KINDS or _same_day(f))
    return about_the_question(inp, facts)


def _same_day(fact: Fact) -> bool:
    """ "多久办完的？" — "当天下午…办结": a relative day answers how long it took."""
    return (
        fact.kind is FactKind.DATE
        and fact.unit == "day"
        and bool(fact.qualifier)
        # not 今天: that is the page's date
        and fact.qualifier in resources.lexicon().elapsed_days
    )


KIND = AnswerKind(AnswerType.DURATION, fit, KINDS, owns=FactKind.DURATION)
