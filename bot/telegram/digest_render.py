"""Digests and new-content notices as Telegram HTML, with their buttons.

Why a layout of our own: the core splits a digest into messages *before* anything is rendered,
from the sizes a renderer promises (:class:`~bot.digest.plan.MessageLayout`), and records each
message's items in the ledger once it is out.  So the sizes here must bound what Telegram will
count: the text after entity parsing, in UTF-16 units.  Every piece is built as
:mod:`bot.telegram.format` blocks and measured on the blocks' plain text (plus one newline each,
the most the renderer joins them with), then rendered by that one formatter, so escaping and
tags never count and a planned message always renders as exactly one Telegram message.

Each entry (one per article) gets a 阅读 button (``dr:<article>:0:<check>``, well under 64
bytes, see :mod:`bot.telegram.article_view`) that shows the whole article, paged.  Digests sent
before entries carried "ask about it" buttons (``dq:<article>:<section>:<check>``, the check
being the question's :func:`text_check`); :class:`AskRef` still answers those.
``/topics`` toggles (``dt:<topic>:<language>``) keep the keyboard in the language it was shown
in, whoever presses.  Nothing here touches the network or the store.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import ClassVar, Final, Self

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.digest import DigestItem, DigestMessage, MessageLayout, Notice, make_item_id, say
from bot.digest.entries import DigestEntry
from bot.digest.text import entry_lines, render_notice_text
from bot.rules.model import Responses, Topic
from bot.telegram.article_view import ReadRef
from bot.telegram.callbacks import CallbackData, encode, text_check
from bot.telegram.format import (
    BLANK,
    MESSAGE_LIMIT,
    Block,
    block,
    clean,
    format_lines,
    plain,
    render,
    utf16_len,
)
from bot.telegram.keyboards import LABEL_LIMIT
from bot.telegram.labels import distinct_labels

logger = logging.getLogger(__name__)

#: Items per message at most: Telegram allows 100 buttons per keyboard and formats at most 100
#: entities per message; each item brings one button and one bold heading.
MAX_ITEMS_PER_MESSAGE: Final = 40
_WIDEST_COUNT: Final = 9999  # the title and footer are sized for numbers up to this
LANGUAGES: Final = ("zh", "en")


class DigestLayoutError(RuntimeError):
    """A planned message rendered as more than one Telegram message: a bug in the sizes."""


# --- button data ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AskRef:
    """The "ask about it" button of a digest item: ask the item's question."""

    ACTION: ClassVar[str] = "dq"
    article_id: str
    section: int
    check: str  # text_check of the question the button was made for

    @classmethod
    def of(cls, item: DigestItem) -> Self:
        return cls(item.article_id, item.section_index, text_check(item.question))

    @property
    def item_id(self) -> str:
        return make_item_id(self.article_id, self.section)

    def encode(self) -> str:
        return encode(self.ACTION, self.article_id, self.section, self.check)

    @classmethod
    def parse(cls, data: CallbackData) -> Self:
        data.expect(3)
        return cls(data.field(0), data.index(1), data.check(2))


@dataclass(frozen=True, slots=True)
class ToggleRef:
    """A ``/topics`` button: subscribe to the topic, or unsubscribe if subscribed."""

    ACTION: ClassVar[str] = "dt"
    topic_id: str
    language: str  # of the keyboard, so an edit keeps the labels' language

    def encode(self) -> str:
        return encode(self.ACTION, self.topic_id, self.language)

    @classmethod
    def parse(cls, data: CallbackData) -> Self:
        data.expect(2)
        language = data.field(1)
        return cls(data.field(0), language if language in LANGUAGES else "zh")


# --- digest messages ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RenderedDigest:
    """One planned message as sent: HTML text and its keyboard of 阅读 buttons."""

    html: str
    keyboard: InlineKeyboardMarkup | None
    opens: tuple[ReadRef, ...] = ()  # the entries' 阅读 buttons, in order


def blocks_size(blocks: Sequence[Block]) -> int:
    """An upper bound of the blocks' rendered length: their cleaned text plus a newline each."""
    return sum(utf16_len(clean(b.plain)) + 1 for b in blocks)


def _title_blocks(responses: Responses, index: int, total: int, language: str) -> list[Block]:
    if total == 1:
        return [block(say(responses, "digest_title_single", language), bold=True)]
    text = say(responses, "digest_title", language, index=index, total=total)
    return [block(text, bold=True)]


def _footer_blocks(responses: Responses, deferred: int, language: str) -> list[Block]:
    text = say(responses, "digest_deferred", language, count=deferred)
    return [BLANK, block(text, italic=True)]


def _topic_blocks(
    responses: Responses, topic: Topic, continued: bool, language: str
) -> list[Block]:
    key = "digest_topic_continued" if continued else "digest_topic"
    return [BLANK, block(say(responses, key, language, topic=topic.name(language)), bold=True)]


