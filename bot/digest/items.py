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

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from bot.answer.compose import context_clause
from bot.content.model import Article, Fact, FactKind, Section, Sentence
from bot.digest.summary import one_line_summary
from bot.knowledge.build import Knowledge
from bot.text.chars import without_unpaired_straight_quote
from bot.text.wellformed import is_wellformed

if TYPE_CHECKING:
    from bot.answer.engine import Answerer

logger = logging.getLogger(__name__)

ITEM_ID_SEPARATOR: Final = ":"
ITEM_HASH_CHARS: Final = 16  # 64 bits of SHA-256: collisions between two versions are moot
MAX_TITLE_CHARS: Final = 80
MAX_HEADING_CHARS: Final = 60
MAX_SUMMARY_CHARS: Final = 120  # one to two lines on a phone
MAX_FACTS: Final = 3
MAX_FACT_CHARS: Final = 90
MAX_QUESTION_CHARS: Final = 60
MIN_COUNT_VALUE: Final = 10  # "3个部门" is detail, "1605个老旧小区" is news
MIN_CONTEXT_CHARS: Final = 4  # a fact without words around it says nothing
CATALOG_CACHE_SIZE: Final = 3  # the current snapshot, the one before (for notices), a spare
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
    """A hash of the section's heading and cleaned text: what the reader would see change.

    Line numbers and summaries are left out on purpose: an edit elsewhere on the page moves
    lines, and a better summariser must not make every section "new" again.
    """
    digest = hashlib.sha256()
    digest.update((section.heading or "").encode())
    for paragraph in section.paragraphs:
        digest.update(b"\x1f")
        digest.update(paragraph.text.encode())
    return digest.hexdigest()[:ITEM_HASH_CHARS]


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
class DigestItem:
    """One section as a digest shows it; ``key`` is what the ledger records."""

    item_id: str
    item_hash: str
    article_id: str
    section_index: int
    article_title: str
    section_heading: str | None
    summary: str
    facts: tuple[KeyFact, ...]
    question: str
    topics: tuple[str, ...]
    file: str
    line: int

    @property
    def key(self) -> tuple[str, str]:
        return (self.item_id, self.item_hash)

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


def _summary(article: Article, section: Section) -> str:
    """The section's one-line summary; the lead sentence or the article's when it has none."""
    text = section.summary
    if not text:
        first = next((s.text for p in section.paragraphs for s in p.sentences), "")
        text = first or article.summary
    return clip(text, MAX_SUMMARY_CHARS)


@dataclass(frozen=True, slots=True)
class _Entry:
    article: Article
    section_index: int
    item_id: str
    item_hash: str
    topics: tuple[str, ...]
    position: int


