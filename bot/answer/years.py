"""The year a question asks about, checked against a candidate sentence's own dates."""

from __future__ import annotations

from bot.content.model import Article, FactKind, Sentence
from bot.nlu.need import Need


def year_of(need: Need, article: Article, sentence: Sentence) -> tuple[bool, bool]:
    """Whether the sentence may answer for the year asked, and whether it states that year.
    A sentence dated in other years does not answer; one with no year of its own might."""
    asked = need.year
    if asked is None and need.year_offset is not None and article.date is not None:
        asked = article.date.year + need.year_offset
    if asked is None:
        return True, False
    years = {
        int(f.value[:4])
        for f in sentence.facts
        if f.kind is FactKind.DATE
        and isinstance(f.value, str)
        and "/" not in f.value
        and f.value[:4].isdigit()
    }
    return not years or asked in years, asked in years
