"""First parsing pass: page lines → headings and paragraphs, with photo captions removed.

OCR'd pages drop photo captions into the running text, often in the middle of a sentence
or even a word (``和天电子董事长陈`` · caption · ``宏志打电话…``).  Removing the caption is not
enough: the two halves must become one paragraph again, with each half remembering its
source line so quotes can still point at the right line.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from operator import itemgetter

from bot.text.chars import paragraph_is_finished

# "通讯员 摄", "记者 张三 摄", "湖南日报全媒体记者 张三 摄影", "张三 供图", with an optional
# description before it on the same line.
_CREDIT_RE = re.compile(
    r"^(?P<desc>.*?)[\s\u3000]*"
    r"(?:(?:[\u4e00-\u9fff]{0,10}?(?:记者|通讯员|摄影师|摄影|实习生|特约摄影)"
    r"(?:[\s\u3000]*[\u4e00-\u9fff·]{2,4})*[\s\u3000]*(?:摄影|摄|供图|图))"
    r"|(?:(?<=[\s\u3000])|^)(?:[\u4e00-\u9fff·]{2,4}[\s\u3000]+)?(?:摄|供图))[\s\u3000]*$"
)
_CAPTION_PREFIX_RE = re.compile(r"^(?:图为|▲|△|■|（图片来源|\(图片来源|图片来源)")
# A news brief's mark before its dateline (■本报讯（记者 某某）…, ■本报某地12月3日讯（…）,
# ■新华社北京12月3日电（…）): the brief itself, however short, never a photo's caption.
_BRIEF_RE = re.compile(
    r"^■[\s\u3000]*(?:[\u4e00-\u9fff]{0,10}?[报社网台]|[\u4e00-\u9fff]{2,12}?\d{1,2}月\d{1,2}日)[讯电]"
)
# Only the heading's start: a lazy ``(.*?)[ #]*$`` retried its tail at every character, which
# is quadratic on a long line of "# # # …" (the closing hashes are stripped with rstrip).
_HEADING_RE = re.compile(r"^(?P<hashes>#{1,6})[ \t\u3000]*")
_HEADING_TAIL = " \t\u3000#"

MAX_CAPTION_CHARS = 80
MAX_FOLIO_CHARS = 80
_WEEKDAY_RE = re.compile(r"星期[一二三四五六日天]|周[一二三四五六日]")
_FULL_DATE_RE = re.compile(r"(?:19|20)\d\d年\d{1,2}月\d{1,2}日")
_EDITORS_RE = re.compile(r"(?:责编|责任编辑|美编|版式|校对)[：:]")
MAX_CAPTION_DESCRIPTION_CHARS = 40
MAX_INTERRUPTING_CAPTION_CHARS = 60


class UnitKind(StrEnum):
    HEADING = "heading"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class Unit:
    """A heading or a paragraph of the page.

    ``segments`` maps offsets in ``text`` to source lines: a paragraph re-joined across a
    caption or a column break has one segment per source piece.
    """

    kind: UnitKind
    text: str
    line: int
    level: int = 0
    segments: tuple[tuple[int, int], ...] = ()

    def line_at(self, offset: int) -> int:
        """The source line of the character at ``offset`` (a bisection: a paragraph of
        100,000 re-joined lines is asked this for each of its sentences)."""
        found = bisect_right(self.segments, offset, key=_START) - 1
        return self.segments[found][1] if found >= 0 else self.line


_START = itemgetter(0)


def separator(left: str, right: str) -> str:
    """What goes between two halves of a broken paragraph: a space between Latin words."""
    return " " if _needs_space(left, right) else ""


def join_units(pieces: Sequence[Unit]) -> Unit:
    """One paragraph from its pieces in reading order, each remembering its source lines.

    Joining in one pass keeps this linear: joining pairwise copied the growing text and
    segment tuple once per piece, quadratic in the number of lines of a paragraph.
    """
    first = pieces[0]
    if len(pieces) == 1:
        return first
    parts: list[str] = []
    segments: list[tuple[int, int]] = []
    offset = 0
    previous = ""
    for piece in pieces:
        if parts:
            sep = separator(previous, piece.text)
            parts.append(sep)
            offset += len(sep)
        segments.extend((offset + start, line) for start, line in piece.segments)
        parts.append(piece.text)
        offset += len(piece.text)
        previous = piece.text
    return Unit(UnitKind.TEXT, "".join(parts), first.line, 0, tuple(segments))


def _needs_space(left: str, right: str) -> bool:
    return (
        bool(left)
        and bool(right)
        and left[-1].isascii()
        and left[-1].isalnum()
        and (right[0].isascii() and right[0].isalnum())
    )


def is_caption_credit(text: str) -> re.Match[str] | None:
    if len(text) > MAX_CAPTION_CHARS:
        return None
    return _CREDIT_RE.match(text)


def is_caption_line(text: str) -> bool:
    short = len(text) <= MAX_CAPTION_CHARS
    return short and bool(_CAPTION_PREFIX_RE.match(text)) and not _BRIEF_RE.match(text)


def is_folio(text: str) -> bool:
    """``南方日报 2026年3月5日 星期四 A06 经济·民生 责编：林晓岚 美编：黄敏``: a short line with
    a weekday and a date, or with the page's editors, is the running head, not an article."""
    if len(text) > MAX_FOLIO_CHARS:
        return False
    dated = bool(_WEEKDAY_RE.search(text)) and bool(_FULL_DATE_RE.search(text))
    return dated or bool(_EDITORS_RE.search(text))


