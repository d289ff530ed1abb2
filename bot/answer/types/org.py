"""哪家公司 / 哪所大学: an organisation, also one written by its short name (云岭茶业), but
never the organisation the question itself asks about."""

from __future__ import annotations

from bot.answer.types.base import (
    AnswerKind,
    Fit,
    FitInput,
    about_the_question,
    asked_about,
    select,
)
from bot.content.model import Fact, FactKind
from bot.rules.model import AnswerType

KINDS = frozenset({FactKind.ORG})


def fit(inp: FitInput) -> Fit:
    return about_the_question(inp, _with_named_orgs(inp, select(inp, KINDS)))


def _with_named_orgs(inp: FitInput, facts: tuple[Fact, ...]) -> tuple[Fact, ...]:
    asked = {a for e in inp.need.names for a in e.aliases}
    found = [f for f in facts if not asked_about(inp, str(f.value))]
    taken = [(f.start, f.end) for f in found]
    text = inp.sentence.text
    for start, end, phrase, entity in inp.tools.names.orgs_named_in(inp.key):
        if phrase in asked or any(s < end and start < e for s, e in taken):
            continue
        found.append(Fact(FactKind.ORG, text[start:end], entity.name, None, start, end))
    return tuple(sorted(found, key=lambda f: f.start))


KIND = AnswerKind(AnswerType.ORG, fit, KINDS, owns=FactKind.ORG)