class Catalog:
    """The items of one Knowledge snapshot: ids and hashes up front, details on demand.

    Hashing every section is cheap; finding a verified question for a section is not (the
    answerer has to answer it), so items are detailed only when a digest includes them and then
    memoised. That keeps a 1,000-article corpus from stalling the first scheduler tick.
    """

    def __init__(self, knowledge: Knowledge, answerer: Answerer | None = None) -> None:
        self.knowledge = knowledge
        self._answerer = answerer
        self._lock = threading.Lock()
        self._items: dict[str, DigestItem] = {}
        entries: dict[str, _Entry] = {}
        for article in knowledge.articles:
            for index, section in enumerate(article.sections):
                item_id = make_item_id(article.id, index)
                topics = knowledge.topics.by_section.get((article.id, index), ())
                entries[item_id] = _Entry(
                    article, index, item_id, section_hash(section), tuple(topics), len(entries)
                )
        self._entries = entries
        self._articles = {article.id: article for article in knowledge.articles}
        self._summaries: dict[str, str] = {}
        self._by_topic: dict[str, tuple[str, ...]] = {
            topic: tuple(make_item_id(a, i) for a, i in refs)
            for topic, refs in knowledge.topics.by_topic.items()
        }

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._entries

    @property
    def item_ids(self) -> tuple[str, ...]:
        """Every item id, in page order (article, then section)."""
        return tuple(self._entries)

    def item_hash(self, item_id: str) -> str:
        return self._entries[item_id].item_hash

    def key(self, item_id: str) -> tuple[str, str]:
        return (item_id, self._entries[item_id].item_hash)

    def position(self, item_id: str) -> int:
        """The item's place in page order; digests list items in this order."""
        return self._entries[item_id].position

    def topics_of(self, item_id: str) -> tuple[str, ...]:
        return self._entries[item_id].topics

    def topic_item_ids(self, topic_id: str) -> tuple[str, ...]:
        """The ids of the topic's items in page order (empty for an unknown topic)."""
        return self._by_topic.get(topic_id, ())

    def article_item_ids(self, article_ids: Iterable[str]) -> tuple[str, ...]:
        """The ids of every section of the given articles, in page order."""
        wanted = set(article_ids)
        return tuple(i for i, e in self._entries.items() if e.article.id in wanted)

    def article_of(self, item_id: str) -> Article:
        """The article an item belongs to (KeyError for an unknown id)."""
        return self._entries[item_id].article

    def article(self, article_id: str) -> Article | None:
        """The article with this id in this snapshot, or None."""
        return self._articles.get(article_id)

    def summary_of(self, article: Article) -> str:
        """The article's one-line digest summary (:mod:`bot.digest.summary`), memoised."""
        cached = self._summaries.get(article.id)
        if cached is None:
            cached = one_line_summary(article)
            with self._lock:
                cached = self._summaries.setdefault(article.id, cached)
        return cached

    def item(self, item_id: str) -> DigestItem:
        """The detailed item (KeyError for an unknown id), computed once per snapshot."""
        cached = self._items.get(item_id)
        if cached is not None:
            return cached
        entry = self._entries[item_id]
        item = self._detail(entry)
        with self._lock:
            return self._items.setdefault(item_id, item)

    def _detail(self, entry: _Entry) -> DigestItem:
        article = entry.article
        section = article.sections[entry.section_index]
        heading = clip(section.heading, MAX_HEADING_CHARS) if section.heading else None
        return DigestItem(
            item_id=entry.item_id,
            item_hash=entry.item_hash,
            article_id=article.id,
            section_index=entry.section_index,
            article_title=clip(article.title, MAX_TITLE_CHARS),
            section_heading=heading,
            summary=_summary(article, section),
            facts=key_facts(article, section),
            question=self._question(article, entry.section_index),
            topics=entry.topics,
            file=article.file,
            line=section.line,
        )

    def _question(self, article: Article, section_index: int) -> str:
        """A question the bot answers from this section, else 介绍一下《title》."""
        answerer = self._answerer
        if answerer is None:
            from bot.answer.engine import Answerer

            answerer = self._answerer = Answerer(self.knowledge)
        with self.knowledge.bound():
            questions = answerer.suggestions_for(article.id, section_index)
        for question in questions:
            if len(question) <= MAX_QUESTION_CHARS:
                return question
        responses = self.knowledge.rules.responses
        title = clip(article.title, MAX_QUESTION_CHARS - len("介绍一下《》"))
        if responses.has("suggest_article"):
            return responses.text("suggest_article", "zh", title=title)
        return f"介绍一下《{title}》"


_catalogs: OrderedDict[int, Catalog] = OrderedDict()
_catalogs_lock = threading.Lock()


def catalog_for(knowledge: Knowledge, answerer: Answerer | None = None) -> Catalog:
    """The (cached) catalog of a snapshot, so a fan-out details each item once, not per chat.

    Keyed by identity: a reload produces a new snapshot and so a new catalog. The catalog holds
    its snapshot, so an id cannot be reused while the entry lives.
    """
    with _catalogs_lock:
        catalog = _catalogs.get(id(knowledge))
        if catalog is not None and catalog.knowledge is knowledge:
            _catalogs.move_to_end(id(knowledge))
            return catalog
    catalog = Catalog(knowledge, answerer)
    with _catalogs_lock:
        _catalogs[id(knowledge)] = catalog
        while len(_catalogs) > CATALOG_CACHE_SIZE:
            _catalogs.popitem(last=False)
    return catalog
