"""The one HTML formatter: every message the bot sends is built here.

Why one place: Telegram refuses a whole message when its HTML does not parse, and counts the
4,096-character limit on the text *after* entity parsing, in UTF-16 code units.  Everything the
bot shows comes from content files or from users, so every string is cleaned (lone surrogates,
control characters) and escaped here, and the layout is built from plain-text blocks whose
length is known exactly.  Messages are then split between blocks, or inside a block on
paragraph/sentence boundaries, and each piece is wrapped in its own complete tags, so a split
can never fall inside a tag or an entity.

This module does not import ``telegram``: it is pure text in, HTML strings out, which keeps it
easy to property-test.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from bot.answer.archive import day_label
from bot.answer.model import Answer
from bot.rules.model import Responses

logger = logging.getLogger(__name__)

MESSAGE_LIMIT = 4096  # Telegram: text length after entity parsing, in UTF-16 code units
PLACEHOLDER = "…"  # shown instead of a message that cleaning left empty

_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Where a long block may be cut, best first: a line break, the end of a sentence, a clause.
_BREAKS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\n"),
    re.compile(r"[。！？!?；;…][”’」』）)\"']*"),
    re.compile(r"[，,、：:\s]"),
)
# A soft break is used only when it keeps at least this share of the window in the piece.
_MIN_FILL = 0.5


def clean(text: str) -> str:
    """Text Telegram can take: valid UTF-8 and no control characters except tab/newline.

    Surrogate pairs that arrived as two code points are joined into their character; lone
    surrogates become U+FFFD.  ``\\r\\n`` and ``\\r`` become ``\\n``.
    """
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_RE.sub("", text)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (code units of UTF-16)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


@dataclass(frozen=True, slots=True)
class Run:
    """Plain text with one style; escaped only when rendered."""

    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True, slots=True)
class Block:
    """A line or paragraph of runs; ``quote`` renders it as a ``<blockquote>``."""

    runs: tuple[Run, ...]
    quote: bool = False

    @property
    def plain(self) -> str:
        return "".join(run.text for run in self.runs)


BLANK = Block(())  # an empty line between paragraphs


def block(text: str, *, bold: bool = False, italic: bool = False, quote: bool = False) -> Block:
    """A one-run block of cleaned text."""
    return Block((Run(clean(text), bold, italic),), quote)


# --- rendering ------------------------------------------------------------------------------


def render(blocks: Iterable[Block], limit: int = MESSAGE_LIMIT) -> list[str]:
    """HTML messages for ``blocks``, each at most ``limit`` characters once parsed.

    Blocks are joined with newlines; a whitespace-only block is an empty line between
    paragraphs (repeated ones count once, none at the start or end of a message).  Always
    returns at least one non-empty message.  ``limit`` must be at least 2 (one astral
    character).
    """
    if limit < 2:
        raise ValueError("limit must be at least 2")
    kept: list[Block] = []
    for item in map(_cleaned, blocks):
        if item.plain.strip():
            kept.append(item)
        elif kept and kept[-1].runs:
            kept.append(BLANK)
    if not kept:
        return [PLACEHOLDER]
    chunks: list[list[Block]] = []
    current: list[Block] = []
    used = 0
    for item in kept:
        if item is BLANK and not current:
            continue
        size = utf16_len(item.plain)
        extra = size + (1 if current else 0)
        if used + extra <= limit:
            current.append(item)
            used += extra
            continue
        if current:
            chunks.append(current)
            current, used = [], 0
        if item is BLANK:
            continue
        pieces = _split_block(item, limit)
        for piece in pieces[:-1]:
            chunks.append([piece])
        current, used = [pieces[-1]], utf16_len(pieces[-1].plain)
    if current:
        chunks.append(current)
    return ["\n".join(_render_block(b) for b in _strip_blank(chunk)) for chunk in chunks]


def _strip_blank(chunk: list[Block]) -> list[Block]:
    while chunk and chunk[-1] is BLANK:
        chunk = chunk[:-1]
    return chunk


def _cleaned(item: Block) -> Block:
    runs = tuple(replace(run, text=clean(run.text)) for run in item.runs)
    return Block(tuple(run for run in runs if run.text), item.quote)


def _render_block(item: Block) -> str:
    inner = "".join(_render_run(run) for run in item.runs)
    return f"<blockquote>{inner}</blockquote>" if item.quote else inner


def _render_run(run: Run) -> str:
    text = html.escape(run.text, quote=False)
    if run.bold:
        text = f"<b>{text}</b>"
    if run.italic:
        text = f"<i>{text}</i>"
    return text


def _split_block(item: Block, limit: int) -> list[Block]:
    """Cut one block into blocks of at most ``limit`` UTF-16 units, on natural boundaries."""
    text = item.plain
    cuts: list[int] = []
    start = 0
    while utf16_len(text[start:]) > limit:
        end = _window_end(text, start, limit)
        cuts.append(_best_cut(text, start, end))
        start = cuts[-1]
    bounds = [0, *cuts, len(text)]
    pieces = [_slice(item, a, b) for a, b in itertools.pairwise(bounds)]
    return [p for p in pieces if p.plain.strip()] or [_slice(item, 0, 1)]


def _window_end(text: str, start: int, limit: int) -> int:
    """The furthest index such that ``text[start:end]`` fits in ``limit`` units."""
    used = 0
    end = start
    while end < len(text):
        width = 2 if ord(text[end]) > 0xFFFF else 1
        if used + width > limit:
            break
        used += width
        end += 1
    return max(end, start + 1)


def _best_cut(text: str, start: int, end: int) -> int:
    floor = start + int((end - start) * _MIN_FILL)
    window = text[start:end]
    for pattern in _BREAKS:
        found = [m.end() for m in pattern.finditer(window)]
        found = [start + position for position in found if start + position > floor]
        if found:
            return found[-1]
    return end


def _slice(item: Block, begin: int, end: int) -> Block:
    runs: list[Run] = []
    position = 0
    for run in item.runs:
        run_end = position + len(run.text)
        lo, hi = max(begin, position), min(end, run_end)
        if lo < hi:
            runs.append(replace(run, text=run.text[lo - position : hi - position]))
        position = run_end
    return Block(tuple(runs), item.quote)


# --- layouts --------------------------------------------------------------------------------


def source_line(
    responses: Responses,
    language: str,
    title: str,
    section: str | None,
    date: dt.date | None = None,
) -> str:
    """《title》· section, and the page's date when it has one (an archive holds many days)."""
    if date is None:
        if section:
            return responses.text("source_line", language, title=title, section=section)
        return responses.text("source_line_no_section", language, title=title)
    day = day_label(responses, date, language)
    if section:
        return responses.text(
            "source_line_dated", language, title=title, section=section, date=day
        )
    return responses.text("source_line_no_section_dated", language, title=title, date=day)


