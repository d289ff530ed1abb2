"""在哪 / 哪个区 / 从哪里迁来: a place."""

from __future__ import annotations

from bot.answer.types.base import AnswerKind, Fit, FitInput, about_the_question, select
from bot.content.model import Fact, FactKind
from bot.nlu import resources
from bot.rules.model import AnswerType

KINDS = frozenset({FactKind.PLACE})


def fit(inp: FitInput) -> Fit:
    return about_the_question(inp, tuple(f for f in select(inp, KINDS) if not _in_a_name(inp, f)))


def _in_a_name(inp: FitInput, place: Fact) -> bool:
    """A place written inside an organisation's name (青原市 of 青原市某某集团有限公司投资)
    says where the firm is from, not where the asked thing is — unless the organisation is
    the venue (在白溪县国际会展中心开幕, 落户某某产业园)."""
    text = inp.sentence.text
    venue = resources.lexicon().venue_words
    return any(
        o.kind is FactKind.ORG
        and o.start <= place.start
        and place.end <= o.end
        and o != place
        and not text[: o.start].endswith(venue)
        for o in inp.sentence.facts
    )


KIND = AnswerKind(AnswerType.PLACE, fit, KINDS, owns=FactKind.PLACE)
