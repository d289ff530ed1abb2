"""The digest catalog: every item of one snapshot, found from ids, hashes and heads, detailed
on demand and memoised, shared by every chat's digest of that snapshot."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, Final

from bot.content.model import Article, ArticleHead, Section
from bot.digest.items import (
    MAX_HEADING_CHARS,
    MAX_QUESTION_CHARS,
    MAX_SUMMARY_CHARS,
    MAX_TITLE_CHARS,
    DigestItem,
    ItemDetails,
    clip,
    key_facts,
    make_item_id,
    parse_item_id,
)
from bot.digest.summary import one_line_summary
from bot.knowledge.build import Knowledge

if TYPE_CHECKING:
    from bot.answer.engine import Answerer

logger = logging.getLogger(__name__)

CATALOG_CACHE_SIZE: Final = 3  # the current snapshot, the one before (for notices), a spare


def _summary(article: Article, section: Section) -> str:
    """The section's one-line summary; the lead sentence or the article's when it has none."""
    text = section.summary
    if not text:
        first = next((s.text for p in section.paragraphs for s in p.sentences), "")
        text = first or article.summary
    return clip(text, MAX_SUMMARY_CHARS)


class Catalog:
    """The items of one Knowledge snapshot: ids, hashes and topics from the article heads,
    details on demand.

    Nothing here reads an article until an item is detailed: ids come from the topic tags,
    hashes from the heads (:attr:`ArticleHead.section_hashes`), page order from the heads'
    order. Finding a verified question for a section is dear (the answerer has to answer it),
    so items are detailed only when a digest message includes them, then memoised. That keeps
    an archive of thousands of articles from stalling the first scheduler tick.
    """

    def __init__(self, knowledge: Knowledge, answerer: Answerer | None = None) -> None:
        self.knowledge = knowledge
        self._answerer = answerer
        self._lock = threading.Lock()
        self._items: dict[str, DigestItem] = {}
        self._extras: dict[str, ItemDetails] = {}
        self._heads: dict[str, tuple[int, ArticleHead]] = {
            head.id: (position, head) for position, head in enumerate(knowledge.heads)
        }
        self._summaries: dict[str, str] = {}
        self._by_topic: dict[str, tuple[str, ...]] = {
            topic: tuple(make_item_id(a, i) for a, i in refs)
            for topic, refs in knowledge.topics.by_topic.items()
        }

    def __len__(self) -> int:
        return sum(head.sections for _, head in self._heads.values())

    def __contains__(self, item_id: object) -> bool:
        return isinstance(item_id, str) and self._ref(item_id) is not None

    def _ref(self, item_id: str) -> tuple[int, ArticleHead, int] | None:
        """``(article position, head, section index)`` of a valid item id, else None."""
        parsed = parse_item_id(item_id)
        if parsed is None:
            return None
        found = self._heads.get(parsed[0])
        if found is None or parsed[1] >= found[1].sections:
            return None
        return found[0], found[1], parsed[1]

    def _known(self, item_id: str) -> tuple[int, ArticleHead, int]:
        ref = self._ref(item_id)
        if ref is None:
            raise KeyError(item_id)
        return ref

    @property
    def item_ids(self) -> tuple[str, ...]:
        """Every item id, in page order (article, then section)."""
        return tuple(
            make_item_id(head.id, index)
            for _, head in self._heads.values()
            for index in range(head.sections)
        )

    def item_hash(self, item_id: str) -> str:
        _, head, index = self._known(item_id)
        return head.section_hashes[index]

    def key(self, item_id: str) -> tuple[str, str]:
        return (item_id, self.item_hash(item_id))

    def position(self, item_id: str) -> tuple[int, int]:
        """The item's place in page order (article, section); digests list items in it."""
        article, _, index = self._known(item_id)
        return (article, index)

    def topics_of(self, item_id: str) -> tuple[str, ...]:
        _, head, index = self._known(item_id)
        return tuple(self.knowledge.topics.by_section.get((head.id, index), ()))

    def topic_item_ids(self, topic_id: str) -> tuple[str, ...]:
        """The ids of the topic's items in page order (empty for an unknown topic)."""
        return self._by_topic.get(topic_id, ())

    def article_item_ids(self, article_ids: Iterable[str]) -> tuple[str, ...]:
        """The ids of every section of the given articles, in page order."""
        found = sorted(self._heads[a] for a in set(article_ids) if a in self._heads)
        return tuple(make_item_id(head.id, i) for _, head in found for i in range(head.sections))

    def head_of(self, item_id: str) -> ArticleHead:
        """The head of the article an item belongs to (KeyError for an unknown id)."""
        return self._known(item_id)[1]

    def article_of(self, item_id: str) -> Article:
        """The article an item belongs to (KeyError for an unknown id); read from the
        snapshot, so only for items being detailed."""
        article = self.knowledge.article(self._known(item_id)[1].id)
        if article is None:
            raise KeyError(item_id)
        return article

    def article(self, article_id: str) -> Article | None:
        """The article with this id in this snapshot, or None."""
        return self.knowledge.article(article_id)

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
        item = self._detail(item_id)
        with self._lock:
            return self._items.setdefault(item_id, item)

    def _detail(self, item_id: str) -> DigestItem:
        article = self.article_of(item_id)
        index = self._known(item_id)[2]
        section = article.sections[index]
        heading = clip(section.heading, MAX_HEADING_CHARS) if section.heading else None
        return DigestItem(
            item_id=item_id,
            item_hash=section.text_hash,
            article_id=article.id,
            section_index=index,
            article_title=clip(article.title, MAX_TITLE_CHARS),
            section_heading=heading,
            summary=_summary(article, section),
            details=partial(self._details, item_id),
            topics=self.topics_of(item_id),
            file=article.file,
            line=section.line,
        )

    def _details(self, item_id: str) -> ItemDetails:
        """The item's key facts and question, worked out once per snapshot."""
        cached = self._extras.get(item_id)
        if cached is not None:
            return cached
        article = self.article_of(item_id)
        index = self._known(item_id)[2]
        found = ItemDetails(
            key_facts(article, article.sections[index]), self._question(article, index)
        )
        with self._lock:
            return self._extras.setdefault(item_id, found)

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
