"""Extractive summaries: the lead sentence plus the sentence richest in the text's keywords.

Readers asking "介绍一下…那篇" want two lines, not the article; the lead of a news story is
written to be that summary, and a keyword-weighted pick adds what the lead leaves out.
How a sentence's weight is normalised by its length and position is tuned in
``intents/lexicon.yaml`` (``lexicon: parsing:``), passed in as :class:`ParsingThresholds`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise

from bot.content.lexicon import ParsingThresholds
from bot.content.lines import match_dateline
from bot.text.chars import without_unpaired_straight_quote

# One line of an answer or a digest (bot/text/data's max_chars): a longer lead is cut at a
# clause within it.
MAX_SUMMARY_CHARS = 120
_CLAUSE_MARKS = "，；,;："


# The mark a news-brief column sets before each item (■ 本报讯（记者 某某）…).
_BRIEF_MARK_RE = re.compile(r"^[■●◆▲▶►]\s*")


def strip_dateline(text: str) -> str:
    """``text`` without the dateline it opens with, and without a brief's mark before one."""
    body = _BRIEF_MARK_RE.sub("", text)
    match = match_dateline(body)
    return body[match.end() :].lstrip().lstrip("，,") if match else text


def _bigrams(text: str) -> list[str]:
    chars = [c for c in text if c.isalnum()]
    return [a + b for a, b in pairwise(chars)]


def _weight(sentence: str, weights: Counter[str], parsing: ParsingThresholds) -> float:
    """The sentence's keyword weight, divided by a power of its length so that a long
    sentence is not chosen for its length alone."""
    keywords = sum(weights[g] for g in set(_bigrams(sentence)))
    length: float = 1 + len(sentence) ** parsing.summary_length_power
    return keywords / length


def summarize(
    sentences: Sequence[str], parsing: ParsingThresholds, *, limit: int = MAX_SUMMARY_CHARS
) -> str:
    """Lead sentence, then the best keyword sentence if it still fits in ``limit``."""
    cleaned = [strip_dateline(s) for s in sentences if s.strip()]
    cleaned = [s for s in cleaned if s]
    if not cleaned:
        return ""
    lead = cleaned[0]
    if len(lead) > limit:
        return clipped(lead, limit)
    weights = Counter(g for s in cleaned for g in set(_bigrams(s)))
    best = max(
        cleaned[1:],
        key=lambda s: _weight(s, weights, parsing),
        default=None,
    )
    if best and len(lead) + len(best) <= limit:
        return lead + best
    return lead


def section_summary(
    sentences: Sequence[str], parsing: ParsingThresholds, *, limit: int = 80
) -> str:
    """A section's one-line summary: its most representative sentence, earlier ones first
    when they are about as representative (a section leads with its point)."""
    cleaned = [strip_dateline(s) for s in sentences if s.strip()]
    if not cleaned:
        return ""
    weights = Counter(g for s in cleaned for g in set(_bigrams(s)))
    penalty = parsing.summary_position_penalty
    ranked = sorted(
        enumerate(cleaned), key=lambda p: -(_weight(p[1], weights, parsing) - penalty * p[0])
    )
    best = ranked[0][1]
    return best if len(best) <= limit else clipped(best, limit)


def clipped(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with "…", at the last clause mark that leaves at
    least half of it (a cut inside a figure or a name reads as a broken answer)."""
    room = text[: limit - 1]
    at = max(room.rfind(m) for m in _CLAUSE_MARKS)
    return without_unpaired_straight_quote(room[:at] if at >= limit // 2 else room) + "…"
