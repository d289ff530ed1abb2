"""原名叫什么 / 简称是什么 / 以前叫什么名字 / 直播号叫啥: another name of a thing, as the page
gives it after a naming word (原名“北岭风景区”) — never the name the question itself uses."""

from __future__ import annotations

from collections.abc import Sequence

from bot.answer.types.base import AnswerKind, Fit, FitInput, about_the_question, select
from bot.content.model import Fact, FactKind
from bot.nlu import resources
from bot.rules.model import AnswerType

KINDS = frozenset({FactKind.NAME})


def fit(inp: FitInput) -> Fit:
    """A name the sentence gives what was asked about; when a former name is asked
    (need.tense "past": 以前叫 / 原名), a name given by another naming word (简称“…”) fits
    only by ``other_name_fit``."""
    # the name the question uses (an entity's other names are aliases of it too: 原名 merges)
    asked = set(inp.need.written or (e.name for e in inp.need.names)) | set(inp.need.terms)
    facts = tuple(f for f in select(inp, KINDS) if str(f.value) not in asked)
    if inp.need.tense != "past" or not facts:
        return about_the_question(inp, facts)
    former_cues = resources.lexicon().former_naming_cues
    former = tuple(f for f in facts if f.qualifier in former_cues)
    if former:
        return about_the_question(inp, former)
    found, fitness = about_the_question(inp, facts)
    return found, fitness * inp.tools.w.other_name_fit


def names_asked(facts: Sequence[Fact], question: str) -> tuple[Fact, ...]:
    """The names given by the naming word the question uses (简称是什么 → 简称“…”), else by a
    former-name word when it asks a former name (以前叫什么 → 原名“…”), else all of them."""
    same = tuple(f for f in facts if f.qualifier and f.qualifier in question)
    if same:
        return same
    lx = resources.lexicon()
    if any(w in question for w in lx.former_name_asked):
        former = tuple(f for f in facts if f.qualifier in lx.former_naming_cues)
        return former or tuple(facts)
    return tuple(facts)


KIND = AnswerKind(AnswerType.NAME, fit, KINDS, owns=FactKind.NAME, narrow=names_asked)
