"""Which items a chat's next digest holds, grouped by topic.

Pure over its inputs (a snapshot, the chat's topics, what the ledger says it has received), so
the CLI, ``/digest``, the scheduler and the tests all compute the same digest.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.answer.archive import PageDates
from bot.content.model import Article
from bot.digest.entries import DigestEntry, entry_for
from bot.digest.items import DigestItem, catalog_for
from bot.knowledge.build import Knowledge
from bot.knowledge.topics import expand_keywords
from bot.rules.model import Topic
from bot.text.normalize import normalize

if TYPE_CHECKING:
    from bot.answer.engine import Answerer
    from bot.store.aio import AsyncStore
    from bot.store.db import Store

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TopicGroup:
    """The entries (one per article) listed under one topic heading."""

    topic: Topic
    entries: tuple[DigestEntry, ...]

    @property
    def items(self) -> tuple[DigestItem, ...]:
        """The section items the entries deliver, in page order."""
        return tuple(item for entry in self.entries for item in entry.items)


@dataclass(frozen=True, slots=True)
class Digest:
    """A chat's pending items as one entry per article, grouped by topic in the rules' topic
    order, each item and each article once."""

    groups: tuple[TopicGroup, ...]
    knowledge_version: str
    subscribed: tuple[str, ...]  # the topic ids asked for (known or not), for "subscribe first"

    @property
    def items(self) -> tuple[DigestItem, ...]:
        return tuple(item for group in self.groups for item in group.items)

    @property
    def entries(self) -> tuple[DigestEntry, ...]:
        return tuple(entry for group in self.groups for entry in group.entries)

    @property
    def keys(self) -> tuple[tuple[str, str], ...]:
        return tuple(item.key for item in self.items)

    @property
    def empty(self) -> bool:
        return not self.groups

    def __len__(self) -> int:
        return sum(len(group.items) for group in self.groups)


@dataclass(frozen=True, slots=True)
class Notice:
    """A "new content" note for one chat: the new or changed items of its topics."""

    chat_id: int
    items: tuple[DigestItem, ...]
    topics: tuple[str, ...]  # the chat's subscribed topics these items fall under

    @property
    def keys(self) -> tuple[tuple[str, str], ...]:
        return tuple(item.key for item in self.items)


def build_digest(
    knowledge: Knowledge,
    subscriptions: Iterable[str],
    delivered: Mapping[str, str],
    *,
    answerer: Answerer | None = None,
) -> Digest:
    """The items of the subscribed topics not yet delivered in their current version.

    ``delivered`` maps item id to the hash last sent (``Store.delivered``); an item is pending
    when its hash differs, so an edited section comes back once. Pending items are listed as
    one entry per article, under the subscribed topic that fits the article best (see
    :func:`_home_topic`); topics come in the rules' order (the order ``/topics`` shows), and
    entries newest page first, then in page order (article, then section) within a topic.
    Topics no longer in the rules are ignored: a subscription outlives a YAML edit.
    """
    catalog = catalog_for(knowledge, answerer)
    wanted = list(dict.fromkeys(subscriptions))
    known = {topic.id: topic for topic in knowledge.rules.topics}
    unknown = [t for t in wanted if t not in known]
    if unknown:
        logger.debug("ignoring subscriptions to unknown topics %s", unknown)
    chosen = [topic for topic in knowledge.rules.topics if topic.id in set(wanted)]
    pending: dict[str, list[str]] = {}  # article id -> its pending item ids
    tagged: dict[str, list[str]] = {}  # article id -> the chosen topics its pending items have
    for topic in chosen:
        for item_id in catalog.topic_item_ids(topic.id):
            if delivered.get(item_id) == catalog.item_hash(item_id):
                continue
            article_id = catalog.article_of(item_id).id
            ids = pending.setdefault(article_id, [])
            if item_id not in ids:
                ids.append(item_id)
            tagged.setdefault(article_id, []).append(topic.id)
    home = {
        article_id: _home_topic(catalog.article_of(ids[0]), tagged[article_id], chosen, knowledge)
        for article_id, ids in pending.items()
    }
    groups: list[TopicGroup] = []
    # the answerer's, when given: its snapshot's page dates are worked out once
    dates = answerer.pipeline.dates if answerer is not None else PageDates(knowledge)
    for topic in knowledge.rules.topics:
        articles = [a for a, t in home.items() if t == topic.id]
        if not articles:
            continue
        entries = []
        for article_id in articles:
            ids = sorted(pending[article_id], key=catalog.position)
            article = catalog.article_of(ids[0])
            items = tuple(catalog.item(i) for i in ids)
            entries.append(entry_for(article, items, catalog.summary_of(article)))
        # an archive's newest page first: a digest over many days leads with the latest,
        # and what does not fit comes in the next one (bot/digest/plan.py)
        entries.sort(key=lambda e: (-_day(dates, e.article_id), catalog.position(e.item_id)))
        groups.append(TopicGroup(topic, tuple(entries)))
    return Digest(tuple(groups), knowledge.version, tuple(wanted))


def _day(dates: PageDates, article_id: str) -> int:
    article = dates.k.article(article_id)
    day = dates.of(article) if article is not None else None
    return day.toordinal() if day is not None else 0


def _home_topic(
    article: Article, tags: list[str], chosen: list[Topic], knowledge: Knowledge
) -> str:
    """The topic an article is listed under: the subscribed one its title names most (a
    customs story mentioning chips is a customs story), then the one most of its pending
    sections are tagged with, then the first in the rules' order."""
    title = normalize(article.title)
    order = {topic.id: position for position, topic in enumerate(chosen)}
    by_id = {topic.id: topic for topic in chosen}

    def fit(topic_id: str) -> tuple[int, int, int]:
        words = expand_keywords(by_id[topic_id], knowledge.rules.synonyms)
        in_title = sum(1 for word in words if normalize(word) in title)
        return (-in_title, -tags.count(topic_id), order[topic_id])

    return min(dict.fromkeys(tags), key=fit)


def new_subscriber_digest(
    knowledge: Knowledge, topic_id: str, *, answerer: Answerer | None = None
) -> Digest:
    """What a chat that just subscribed to ``topic_id`` would get: all of the topic's items."""
    return build_digest(knowledge, [topic_id], {}, answerer=answerer)


async def pending_for_chat(
    store: AsyncStore, knowledge: Knowledge, chat_id: int, *, answerer: Answerer | None = None
) -> Digest:
    """The chat's next digest as of now (what ``/digest`` would send), from the store."""
    subscriptions = await store.subscriptions(chat_id)
    delivered = await store.delivered(chat_id, "digest") if subscriptions else {}
    return build_digest(knowledge, subscriptions, delivered, answerer=answerer)


def pending_for_chat_sync(
    store: Store, knowledge: Knowledge, chat_id: int, *, answerer: Answerer | None = None
) -> Digest:
    """:func:`pending_for_chat` for synchronous callers (CLI, tests)."""
    subscriptions = store.subscriptions(chat_id)
    delivered = store.delivered(chat_id, "digest") if subscriptions else {}
    return build_digest(knowledge, subscriptions, delivered, answerer=answerer)