def answer_blocks(
    answer: Answer,
    responses: Responses,
    language: str,
    *,
    asked: str | None = None,
    note: str | None = None,
    list_suggestions: bool = True,
) -> list[Block]:
    """Layout of an answer: the question (when asked by a button), the short answer in bold,
    the quote as a blockquote, the source line, a decline's suggestions (unless
    ``list_suggestions`` is off because they come as buttons), an optional note."""
    blocks: list[Block] = []
    if asked:
        blocks.append(block(responses.text("tg_asked", language, question=asked), italic=True))
    lines = answer.summary.split("\n")
    blocks.append(block(lines[0], bold=answer.answered))
    blocks.extend(block(line) for line in lines[1:])
    if answer.quote:
        blocks.append(block(answer.quote, quote=True))
    if answer.source is not None:
        source = answer.source
        text = source_line(responses, language, source.article, source.section, source.date)
        blocks.append(block(text, italic=True))
    if not answer.answered and answer.suggestions and list_suggestions:
        blocks.extend(
            block(responses.text("tg_suggestion_line", language, question=q))
            for q in answer.suggestions
        )
    if note:
        blocks.append(block(note, italic=True))
    return blocks


def format_answer(
    answer: Answer,
    responses: Responses,
    language: str,
    *,
    asked: str | None = None,
    note: str | None = None,
    limit: int = MESSAGE_LIMIT,
    list_suggestions: bool = True,
) -> list[str]:
    blocks = answer_blocks(
        answer, responses, language, asked=asked, note=note, list_suggestions=list_suggestions
    )
    return render(blocks, limit)


def format_paragraph(
    responses: Responses,
    language: str,
    title: str,
    section: str | None,
    paragraph: str,
    highlight: tuple[int, int] | None = None,
) -> list[str]:
    """The whole paragraph around a quote, the quoted part in bold, under its source line."""
    runs: tuple[Run, ...] = (Run(paragraph),)
    if highlight is not None:
        lo, hi = highlight
        if 0 <= lo < hi <= len(paragraph):
            runs = (Run(paragraph[:lo]), Run(paragraph[lo:hi], bold=True), Run(paragraph[hi:]))
    return render(
        [block(source_line(responses, language, title, section), bold=True), Block(runs, True)]
    )


def format_lines(lines: Sequence[str], *, bold_first: bool = False) -> list[str]:
    """Plain lines (notices, headers, lists), escaped; optionally the first in bold."""
    return render(block(line, bold=bold_first and i == 0) for i, line in enumerate(lines))


def format_text(text: str, *, bold_first: bool = False) -> list[str]:
    return format_lines(text.split("\n"), bold_first=bold_first)


def plain(text: str, limit: int) -> str:
    """Cleaned plain text cut to ``limit`` UTF-16 units (button labels, toasts, titles)."""
    text = " ".join(clean(text).split())
    if utf16_len(text) <= limit:
        return text
    end = _window_end(text, 0, limit - 1)
    return text[:end] + "…"
