"""The editors' queue — declined questions and answers rated 👎 — grouped by similarity, so an
editor sees what readers keep asking (``/unanswered``, ``newsbot unanswered``).

Why grouping: readers ask the same missing thing in many spellings (繁體, full-width, a typo,
a different particle).  Questions are compared in the bot's normalised form (simplified,
half-width, lower-case, no punctuation or spaces) with rapidfuzz's ``ratio``; a question joins
the first group whose representative scores at least :data:`SIMILAR_SCORE`, else starts one.
Groups are listed by size, then by their latest question.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from rapidfuzz import fuzz

from bot.store import UnansweredQuestion
from bot.text.normalize import normalize

logger = logging.getLogger(__name__)

#: rapidfuzz ratio (0–100) from which two normalised questions count as the same question.
#: 80 joins 「赣州稀土产量多少」 and 「赣州的稀土产量是多少」, keeps different subjects apart.
SIMILAR_SCORE: Final = 80.0
MAX_VARIANTS: Final = 3  # other spellings shown under a group
_PUNCT_RE = re.compile(r"[\s\W_]+")


def comparable(question: str) -> str:
    """The form questions are compared in: normalised, punctuation and spaces removed."""
    text = normalize(question)
    return _PUNCT_RE.sub("", text) or text


@dataclass(slots=True)
class QuestionGroup:
    """Similar declined questions: the latest wording, how many, and other wordings."""

    question: str  # the most recent wording (shown)
    key: str  # comparable form of the first question seen (the representative)
    count: int = 0
    disliked: int = 0  # of ``count``, answers a reader rated 👎 (the rest were declined)
    last_asked: dt.datetime | None = None
    chats: set[int] = field(default_factory=set)
    variants: list[str] = field(default_factory=list)

    @property
    def chat_count(self) -> int:
        return len(self.chats)


def group_questions(
    questions: Iterable[UnansweredQuestion], *, threshold: float = SIMILAR_SCORE
) -> list[QuestionGroup]:
    """Group ``questions`` (any order); largest groups first, then the most recent."""
    ordered = sorted(questions, key=lambda q: (q.asked_at, q.id), reverse=True)
    groups: list[QuestionGroup] = []
    for item in ordered:
        key = comparable(item.question)
        if not key:
            continue
        group = _best_group(groups, key, threshold)
        if group is None:
            group = QuestionGroup(item.question, key)
            groups.append(group)
        elif (
            item.question != group.question
            and item.question not in group.variants
            and len(group.variants) < MAX_VARIANTS
        ):
            group.variants.append(item.question)
        group.count += 1
        group.disliked += item.reason == "disliked"
        group.chats.add(item.chat_id)
        if group.last_asked is None or item.asked_at > group.last_asked:
            group.last_asked = item.asked_at
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    groups.sort(key=lambda g: (g.count, g.last_asked or epoch), reverse=True)
    return groups


def _best_group(groups: list[QuestionGroup], key: str, threshold: float) -> QuestionGroup | None:
    best: QuestionGroup | None = None
    best_score = threshold
    for group in groups:
        if group.key == key:
            return group
        score = fuzz.ratio(group.key, key, score_cutoff=best_score)
        if score >= best_score and (best is None or score > best_score):
            best, best_score = group, score
    return best


def display(question: str, limit: int = 80) -> str:
    """A stored question on one line, shortened for a list (still raw text: escape it)."""
    text = " ".join(unicodedata.normalize("NFC", question).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
