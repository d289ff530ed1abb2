"""Typed fact extraction from one sentence (numbers in fact_numbers, names in fact_names).

Every quantity in an article becomes a fact tied to its sentence: money, percentages,
counts with their measure word, durations, dates (relative ones resolved against the
article's date), rankings, people with their role, organisations, places and the other
names a thing is given (原名“…”).  The answer composer picks sentences by these facts
("多少钱" needs money, "谁" needs a person), so the extractor favours recall on numbers and
precision on names.

Extractors run in a fixed order and a later one never claims characters an earlier one
took, so ``2025年`` is a date and not a duration, and ``第七位`` is a rank, not a count.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from bot.content import fact_numbers as numbers
from bot.content.fact_called import called
from bot.content.fact_names import named, people
from bot.content.fact_patterns import DateContext
from bot.content.lexicon import Lexicon, lexicon
from bot.content.lines import match_dateline
from bot.content.model import Fact, FactKind

__all__ = ["DateContext", "Extractor", "extract_facts", "relative_date_anchor"]

Extractor = Callable[[str, DateContext], Iterator[Fact]]


def extract_facts(sentence: str, context: DateContext) -> tuple[Fact, ...]:
    """All facts of one sentence, ordered by position, spans never overlapping for numbers.

    A dateline opening the sentence (本报某市11月30日讯（记者 某某）) holds no fact but the
    place it was filed from: its day is when the report was filed (the article's date), its
    names its credits — "2号线什么时候通车" is not answered by the day the reporter wrote —
    but 本报湾口区…讯 says the page holds 湾口区."""
    dateline = match_dateline(sentence)
    cut = dateline.end() if dateline else 0
    taken = bytearray(b"\x01" * cut + b"\x00" * (len(sentence) - cut))
    facts: list[Fact] = []
    for extractor in (
        numbers.dates,
        numbers.percents,
        numbers.money,
        numbers.ranks,
        numbers.durations,
        numbers.counts,
        numbers.bare_numbers,
    ):
        for fact in extractor(sentence, context):
            if any(taken[fact.start : fact.end]):
                continue
            taken[fact.start : fact.end] = b"\x01" * (fact.end - fact.start)
            facts.append(fact)
    for found in (
        people(sentence),
        named(sentence, FactKind.ORG),
        named(sentence, FactKind.PLACE),
        called(sentence),
    ):
        facts.extend(f for f in found if f.start >= cut)
    if dateline is not None and (place := _filed_from(dateline)) is not None:
        facts.append(place)
    facts.sort(key=lambda f: (f.start, f.kind))
    return tuple(facts)


def _filed_from(dateline: re.Match[str]) -> Fact | None:
    """本报湾口区12月9日讯: the place after 本报, as a place fact (two characters or more)."""
    pub, start = dateline["pub"] or "", dateline.start("pub")
    if not pub.startswith(_OWN_PAPER) or len(pub) - len(_OWN_PAPER) < 2:
        return None
    if any(word in pub for word in lexicon().dateline_credit_words):
        return None  # 本报记者12月3日讯, 本报特派记者…电, 本报综合报道组: credits, no place
    place = pub[len(_OWN_PAPER) :]
    at = start + len(_OWN_PAPER)
    return Fact(FactKind.PLACE, place, place, None, at, at + len(place))


_OWN_PAPER = "本报"


def relative_date_anchor(lexicon_: Lexicon | None = None) -> tuple[str, ...]:
    """Words that only make sense with a page date; used by ``check`` to warn when missing."""
    lx = lexicon_ or lexicon()
    return (*lx.relative_years, *lx.relative_days)