def read_units(text: str) -> list[Unit]:
    """Split a page into units, drop photo captions and re-join what they interrupted.

    A paragraph being re-joined stays a list of pieces (with its joined length) until the
    end, so a paragraph interrupted by thousands of captions is joined once, not per caption.
    """
    pieces: list[list[Unit]] = []
    lengths: list[int] = []
    after_caption = False
    for unit in _raw_units(text):
        if unit.kind is UnitKind.TEXT and (credit := is_caption_credit(unit.text)):
            if not credit["desc"].strip():
                _drop_caption_description(pieces, lengths)
            after_caption = True
            continue
        if unit.kind is UnitKind.TEXT and is_caption_line(unit.text):
            after_caption = True
            continue
        if unit.kind is UnitKind.TEXT and is_folio(unit.text):
            continue  # the page's running head: paper, date, page number, editors
        if (
            after_caption
            and unit.kind is UnitKind.TEXT
            and pieces
            and pieces[-1][0].kind is UnitKind.TEXT
            and not paragraph_is_finished(pieces[-1][-1].text)
        ):
            lengths[-1] += len(separator(pieces[-1][-1].text, unit.text)) + len(unit.text)
            pieces[-1].append(unit)
        else:
            pieces.append([unit])
            lengths.append(len(unit.text))
        after_caption = False
    return [join_units(p) for p in pieces]


def _drop_caption_description(pieces: list[list[Unit]], lengths: list[int]) -> None:
    """A credit line alone ("通讯员 摄") follows its description on the line before.

    A short line is that description; so is a longer one (up to 60 characters, commas
    allowed) when it interrupts a paragraph that stopped mid-sentence before it.
    """
    if not pieces or pieces[-1][0].kind is not UnitKind.TEXT:
        return
    if lengths[-1] > max(MAX_CAPTION_DESCRIPTION_CHARS, MAX_INTERRUPTING_CAPTION_CHARS):
        return  # too long to be a description (and not worth joining to find out)
    desc = join_units(pieces[-1]).text
    interrupts = (
        len(pieces) >= 2
        and pieces[-2][0].kind is UnitKind.TEXT
        and not paragraph_is_finished(pieces[-2][-1].text)
    )
    plain = len(desc) <= MAX_CAPTION_DESCRIPTION_CHARS and not any(c in desc for c in "，,；;：")
    if plain or (interrupts and len(desc) <= MAX_INTERRUPTING_CAPTION_CHARS):
        pieces.pop()
        lengths.pop()


def _raw_units(text: str) -> list[Unit]:
    units: list[Unit] = []
    buffer: list[tuple[str, int]] = []

    def flush() -> None:
        if not buffer:
            return
        units.append(join_units([Unit(UnitKind.TEXT, t, n, 0, ((0, n),)) for t, n in buffer]))
        buffer.clear()

    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip().strip("\u3000")
        if not stripped:
            flush()
            continue
        heading = _HEADING_RE.match(stripped)
        if heading:
            flush()
            title = stripped[heading.end() :].rstrip(_HEADING_TAIL)
            if title:
                units.append(
                    Unit(UnitKind.HEADING, title, number, len(heading["hashes"]), ((0, number),))
                )
            continue
        if buffer and (is_caption_credit(stripped) or is_caption_credit(buffer[-1][0])):
            flush()
        buffer.append((stripped, number))
    flush()
    return units
