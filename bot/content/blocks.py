"""First parsing pass: page lines → headings and paragraphs, with photo captions removed.

OCR'd pages drop photo captions into the running text, often in the middle of a sentence
or even a word (``和天电子董事长陈`` · caption · ``宏志打电话…``).  Removing the caption is not
enough: the two halves must become one paragraph again, with each half remembering its
source line so quotes can still point at the right line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

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
_HEADING_RE = re.compile(r"^(?P<hashes>#{1,6})[ \t\u3000]*(?P<text>.*?)[ \t\u3000#]*$")

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
        line = self.line
        for start, seg_line in self.segments:
            if start <= offset:
                line = seg_line
        return line

    def joined(self, other: Unit) -> Unit:
        """This paragraph continued by ``other`` (the two halves of a broken paragraph)."""
        sep = " " if _needs_space(self.text, other.text) else ""
        offset = len(self.text) + len(sep)
        segments = self.segments + tuple((offset + s, ln) for s, ln in other.segments)
        return Unit(UnitKind.TEXT, self.text + sep + other.text, self.line, 0, segments)


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
    return len(text) <= MAX_CAPTION_CHARS and bool(_CAPTION_PREFIX_RE.match(text))


def is_folio(text: str) -> bool:
    """``南方日报 2026年3月5日 星期四 A06 经济·民生 责编：林晓岚 美编：黄敏``: a short line with
    a weekday and a date, or with the page's editors, is the running head, not an article."""
    if len(text) > MAX_FOLIO_CHARS:
        return False
    dated = bool(_WEEKDAY_RE.search(text)) and bool(_FULL_DATE_RE.search(text))
    return dated or bool(_EDITORS_RE.search(text))


def read_units(text: str) -> list[Unit]:
    """Split a page into units, drop photo captions and re-join what they interrupted."""
    raw = _raw_units(text)
    units: list[Unit] = []
    after_caption = False
    for unit in raw:
        if unit.kind is UnitKind.TEXT and (credit := is_caption_credit(unit.text)):
            if not credit["desc"].strip():
                _drop_caption_description(units)
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
            and units
            and units[-1].kind is UnitKind.TEXT
            and not paragraph_is_finished(units[-1].text)
        ):
            units[-1] = units[-1].joined(unit)
        else:
            units.append(unit)
        after_caption = False
    return units


def _drop_caption_description(units: list[Unit]) -> None:
    """A credit line alone ("通讯员 摄") follows its description on the line before.

    A short line is that description; so is a longer one (up to 60 characters, commas
    allowed) when it interrupts a paragraph that stopped mid-sentence before it.
    """
    if not units or units[-1].kind is not UnitKind.TEXT:
        return
    desc = units[-1].text
    interrupts = (
        len(units) >= 2
        and units[-2].kind is UnitKind.TEXT
        and not paragraph_is_finished(units[-2].text)
    )
    plain = len(desc) <= MAX_CAPTION_DESCRIPTION_CHARS and not any(c in desc for c in "，,；;：")
    if plain or (interrupts and len(desc) <= MAX_INTERRUPTING_CAPTION_CHARS):
        units.pop()


def _raw_units(text: str) -> list[Unit]:
    units: list[Unit] = []
    buffer: list[tuple[str, int]] = []

    def flush() -> None:
        if not buffer:
            return
        unit = Unit(UnitKind.TEXT, buffer[0][0], buffer[0][1], 0, ((0, buffer[0][1]),))
        for piece, line in buffer[1:]:
            unit = unit.joined(Unit(UnitKind.TEXT, piece, line, 0, ((0, line),)))
        units.append(unit)
        buffer.clear()

    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip().strip("\u3000")
        if not stripped:
            flush()
            continue
        heading = _HEADING_RE.match(stripped)
        if heading:
            flush()
            if heading["text"]:
                units.append(
                    Unit(
                        UnitKind.HEADING,
                        heading["text"],
                        number,
                        len(heading["hashes"]),
                        ((0, number),),
                    )
                )
            continue
        if buffer and (is_caption_credit(stripped) or is_caption_credit(buffer[-1][0])):
            flush()
        buffer.append((stripped, number))
    flush()
    return units
