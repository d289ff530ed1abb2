"""Digest items: one per article section, with a stable id and a hash of its text.

The ledger remembers ``(item_id, item_hash)`` per chat. The id is built from the article id
(itself derived from the page file and the title, so it survives reloads) and the section's
position; the hash covers the section's text only. A reload that leaves a section alone keeps
both, so nothing is sent twice; a reload that edits a section keeps the id but changes the
hash, so the new version is sent once more.

Items are bounded by construction (title, heading, summary, facts and question are clipped to
the ``MAX_*`` constants below), which is what lets any renderer promise that one item always
fits in one Telegram message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from bot.answer.compose import context_clause
from bot.content.model import Article, Fact, FactKind, Section, Sentence
from bot.text.chars import without_unpaired_straight_quote
from bot.text.wellformed import is_wellformed

logger = logging.getLogger(__name__)

ITEM_ID_SEPARATOR: Final = ":"
MAX_TITLE_CHARS: Final = 80
MAX_HEADING_CHARS: Final = 60
MAX_SUMMARY_CHARS: Final = 120  # one to two lines on a phone
MAX_FACTS: Final = 3
MAX_FACT_CHARS: Final = 90
MAX_QUESTION_CHARS: Final = 60
MIN_COUNT_VALUE: Final = 10  # "3个部门" is detail, "1605个老旧小区" is news
MIN_CONTEXT_CHARS: Final = 4  # a fact without words around it says nothing
ELLIPSIS: Final = "…"

# Quantities lead a digest; a duration or a date only fills a slot no quantity wants.
MAJOR_FACT_KINDS: Final = (FactKind.MONEY, FactKind.PERCENT, FactKind.RANK, FactKind.COUNT)
FILLER_FACT_KINDS: Final = (FactKind.DURATION, FactKind.DATE)
# Among amounts the biggest is usually the headline (the investment, not the founding capital).
BIGGEST_FIRST_KINDS: Final = frozenset({FactKind.MONEY})  # counts mix units (户, 平方米)
# Left dangling at a clause's edge once the fact is cut out of it.
_TRIM_CHARS: Final = "、，,“”‘’\"' "


def make_item_id(article_id: str, section_index: int) -> str:
    """The item id of a section: ``article_id:section_index`` (short enough for button data)."""
    return f"{article_id}{ITEM_ID_SEPARATOR}{section_index}"


def parse_item_id(item_id: str) -> tuple[str, int] | None:
    """``(article_id, section_index)`` of an item id, or None if it is not one."""
    article_id, sep, index = item_id.rpartition(ITEM_ID_SEPARATOR)
    if not sep or not article_id or not index.isdigit():
        return None
    return article_id, int(index)


def section_hash(section: Section) -> str:
    """The item hash of a section (:attr:`Section.text_hash`; heads carry it too)."""
    return section.text_hash


def clip(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters, marked with an ellipsis when cut."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    return without_unpaired_straight_quote(line[: max(0, limit - len(ELLIPSIS))]) + ELLIPSIS


@dataclass(frozen=True, slots=True)
class KeyFact:
    """A fact worth a bullet: the fact's words and the clause around it that says what it is."""

    kind: str
    fact: str
    context: str

    @property
    def label(self) -> str:
        """``超过2500亿元 — 累计投入…``; just the context when it already contains the fact."""
        text = self.context if self.fact in self.context else f"{self.fact} — {self.context}"
        return clip(text, MAX_FACT_CHARS)

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "fact": self.fact, "context": self.context, "label": self.label}


