"""Articles while a page is being read: mutable drafts, frozen into Articles afterwards.

Every question the layout pass asks a draft is answered in constant time (has it a body yet?
does its last paragraph finish its sentence?), and a paragraph re-joined across column breaks
keeps its pieces until it is frozen: asking per line, or joining text per line, made parsing
quadratic in the size of a page.  The profile used to compare a block of text with an article
(character bigrams and interview speakers) is computed from the article's first
``limit`` characters only and kept until the article changes, so comparing costs the same
on a 1 MB page as on a normal one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from bot.content.blocks import Unit, join_units, separator
from bot.text.chars import paragraph_is_finished

_SPEAKER_RE = re.compile(r"(?:^|\n|[。！？”])([\u4e00-\u9fff]{2,4})：")


@dataclass(eq=False)
class ParagraphDraft:
    """A paragraph and the pieces it was re-joined from (the page's own Units)."""

    pieces: list[Unit]

    @property
    def line(self) -> int:
        return self.pieces[0].line

    @property
    def text(self) -> str:
        return self.unit().text

    def unit(self) -> Unit:
        return join_units(self.pieces)

    def finished(self) -> bool:
        """The paragraph ends the way a paragraph can end (its last piece does)."""
        return paragraph_is_finished(self.pieces[-1].text)


@dataclass(eq=False)
class SectionDraft:
    heading: str | None
    line: int
    paragraphs: list[ParagraphDraft] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Profile:
    """What an orphan block is compared with: an article's bigrams and speakers."""

    grams: frozenset[str]
    speakers: frozenset[str]


def bigrams(text: str) -> set[str]:
    chars = [c for c in text if c.isalnum()]
    return {a + b for a, b in pairwise(chars)}


def speakers(text: str) -> set[str]:
    return set(_SPEAKER_RE.findall(text))


def profile_of(text: str) -> Profile:
    return Profile(frozenset(bigrams(text)), frozenset(speakers(text)))


@dataclass(eq=False)
class ArticleDraft:
    """An article while the page is being read; frozen into an Article afterwards.

    Sections are only appended and popped at the end and paragraphs only added to the last
    section, so ``_bodied`` (the indexes of sections with paragraphs, in order) is a stack.
    """

    title: str | None
    line: int
    kicker: str | None = None
    column: str | None = None
    subtitle: str | None = None
    byline: list[str] = field(default_factory=list)
    dateline: tuple[int | None, int, int] | None = None  # (year, month, day)
    sections: list[SectionDraft] = field(default_factory=list)
    truncated: bool = False
    _bodied: list[int] = field(default_factory=list, repr=False)
    _profile: Profile | None = field(default=None, repr=False)
    _profile_full: bool = field(default=False, repr=False)  # it saw ``limit`` characters

    def has_body(self) -> bool:
        return bool(self._bodied)

    def set_title(self, title: str, line: int) -> None:
        self.title = title
        self.line = line
        self._changed(prefix=True)

    def add_section(self, section: SectionDraft) -> None:
        self.sections.append(section)
        if section.paragraphs:
            self._bodied.append(len(self.sections) - 1)
            self._changed(prefix=False)

    def pop_section(self) -> SectionDraft:
        section = self.sections.pop()
        if self._bodied and self._bodied[-1] == len(self.sections):
            self._bodied.pop()
            self._changed(prefix=True)
        return section

    def add_paragraph(self, unit: Unit) -> None:
        if not self.sections:
            self.sections.append(SectionDraft(None, unit.line))
        last = self.sections[-1]
        if not last.paragraphs:
            self._bodied.append(len(self.sections) - 1)
        last.paragraphs.append(ParagraphDraft([unit]))
        self._changed(prefix=False)

    def last_paragraph(self) -> ParagraphDraft | None:
        return self.sections[self._bodied[-1]].paragraphs[-1] if self._bodied else None

    def continue_last_paragraph(self, unit: Unit) -> None:
        """The last paragraph goes on with ``unit`` (a column break, a caption between)."""
        last = self.last_paragraph()
        if last is None:
            self.add_paragraph(unit)
            return
        last.pieces.append(unit)
        self._changed(prefix=False)

    def _changed(self, *, prefix: bool) -> None:
        """Text was appended (``prefix`` False) or changed before the end: the profile is
        stale unless it already covered all it may and the change came after that."""
        if prefix or not self._profile_full:
            self._profile = None

    def profile(self, limit: int) -> Profile:
        """Bigrams and speakers of the first ``limit`` characters of the article's text."""
        if self._profile is None:
            text = self.sample(limit)
            self._profile = profile_of(text)
            self._profile_full = len(text) >= limit
        return self._profile

    def sample(self, limit: int) -> str:
        """The first ``limit`` characters of title and paragraphs, one per line (as they
        will read once frozen), without building the rest."""
        parts: list[str] = []
        size = 0

        def add(text: str) -> bool:
            nonlocal size
            parts.append(text[: limit - size])
            size += len(parts[-1])
            return size >= limit

        if add(self.title or ""):
            return "".join(parts)
        for index in self._bodied:
            for paragraph in self.sections[index].paragraphs:
                previous: str | None = None
                if add("\n"):
                    return "".join(parts)
                for piece in paragraph.pieces:
                    if previous is not None and add(separator(previous, piece.text)):
                        return "".join(parts)
                    if add(piece.text):
                        return "".join(parts)
                    previous = piece.text
        return "".join(parts)
