"""Which items a chat's next digest holds, grouped by topic.

Pure over its inputs (a snapshot, the chat's topics, what the ledger says it has received), so
the CLI, ``/digest``, the scheduler and the tests all compute the same digest.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, overload

from bot.answer.archive import PageDates
from bot.content.model import ArticleHead
from bot.digest.catalog import Catalog, catalog_for
from bot.digest.entries import DigestEntry, entry_for
from bot.digest.items import DigestItem
from bot.knowledge.build import Knowledge
from bot.knowledge.topics import expand_keywords
from bot.rules.model import Topic
from bot.text.normalize import normalize

if TYPE_CHECKING:
    from bot.answer.engine import Answerer
    from bot.store.aio import AsyncStore
    from bot.store.db import Store

logger = logging.getLogger(__name__)


class PendingEntries(Sequence[DigestEntry]):
    """A topic's pending articles in digest order, detailed only when looked at.

    Which sections are pending, and in what order, is known from the catalog's ids, hashes and
    heads; detailing an entry (summary, key facts, a verified question) is what costs. The
    planner looks at entries one by one and stops at its message cap, so a digest over an
    archive details what it sends, not every article the topic ever had.
    """

    def __init__(self, catalog: Catalog, pending: Sequence[tuple[str, tuple[str, ...]]]) -> None:
        self._catalog = catalog
        self._pending = tuple(pending)  # (article id, its pending item ids in page order)
        self._detailed: dict[int, DigestEntry] = {}

    def __len__(self) -> int:
        return len(self._pending)

    @overload
    def __getitem__(self, index: int) -> DigestEntry: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[DigestEntry]: ...

    def __getitem__(self, index: int | slice) -> DigestEntry | Sequence[DigestEntry]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(len(self))[index])
        position = range(len(self))[index]
        entry = self._detailed.get(position)
        if entry is None:
            entry = self._detailed[position] = self._detail(*self._pending[position])
        return entry

    def _detail(self, article_id: str, item_ids: tuple[str, ...]) -> DigestEntry:
        catalog = self._catalog
        article = catalog.article_of(item_ids[0])
        items = tuple(catalog.item(i) for i in item_ids)
        return entry_for(article, items, catalog.summary_of(article))

    def item_ids_at(self, index: int) -> tuple[str, ...]:
        """The item ids entry ``index`` delivers, without detailing it."""
        return self._pending[index][1]

    def keys_at(self, index: int) -> tuple[tuple[str, str], ...]:
        return tuple(self._catalog.key(i) for i in self._pending[index][1])


def entry_item_ids(entries: Sequence[DigestEntry], index: int) -> tuple[str, ...]:
    """The item ids of ``entries[index]``, without detailing a pending entry."""
    if isinstance(entries, PendingEntries):
        return entries.item_ids_at(index)
    return tuple(item.item_id for item in entries[index].items)


def _entry_keys(entries: Sequence[DigestEntry]) -> Iterator[tuple[str, str]]:
    for index in range(len(entries)):
        if isinstance(entries, PendingEntries):
            yield from entries.keys_at(index)
        else:
            yield from entries[index].keys


@dataclass(frozen=True, slots=True)
class TopicGroup:
    """The entries (one per article) listed under one topic heading."""

    topic: Topic
    entries: Sequence[DigestEntry]  # a tuple, or PendingEntries (detailed when looked at)

    @property
    def items(self) -> tuple[DigestItem, ...]:
        """The section items the entries deliver, in page order (details every entry)."""
        return tuple(item for entry in self.entries for item in entry.items)

    @property
    def keys(self) -> tuple[tuple[str, str], ...]:
        """``(item_id, item_hash)`` of every item, without detailing any."""
        return tuple(_entry_keys(self.entries))

    def __len__(self) -> int:
        """How many items the group delivers, without detailing any."""
        return sum(len(entry_item_ids(self.entries, i)) for i in range(len(self.entries)))


@dataclass(frozen=True, slots=True)
class Digest:
    """A chat's pending items as one entry per article, grouped by topic in the rules' topic
    order, each item and each article once."""

    groups: tuple[TopicGroup, ...]
    knowledge_version: str
    subscribed: tuple[str, ...]  # the topic ids asked for (known or not), for "subscribe first"

    @property
    def items(self) -> tuple[DigestItem, ...]:
        """Every item, detailed (the planner looks at entries one by one instead)."""
        return tuple(item for group in self.groups for item in group.items)

    @property
    def entries(self) -> tuple[DigestEntry, ...]:
        return tuple(entry for group in self.groups for entry in group.entries)

    @property
    def keys(self) -> tuple[tuple[str, str], ...]:
        return tuple(key for group in self.groups for key in group.keys)

    @property
    def empty(self) -> bool:
        return not self.groups

    def __len__(self) -> int:
        return sum(len(group) for group in self.groups)


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
    heads: dict[str, ArticleHead] = {}
    for topic in chosen:
        for item_id in catalog.topic_item_ids(topic.id):
            if delivered.get(item_id) == catalog.item_hash(item_id):
                continue
            head = catalog.head_of(item_id)
            heads[head.id] = head
            ids = pending.setdefault(head.id, [])
            if item_id not in ids:
                ids.append(item_id)
            tagged.setdefault(head.id, []).append(topic.id)
    home = {
        article_id: _home_topic(heads[article_id], tagged[article_id], chosen, knowledge)
        for article_id in pending
    }
    groups: list[TopicGroup] = []
    # the answerer's, when given: its snapshot's page dates are worked out once
    dates = answerer.pipeline.dates if answerer is not None else PageDates(knowledge)
    for topic in knowledge.rules.topics:
        listed = [
            (article_id, tuple(sorted(pending[article_id], key=catalog.position)))
            for article_id, home_topic in home.items()
            if home_topic == topic.id
        ]
        if not listed:
            continue
        # an archive's newest page first: a digest over many days leads with the latest,
        # and what does not fit comes in the next one (bot/digest/plan.py)
        listed.sort(key=lambda e: (-_day(dates, heads[e[0]]), catalog.position(e[1][0])))
        groups.append(TopicGroup(topic, PendingEntries(catalog, listed)))
    return Digest(tuple(groups), knowledge.version, tuple(wanted))


def _day(dates: PageDates, head: ArticleHead) -> int:
    day = dates.of(head)
    return day.toordinal() if day is not None else 0


def _home_topic(
    article: ArticleHead, tags: list[str], chosen: list[Topic], knowledge: Knowledge
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
