"""Compact callback data for inline buttons: ``action:field:field…``, at most 64 bytes.

Why this shape: Telegram gives a button at most 64 bytes of data and hands it back verbatim,
possibly days later, to a bot that has restarted or reloaded its content since.  So the data
holds ids and indexes that mean the same thing after a restart (article ids, section and
paragraph indexes, topic ids), never Python objects, plus a short check of the text a button
points at, so a button whose content changed under it is recognised as stale instead of doing
something else.  Anyone can send any data (clients can forge it), so :func:`decode` validates
everything and raises :class:`CallbackError`, which handlers turn into a polite answer.

Built-in actions are typed refs below; features (digests, admin) register their own action
names through :mod:`bot.telegram.features` and use :func:`encode`/:func:`decode` directly.
This module does not import ``telegram``.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from typing import ClassVar, Self

logger = logging.getLogger(__name__)

MAX_BYTES = 64
SEPARATOR = ":"
MAX_INDEX = 99_999
ACTION_RE = re.compile(r"[a-z][a-z0-9]{0,7}")
FIELD_RE = re.compile(r"[A-Za-z0-9_.-]{1,40}")
_INDEX_RE = re.compile(r"0|[1-9][0-9]{0,4}")
_CHECK_RE = re.compile(r"[0-9a-f]{6}")
NO_CHECK = "-"  # a check field with nothing to check


class CallbackError(ValueError):
    """Callback data the bot did not produce, or can no longer honour."""


@dataclass(frozen=True, slots=True)
class CallbackData:
    """Decoded, syntactically valid data: an action name and its fields."""

    action: str
    fields: tuple[str, ...]

    def index(self, position: int) -> int:
        """Field ``position`` as a small non-negative int; CallbackError otherwise."""
        value = self.field(position)
        if not _INDEX_RE.fullmatch(value):
            raise CallbackError(f"field {position} of {self.action!r} is not an index")
        return int(value)

    def field(self, position: int) -> str:
        if not 0 <= position < len(self.fields):
            raise CallbackError(f"{self.action!r} has no field {position}")
        return self.fields[position]

    def check(self, position: int) -> str:
        value = self.field(position)
        if value != NO_CHECK and not _CHECK_RE.fullmatch(value):
            raise CallbackError(f"field {position} of {self.action!r} is not a check")
        return value

    def expect(self, count: int) -> None:
        if len(self.fields) != count:
            raise CallbackError(f"{self.action!r} takes {count} fields, got {len(self.fields)}")


def text_check(text: str) -> str:
    """Six hex digits identifying ``text``; stable across processes (unlike ``hash``)."""
    data = text.encode("utf-8", "surrogatepass")
    return hashlib.blake2s(data, digest_size=3).hexdigest()


def encode(action: str, *fields: str | int) -> str:
    """``action:field…``; raises ValueError when it is not valid or longer than 64 bytes."""
    if not ACTION_RE.fullmatch(action):
        raise ValueError(f"invalid callback action {action!r}")
    parts = [action]
    for value in fields:
        text = str(value)
        if isinstance(value, int):
            if not 0 <= value <= MAX_INDEX:
                raise ValueError(f"callback index out of range: {value}")
        elif text != NO_CHECK and not FIELD_RE.fullmatch(text):
            raise ValueError(f"invalid callback field {text!r}")
        parts.append(text)
    data = SEPARATOR.join(parts)
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"callback data longer than {MAX_BYTES} bytes: {data!r}")
    return data


def decode(data: str | None) -> CallbackData:
    """Parse data from a button press; CallbackError for anything malformed."""
    if not data:
        raise CallbackError("empty callback data")
    if len(data.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise CallbackError("callback data too long")
    action, *fields = data.split(SEPARATOR)
    if not ACTION_RE.fullmatch(action):
        raise CallbackError(f"unknown callback action {action[:10]!r}")
    for value in fields:
        if value != NO_CHECK and not FIELD_RE.fullmatch(value):
            raise CallbackError("malformed callback field")
    return CallbackData(action, tuple(fields))


# --- built-in actions -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParagraphRef:
    """原文段落: paragraph ``paragraph`` of section ``section``, quote at ``start``+``length``."""

    ACTION: ClassVar[str] = "p"
    article_id: str
    section: int
    paragraph: int
    start: int
    length: int
    check: str  # text_check of the paragraph

    def encode(self) -> str:
        return encode(
            self.ACTION,
            self.article_id,
            self.section,
            self.paragraph,
            self.start,
            self.length,
            self.check,
        )

    @classmethod
    def parse(cls, data: CallbackData) -> Self:
        data.expect(6)
        return cls(
            data.field(0),
            data.index(1),
            data.index(2),
            data.index(3),
            data.index(4),
            data.check(5),
        )


@dataclass(frozen=True, slots=True)
class RelatedRef:
    """相关问题: the suggestions of a section, minus the question already asked."""

    ACTION: ClassVar[str] = "r"
    article_id: str
    section: int
    exclude: str  # text_check of the question asked, or NO_CHECK

    def encode(self) -> str:
        return encode(self.ACTION, self.article_id, self.section, self.exclude)

    @classmethod
    def parse(cls, data: CallbackData) -> Self:
        data.expect(3)
        return cls(data.field(0), data.index(1), data.check(2))


@dataclass(frozen=True, slots=True)
class SuggestionRef:
    """Ask suggestion ``index`` of a section's suggestion list (checked by its text)."""

    ACTION: ClassVar[str] = "q"
    article_id: str
    section: int
    index: int
    check: str  # text_check of the question

    def encode(self) -> str:
        return encode(self.ACTION, self.article_id, self.section, self.index, self.check)

    @classmethod
    def parse(cls, data: CallbackData) -> Self:
        data.expect(4)
        return cls(data.field(0), data.index(1), data.index(2), data.check(3))