def _entry_blocks(
    responses: Responses, entry: DigestEntry, number: int, language: str
) -> list[Block]:
    """Numbered heading with the page date in bold (the number matches the entry's button),
    the one-line summary, the link when the page has one."""
    heading, *rest = entry_lines(responses, entry, language)
    return [BLANK, block(f"{number}. {heading}", bold=True), *(block(line) for line in rest)]


def digest_layout(
    responses: Responses, language: str, limit: int = MESSAGE_LIMIT
) -> MessageLayout:
    """The sizes :func:`render_digest` keeps to, for the core's message plan.

    Items are measured with the widest number a message can show, and never below a floor
    that caps a message at :data:`MAX_ITEMS_PER_MESSAGE` items (buttons and entities).
    """
    overhead = max(
        blocks_size(_title_blocks(responses, _WIDEST_COUNT, _WIDEST_COUNT, language)),
        blocks_size(_title_blocks(responses, 1, 1, language)),
    ) + blocks_size(_footer_blocks(responses, _WIDEST_COUNT, language))
    floor = (limit - overhead) // MAX_ITEMS_PER_MESSAGE + 1

    def item_size(entry: DigestEntry) -> int:
        measured = blocks_size(_entry_blocks(responses, entry, MAX_ITEMS_PER_MESSAGE, language))
        return max(floor, measured)

    def header_size(topic: Topic, continued: bool) -> int:
        return blocks_size(_topic_blocks(responses, topic, continued, language))

    return MessageLayout(limit, item_size, header_size, overhead)


def render_digest(
    message: DigestMessage, responses: Responses, language: str, limit: int = MESSAGE_LIMIT
) -> RenderedDigest:
    """One planned message: title, then per topic its heading and numbered entries (one per
    article), one 阅读 button per entry with a label no other button in the message has; the
    "N more next time" line on the last message."""
    if message.empty:
        return RenderedDigest(render([block(say(responses, "digest_empty", language))])[0], None)
    blocks = _title_blocks(responses, message.index + 1, message.total, language)
    refs: list[tuple[int, DigestEntry, ReadRef]] = []
    number = 0
    for part in message.parts:
        blocks += _topic_blocks(responses, part.topic, part.continued, language)
        for entry in part.entries:
            number += 1
            blocks += _entry_blocks(responses, entry, number, language)
            ref = ReadRef.opening(entry)
            try:
                ref.encode()
            except ValueError as exc:  # an id the codec cannot carry: no button, still the entry
                logger.warning("read button of %s left out: %s", entry.article_id, exc)
                continue
            refs.append((number, entry, ref))
    if message.deferred:
        blocks += _footer_blocks(responses, message.deferred, language)
    chunks = render(blocks, limit)
    if len(chunks) != 1:
        raise DigestLayoutError(
            f"digest message {message.index + 1}/{message.total} rendered as {len(chunks)}"
        )
    labels = distinct_labels(
        [responses.text("tg_digest_open", language, index=n, title=e.title) for n, e, _ in refs],
        LABEL_LIMIT,
    )
    rows = [
        [InlineKeyboardButton(label, callback_data=ref.encode())]
        for label, (_, _, ref) in zip(labels, refs, strict=True)
    ]
    return RenderedDigest(
        chunks[0], InlineKeyboardMarkup(rows) if rows else None, tuple(r for _, _, r in refs)
    )


# --- notices --------------------------------------------------------------------------------


def render_notice(notice: Notice, responses: Responses, language: str) -> str:
    """The "新内容" notice as one HTML message, its first line in bold.

    The core's text already fits one message (it says "… and N more" when items overflow);
    rendering only adds tags, which Telegram does not count.
    """
    text = render_notice_text(notice, responses, language)
    chunks = format_lines(text.split("\n"), bold_first=True)
    if len(chunks) != 1:
        raise DigestLayoutError(f"notice for chat {notice.chat_id} rendered as {len(chunks)}")
    return chunks[0]


# --- /topics --------------------------------------------------------------------------------


def topics_keyboard(
    topics: Sequence[Topic], subscribed: Collection[str], responses: Responses, language: str
) -> InlineKeyboardMarkup | None:
    """One toggle per topic, ✓ on the subscribed ones."""
    rows: list[list[InlineKeyboardButton]] = []
    for topic in topics:
        key = "tg_digest_topic_on" if topic.id in subscribed else "tg_digest_topic_off"
        label = responses.text(key, language, topic=topic.name(language))
        try:
            data = ToggleRef(topic.id, language).encode()
        except ValueError as exc:
            logger.warning("topic button %s left out: %s", topic.id, exc)
            continue
        rows.append([InlineKeyboardButton(plain(label, LABEL_LIMIT), callback_data=data)])
    return InlineKeyboardMarkup(rows) if rows else None