@dataclass(frozen=True, slots=True)
class ItemDetails:
    """What an item costs to find out: its key facts and a question the bot answers from it
    (the answerer has to answer candidates). Calling it gives itself, so a fixed value can
    stand where :class:`DigestItem` expects a function that works them out."""

    facts: tuple[KeyFact, ...]
    question: str

    def __call__(self) -> ItemDetails:
        return self


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One section as a digest shows it; ``key`` is what the ledger records.

    ``details`` is worked out on first use (and memoised by the catalog): a digest message
    shows entries (title, summary, date), so planning and sending one never needs them; the
    "ask about it" button and ``newsbot digest --json`` do.
    """

    item_id: str
    item_hash: str
    article_id: str
    section_index: int
    article_title: str
    section_heading: str | None
    summary: str
    details: Callable[[], ItemDetails] = field(compare=False, repr=False)
    topics: tuple[str, ...]
    file: str
    line: int

    @property
    def key(self) -> tuple[str, str]:
        return (self.item_id, self.item_hash)

    @property
    def facts(self) -> tuple[KeyFact, ...]:
        return self.details().facts

    @property
    def question(self) -> str:
        return self.details().question

    def as_dict(self, topic: str | None = None) -> dict[str, object]:
        """The JSON shape of ``newsbot digest --json`` (``topic``: the group it is listed in)."""
        return {
            "item_id": self.item_id,
            "item_hash": self.item_hash,
            "topic": topic if topic is not None else (self.topics[0] if self.topics else None),
            "topics": list(self.topics),
            "article_id": self.article_id,
            "article": self.article_title,
            "section_index": self.section_index,
            "section": self.section_heading,
            "summary": self.summary,
            "facts": [f.label for f in self.facts],
            "fact_details": [f.as_dict() for f in self.facts],
            "question": self.question,
            "source": {"file": self.file, "line": self.line},
        }


def _worth_listing(fact: Fact, article: Article) -> bool:
    """Quantities and absolute dates; not the day the article reports from (that is "today")."""
    if fact.kind is FactKind.COUNT:
        return isinstance(fact.value, int | float) and fact.value >= MIN_COUNT_VALUE
    if fact.kind is FactKind.DATE:
        same_day = article.date is not None and fact.value == article.date.isoformat()
        return fact.qualifier is None and not same_day
    return fact.kind in MAJOR_FACT_KINDS or fact.kind in FILLER_FACT_KINDS


def _magnitude(fact: Fact) -> float:
    return float(fact.value) if isinstance(fact.value, int | float) else 0.0


def key_facts(article: Article, section: Section, limit: int = MAX_FACTS) -> tuple[KeyFact, ...]:
    """Up to ``limit`` facts of the section, at most one per sentence, in reading order.

    The quantity kinds take turns (money, percent, rank, count) so that a section full of
    amounts still shows its share or its ranking; durations and dates only fill what is left.
    A fact whose label is not a whole clause (:mod:`bot.text.wellformed`) is passed over.
    """
    candidates: list[tuple[int, Fact, Sentence]] = []
    for paragraph in section.paragraphs:
        for sentence in paragraph.sentences:
            for fact in sentence.facts:
                if _worth_listing(fact, article):
                    candidates.append((len(candidates), fact, sentence))
    queues = [[c for c in candidates if c[1].kind is kind] for kind in MAJOR_FACT_KINDS]
    for queue in queues:
        if queue and queue[0][1].kind in BIGGEST_FIRST_KINDS:
            queue.sort(key=lambda c: (-_magnitude(c[1]), c[0]))
    queues.append([c for c in candidates if c[1].kind in FILLER_FACT_KINDS])
    chosen: list[tuple[int, KeyFact]] = []
    sentences: set[int] = set()
    texts: set[str] = set()

    def take(queue: list[tuple[int, Fact, Sentence]]) -> bool:
        while queue:
            position, fact, sentence = queue.pop(0)
            if id(sentence) in sentences or fact.text in texts:
                continue
            context = context_clause(sentence.text, fact).strip(_TRIM_CHARS)
            if len(context) < MIN_CONTEXT_CHARS:
                continue
            key_fact = KeyFact(str(fact.kind), fact.text, context)
            if not is_wellformed(key_fact.label):  # 并汇聚成年产值的产业集群: the figure cut out
                continue
            sentences.add(id(sentence))
            texts.add(fact.text)
            chosen.append((position, key_fact))
            return True
        return False

    progress = True
    while len(chosen) < limit and progress:
        progress = False
        for queue in queues[:-1]:
            if len(chosen) < limit and take(queue):
                progress = True
    while len(chosen) < limit and take(queues[-1]):
        pass
    return tuple(fact for _, fact in sorted(chosen, key=lambda c: c[0]))
