"""Which items a chat's next digest holds, grouped by topic.

Pure over its inputs (a snapshot, the chat's topics, what the ledger says it has received), so
the CLI, ``/digest``, the scheduler and the tests all compute the same digest.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.digest.items import DigestItem, catalog_for
from bot.knowledge.build import Knowledge
from bot.rules.model import Topic

if TYPE_CHECKING:
    from bot.answer.engine import Answerer
    from bot.store.aio import AsyncStore
    from bot.store.db import Store

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TopicGroup:
    """The items listed under one topic heading."""

    topic: Topic
    items: tuple[DigestItem, ...]


@dataclass(frozen=True, slots=True)
class Digest:
    """A chat's pending items, grouped by topic in the rules' topic order, each item once."""

    groups: tuple[TopicGroup, ...]
    knowledge_version: str
    subscribed: tuple[str, ...]  # the topic ids asked for (known or not), for "subscribe first"

    @property
    def items(self) -> tuple[DigestItem, ...]:
        return tuple(item for group in self.groups for item in group.items)

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
    when its hash differs, so an edited section comes back once. An item tagged with several
    subscribed topics is listed under the first of them in the rules' order (the order
    ``/topics`` shows), and items are in page order (article, then section) within a topic.
    Topics no longer in the rules are ignored: a subscription outlives a YAML edit.
    """
    catalog = catalog_for(knowledge, answerer)
    wanted = list(dict.fromkeys(subscriptions))
    known = {topic.id: topic for topic in knowledge.rules.topics}
    unknown = [t for t in wanted if t not in known]
    if unknown:
        logger.debug("ignoring subscriptions to unknown topics %s", unknown)
    chosen = set(wanted)
    seen: set[str] = set()
    groups: list[TopicGroup] = []
    for topic in knowledge.rules.topics:
        if topic.id not in chosen:
            continue
        ids = [
            item_id
            for item_id in catalog.topic_item_ids(topic.id)
            if item_id not in seen and delivered.get(item_id) != catalog.item_hash(item_id)
        ]
        seen.update(ids)
        if ids:
            ids.sort(key=catalog.position)
            groups.append(TopicGroup(topic, tuple(catalog.item(i) for i in ids)))
    return Digest(tuple(groups), knowledge.version, tuple(wanted))


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
