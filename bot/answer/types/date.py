"""何时 / 哪一年 / 哪天: a date, as precise as asked, shown resolved (去年9月 → 2025年9月)."""

from __future__ import annotations

from bot.answer.types.base import AnswerKind, Fit, FitInput, about_the_question
from bot.content.model import Fact, FactKind
from bot.nlu.need import Need
from bot.rules.model import AnswerType

KINDS = frozenset({FactKind.DATE})
_GRAINS = {
    "day": ("day",),
    "month": ("day", "month", "month-range"),
    "year": ("day", "month", "month-range", "year"),
}


def fit(inp: FitInput) -> Fit:
    facts = tuple(f for f in inp.sentence.facts if f.kind in KINDS and grain_fits(f, inp.need))
    return about_the_question(inp, facts)


def grain_fits(fact: Fact, need: Need) -> bool:
    """ "哪天" needs a day, "哪个月" a month or a day; a plan period (十四五) answers no "when"
    question that asks for a year, month or day."""
    if fact.kind is not FactKind.DATE or need.grain is None:
        return True
    return fact.unit in _GRAINS.get(need.grain, ())


def lead(fact: Fact) -> str:
    """``去年9月`` → ``2025年9月（去年9月）``: relative dates are shown resolved."""
    value = fact.value if isinstance(fact.value, str) else None
    if not value or not fact.qualifier or "/" in value:
        return fact.text
    parts = value.split("-")
    label = f"{int(parts[0])}年"
    if len(parts) > 1:
        label += f"{int(parts[1])}月"
    if len(parts) > 2:
        label += f"{int(parts[2])}日"
    return label if label == fact.text else f"{label}（{fact.text}）"


KIND = AnswerKind(AnswerType.DATE, fit, KINDS, owns=FactKind.DATE, lead=lead)
