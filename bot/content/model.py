"""Domain objects of the content layer: pages, articles, sections, paragraphs, sentences, facts.

All frozen: a Knowledge snapshot is shared by every request and swapped whole on reload,
so nothing in it may change after it is built.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

SECTION_HASH_CHARS: Final = 16  # 64 bits of SHA-256: collisions between two versions are moot


class FactKind(StrEnum):
    MONEY = "money"
    PERCENT = "percent"
    COUNT = "count"
    DURATION = "duration"
    DATE = "date"
    PERSON = "person"
    ORG = "org"
    PLACE = "place"
    RANK = "rank"
    NAME = "name"  # another name of a thing: 原名“北岭风景区”, 简称“同心合作社”


@dataclass(frozen=True, slots=True)
class Fact:
    """A typed piece of information found in one sentence.

    ``start``/``end`` are offsets in the sentence text, so the answer composer can tell which
    words surround the fact.  ``value`` is numeric for quantities (yuan, percent, count,
    seconds), an ISO date string for dates, and the name for people/organisations/places.
    """

    kind: FactKind
    text: str
    value: float | str | None
    unit: str | None
    start: int
    end: int
    qualifier: str | None = None  # 超/近/约/多/余/不到/以上 …
    role: str | None = None  # person: 董事长; org/place: none
    org: str | None = None  # person: the organisation named with the role


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    start: int  # offset in the paragraph
    line: int  # source line of the sentence's first character
    facts: tuple[Fact, ...] = ()


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    line: int
    sentences: tuple[Sentence, ...] = ()


@dataclass(frozen=True, slots=True)
class Section:
    heading: str | None
    paragraphs: tuple[Paragraph, ...]
    line: int
    summary: str = ""

    @property
    def text_hash(self) -> str:
        """A hash of the heading and cleaned text: what a reader would see change (the digest
        ledger's item hash).

        Line numbers and summaries are left out on purpose: an edit elsewhere on the page moves
        lines, and a better summariser must not make every section "new" again.
        """
        digest = hashlib.sha256()
        digest.update((self.heading or "").encode())
        for paragraph in self.paragraphs:
            digest.update(b"\x1f")
            digest.update(paragraph.text.encode())
        return digest.hexdigest()[:SECTION_HASH_CHARS]


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    title: str
    file: str
    line: int
    sections: tuple[Section, ...]
    kicker: str | None = None
    column: str | None = None
    subtitle: str | None = None
    byline: tuple[str, ...] = ()
    date: dt.date | None = None
    publication: str | None = None
    truncated: bool = False
    summary: str = ""
    content_hash: str = ""
    url: str | None = None  # a link to the article online, from the sidecar

    @property
    def paragraphs(self) -> tuple[Paragraph, ...]:
        return tuple(p for s in self.sections for p in s.paragraphs)

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)

    @property
    def facts(self) -> tuple[Fact, ...]:
        return tuple(f for p in self.paragraphs for s in p.sentences for f in s.facts)


@dataclass(frozen=True, slots=True)
class ArticleHead:
    """An article without its text: what lists, page dates and questions naming an article
    (第二篇, 那篇讲海关的) read of every article, so that in an archive of thousands they
    need not read every article's sentences."""

    id: str
    title: str
    file: str
    kicker: str | None
    column: str | None
    subtitle: str | None
    byline: tuple[str, ...]
    date: dt.date | None
    # one per section (Section.text_hash): a digest tells pending sections from delivered
    # ones without reading the article
    section_hashes: tuple[str, ...]

    @property
    def sections(self) -> int:
        """How many sections the article has."""
        return len(self.section_hashes)

    @classmethod
    def of(cls, article: Article) -> ArticleHead:
        return cls(
            article.id,
            article.title,
            article.file,
            article.kicker,
            article.column,
            article.subtitle,
            article.byline,
            article.date,
            tuple(section.text_hash for section in article.sections),
        )


@dataclass(frozen=True, slots=True)
class PageMeta:
    """What a page's sidecar YAML (or defaults) says about the page."""

    file: str
    publication: str | None = None
    date: dt.date | None = None
    summaries: dict[str, str] = field(default_factory=dict)
    layout: tuple[LayoutFix, ...] = ()
    url: str | None = None  # the page online (sidecar ``url``), for every article on it
    urls: dict[str, str] = field(default_factory=dict)  # article title -> its own link


@dataclass(frozen=True, slots=True)
class LayoutFix:
    """An editor's correction for what no heuristic can know about a page's layout.

    ``action`` is one of ``join`` (the paragraph at ``line`` continues the previous one),
    ``split`` (the paragraph at ``line`` does not continue the previous one; it belongs to
    the article titled ``target``, or starts an orphan block), ``title`` (the heading at
    ``line`` is an article title).
    """

    action: str
    line: int
    target: str | None = None
    source_line: int = 0
