"""Split a digest into messages that fit, before anything is rendered.

The split is decided here, once, from sizes the renderer reports (plain text for the CLI, HTML
for Telegram), so every front end obeys the same rules: no message over the limit, no item cut
in two, items kept under their topic's heading, and the heading repeated (marked "continued")
when a topic runs on into the next message. The delivery loop also needs the split: it records
each message's items in the ledger as soon as that message is out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final

from bot.digest.build import Digest, entry_item_ids
from bot.digest.entries import DigestEntry
from bot.digest.errors import ItemTooLargeError
from bot.digest.items import DigestItem
from bot.rules.model import Topic

logger = logging.getLogger(__name__)

TELEGRAM_MESSAGE_LIMIT: Final = 4096  # characters of text after entity parsing
DEFAULT_MAX_MESSAGES: Final = 10  # per digest; the rest waits for the next one, no flood

ItemSize = Callable[[DigestEntry], int]  # the size of one entry (one article)
HeaderSize = Callable[[Topic, bool], int]  # (topic, continued) -> size


@dataclass(frozen=True, slots=True)
class MessageLayout:
    """The renderer's promise about sizes: a message is ``overhead`` plus its pieces.

    ``overhead`` must bound the per-message title and footer (the "N more next time" line
    included) for any message number, and sizes must add up: the rendered message is at most
    ``overhead + Σ header_size + Σ item_size``.
    """

    limit: int
    item_size: ItemSize
    header_size: HeaderSize
    overhead: int = 0

    @property
    def budget(self) -> int:
        """Room for topic headings and items in one message."""
        return self.limit - self.overhead


@dataclass(frozen=True, slots=True)
class MessagePart:
    """A run of one topic's entries inside a message, under that topic's heading."""

    topic: Topic
    entries: tuple[DigestEntry, ...]
    continued: bool  # the topic began in an earlier message: say so in the heading

    @property
    def items(self) -> tuple[DigestItem, ...]:
        return tuple(item for entry in self.entries for item in entry.items)


@dataclass(frozen=True, slots=True)
class DigestMessage:
    """One message of a digest; ``index`` counts from 0 and ``total`` is the plan's length."""

    index: int
    total: int
    parts: tuple[MessagePart, ...]
    deferred: int = 0  # on the last message: items left for the next digest (say so)

    @property
    def items(self) -> tuple[DigestItem, ...]:
        return tuple(item for part in self.parts for item in part.items)

    @property
    def entries(self) -> tuple[DigestEntry, ...]:
        return tuple(entry for part in self.parts for entry in part.entries)

    @property
    def keys(self) -> tuple[tuple[str, str], ...]:
        """``(item_id, item_hash)`` pairs to record once this message is sent."""
        return tuple(item.key for item in self.items)

    @property
    def empty(self) -> bool:
        """A message with no items: the "nothing new" note sent only when asked to."""
        return not self.parts


@dataclass(frozen=True, slots=True)
class MessagePlan:
    """The messages of a digest, plus how many items did not fit in ``max_messages``."""

    messages: tuple[DigestMessage, ...]
    deferred: tuple[str, ...] = ()  # ids of the items left for the next digest, in order

    def __iter__(self) -> Iterator[DigestMessage]:
        return iter(self.messages)

    def __len__(self) -> int:
        return len(self.messages)

    def __getitem__(self, index: int) -> DigestMessage:
        return self.messages[index]

    @property
    def items(self) -> tuple[DigestItem, ...]:
        return tuple(item for message in self.messages for item in message.items)


def plan_messages(
    digest: Digest, layout: MessageLayout, *, max_messages: int | None = DEFAULT_MAX_MESSAGES
) -> MessagePlan:
    """Greedy first-fit in digest order: fill a message, start the next when an entry won't fit.

    An empty digest plans one empty message (what ``send_empty`` sends). Items beyond
    ``max_messages`` messages are returned as ``deferred`` (the item ids of the entries left
    out, never detailed): they stay pending in the ledger and lead the next digest. An entry
    is never split: all of an article's pending sections go out in one message. Raises
    :class:`ItemTooLargeError` when one entry cannot fit even in an empty message.
    """
    if max_messages is not None and max_messages < 1:
        raise ValueError(f"max_messages must be at least 1, got {max_messages}")
    if digest.empty:
        return MessagePlan((DigestMessage(0, 1, ()),))
    budget = layout.budget
    messages: list[tuple[MessagePart, ...]] = []
    parts: list[MessagePart] = []
    used = 0
    deferred: list[str] = []
    full = False
    for group in digest.groups:
        topic = group.topic
        run: list[DigestEntry] = []
        continued = False
        for index in range(len(group.entries)):
            if full:  # counted from the ids: an entry that is not sent is never detailed
                deferred.extend(entry_item_ids(group.entries, index))
                continue
            entry = group.entries[index]
            size = _size(layout.item_size(entry), "item_size")
            header = 0 if run else _size(layout.header_size(topic, continued), "header_size")
            if used + header + size > budget and (parts or run):
                if run:
                    parts.append(MessagePart(topic, tuple(run), continued))
                    continued = True
                    run = []
                messages.append(tuple(parts))
                parts, used = [], 0
                if max_messages is not None and len(messages) >= max_messages:
                    full = True
                    deferred.extend(entry_item_ids(group.entries, index))
                    continue
                header = _size(layout.header_size(topic, continued), "header_size")
            if header + size > budget and not parts and not run:
                raise ItemTooLargeError(entry.item_id, header + size, budget)
            used += header + size
            run.append(entry)
        if run:
            parts.append(MessagePart(topic, tuple(run), continued))
    if parts:
        messages.append(tuple(parts))
    total = len(messages)
    if deferred:
        logger.info(
            "digest needs more than %d messages; %d items wait for the next one",
            total,
            len(deferred),
        )
    return MessagePlan(
        tuple(
            DigestMessage(index, total, message, len(deferred) if index == total - 1 else 0)
            for index, message in enumerate(messages)
        ),
        tuple(deferred),
    )


def _size(value: int, what: str) -> int:
    """Refuse negative sizes: they would let the greedy fill overrun the limit."""
    if value < 0:
        raise ValueError(f"{what} returned a negative size {value}")
    return value