@dataclass(frozen=True, slots=True)
class TopicRef:
    """订阅「topic」."""

    ACTION: ClassVar[str] = "t"
    topic_id: str

    def encode(self) -> str:
        return encode(self.ACTION, self.topic_id)

    @classmethod
    def parse(cls, data: CallbackData) -> Self:
        data.expect(1)
        return cls(data.field(0))


@dataclass(frozen=True, slots=True)
class ArticleRef:
    """Summarise one article (the /articles list)."""

    ACTION: ClassVar[str] = "a"
    article_id: str

    def encode(self) -> str:
        return encode(self.ACTION, self.article_id)

    @classmethod
    def parse(cls, data: CallbackData) -> Self:
        data.expect(1)
        return cls(data.field(0))


@dataclass(frozen=True, slots=True)
class ListPageRef:
    """Another page of the /articles list (an archive is paged through, newest first)."""

    ACTION: ClassVar[str] = "l"
    page: int

    def encode(self) -> str:
        return encode(self.ACTION, self.page)

    @classmethod
    def parse(cls, data: CallbackData) -> Self:
        data.expect(1)
        page = data.index(0)
        if page < 1:
            raise CallbackError("no such list page")
        return cls(page)


@dataclass(frozen=True, slots=True)
class ExampleRef:
    """One of /start's example questions, by position, checked by its text."""

    ACTION: ClassVar[str] = "x"
    index: int
    check: str  # text_check of the question

    def encode(self) -> str:
        return encode(self.ACTION, self.index, self.check)

    @classmethod
    def parse(cls, data: CallbackData) -> Self:
        data.expect(2)
        return cls(data.index(0), data.check(1))


TOKEN_RE = re.compile(r"[0-9a-f]{10}")
UP, DOWN = "u", "d"


@dataclass(frozen=True, slots=True)
class FeedbackRef:
    """👍/👎 under an answer: the logged question's token (never its text) and the vote."""

    ACTION: ClassVar[str] = "f"
    token: str  # ten hex digits (questions.token)
    vote: str  # UP or DOWN

    @property
    def rating(self) -> int:
        return 1 if self.vote == UP else -1

    def encode(self) -> str:
        return encode(self.ACTION, self.token, self.vote)

    @classmethod
    def parse(cls, data: CallbackData) -> Self:
        data.expect(2)
        token, vote = data.field(0), data.field(1)
        if not TOKEN_RE.fullmatch(token) or vote not in (UP, DOWN):
            raise CallbackError("malformed feedback button")
        return cls(token, vote)


BuiltinRef = (
    ParagraphRef
    | RelatedRef
    | SuggestionRef
    | TopicRef
    | ArticleRef
    | FeedbackRef
    | ExampleRef
    | ListPageRef
)
BUILTIN_ACTIONS: dict[str, type[BuiltinRef]] = {
    ref.ACTION: ref
    for ref in (
        ParagraphRef,
        RelatedRef,
        SuggestionRef,
        TopicRef,
        ArticleRef,
        FeedbackRef,
        ExampleRef,
        ListPageRef,
    )
}


def parse_builtin(data: CallbackData) -> BuiltinRef:
    """The typed ref of a built-in action; CallbackError for other actions or bad fields."""
    kind = BUILTIN_ACTIONS.get(data.action)
    if kind is None:
        raise CallbackError(f"not a built-in action: {data.action!r}")
    return kind.parse(data)


def try_encode(ref: BuiltinRef) -> str | None:
    """``ref.encode()``, or None (logged) when content ids do not fit the codec."""
    try:
        return ref.encode()
    except ValueError as exc:
        logger.warning("button left out: %s", exc)
        return None
