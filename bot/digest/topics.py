"""Find the topic a user means: ``城市`` → 城市更新, ``urban``, ``Finance``, ``芯片`` → 电子元器件.

Used by ``/subscribe``, ``/unsubscribe`` and ``newsbot digest``. Exact names win, then a name
containing the query (or contained in it), then a topic keyword, then a fuzzy match for typos;
a query that two topics match about equally well is refused rather than guessed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from rapidfuzz import fuzz

from bot.digest.errors import UnknownTopicError
from bot.rules.model import Topic
from bot.text.normalize import normalize

logger = logging.getLogger(__name__)

EXACT_SCORE: Final = 100.0
CONTAINS_SCORE: Final = 90.0  # plus up to 9.9 for how much of the name the query covers
KEYWORD_SCORE: Final = 80.0
MIN_TOPIC_SCORE: Final = 75.0  # fuzzy matches below this are not offered
AMBIGUITY_MARGIN: Final = 5.0  # the best must beat the runner-up by this much
MIN_PARTIAL_CHARS: Final = 2  # a one-character query only matches exactly


@dataclass(frozen=True, slots=True)
class TopicMatch:
    topic: Topic
    score: float


def _fold(text: str) -> str:
    return " ".join(normalize(text).casefold().split())


def _score(query: str, topic: Topic) -> float:
    names = [_fold(name) for name in (topic.id, topic.zh, topic.en)]
    if query in names:
        return EXACT_SCORE
    if len(query) < MIN_PARTIAL_CHARS:
        return 0.0
    best = 0.0
    for name in names:
        if query in name:
            best = max(best, CONTAINS_SCORE + 9.9 * len(query) / len(name))
        elif len(name) >= MIN_PARTIAL_CHARS and name in query:
            best = max(best, CONTAINS_SCORE + 9.9 * len(name) / len(query))
    if best:
        return best
    if query in {_fold(k) for k in topic.keywords}:
        return KEYWORD_SCORE
    fuzzy = max(fuzz.ratio(query, name) for name in names)
    return float(fuzzy) if fuzzy >= MIN_TOPIC_SCORE else 0.0


def rank_topics(query: str, topics: Sequence[Topic]) -> list[TopicMatch]:
    """Topics the query could mean, best first (ties in the rules' order)."""
    folded = _fold(query)
    if not folded:
        return []
    scored = [TopicMatch(topic, _score(folded, topic)) for topic in topics]
    return sorted((m for m in scored if m.score > 0), key=lambda m: -m.score)


def find_topic(query: str, topics: Sequence[Topic]) -> Topic | None:
    """The one topic the query means, or None (no match, or an ambiguous one)."""
    ranked = rank_topics(query, topics)
    if not ranked:
        return None
    best = ranked[0]
    if (
        best.score < EXACT_SCORE
        and len(ranked) > 1
        and ranked[1].score > best.score - AMBIGUITY_MARGIN
    ):
        logger.debug(
            "topic query %r is ambiguous: %s",
            query,
            [(m.topic.id, round(m.score, 1)) for m in ranked[:3]],
        )
        return None
    return best.topic


def match_topic(query: str, topics: Sequence[Topic]) -> Topic:
    """Like :func:`find_topic`, but raise :class:`UnknownTopicError` with the candidates."""
    topic = find_topic(query, topics)
    if topic is None:
        candidates = [m.topic.id for m in rank_topics(query, topics)[:3]]
        raise UnknownTopicError(query, candidates)
    return topic
