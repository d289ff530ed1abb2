"""Load every page of a seeds directory, collecting problems instead of stopping at the first."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from bot.content.model import Article, PageMeta
from bot.content.page import parse_page
from bot.content.sidecar import load_sidecar
from bot.errors import ContentError, Problem
from bot.text.chars import han_ratio

logger = logging.getLogger(__name__)

PAGE_SUFFIXES = (".txt", ".md")
MAX_PAGE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Page:
    meta: PageMeta
    articles: tuple[Article, ...]
    source_hash: str


@dataclass(frozen=True, slots=True)
class LoadResult:
    pages: tuple[Page, ...]
    problems: tuple[Problem, ...]

    @property
    def articles(self) -> tuple[Article, ...]:
        return tuple(a for p in self.pages for a in p.articles)


def page_files(seeds: Path) -> list[Path]:
    return sorted(
        p
        for p in seeds.iterdir()
        if p.suffix.lower() in PAGE_SUFFIXES and p.is_file() and not p.name.startswith(".")
    )


def label_for(seeds: Path, path: Path) -> str:
    return f"{seeds.name}/{path.name}"


def read_page_text(path: Path, label: str) -> str:
    """The page as text, or ContentError saying why it cannot be one."""
    try:
        size = path.stat().st_size
        if size > MAX_PAGE_BYTES:
            raise ContentError(
                [
                    Problem(
                        label,
                        1,
                        f"page is too large ({size:,} bytes; the limit is {MAX_PAGE_BYTES:,})",
                    )
                ]
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise ContentError([Problem(label, 1, f"cannot read page: {exc.strerror}")]) from exc
    return decode_page(raw, label)


def decode_page(raw: bytes, label: str) -> str:
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise ContentError([Problem(label, line, "page contains binary data, not text")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentError(
            [Problem(label, line, "page is not valid UTF-8 text (save it as UTF-8)")]
        ) from exc
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ContentError([Problem(label, 1, "page is empty")])
    return text


def parse_page_text(text: str, meta: PageMeta, label: str) -> tuple[Article, ...]:
    articles = parse_page(text, meta)
    if not articles:
        raise ContentError(
            [
                Problem(
                    label,
                    1,
                    "no articles found: expected headings (# 标题) and paragraphs of text",
                )
            ]
        )
    if han_ratio("".join(a.text for a in articles)) < 0.2:
        raise ContentError(
            [Problem(label, 1, "page has almost no Chinese text; is this the right file?")]
        )
    return articles


def load_page(path: Path, label: str) -> Page:
    import hashlib

    text = read_page_text(path, label)
    meta = load_sidecar(path, label)
    sidecar = path.with_suffix(".yaml")
    digest = hashlib.sha256(text.encode("utf-8"))
    if sidecar.exists():
        digest.update(sidecar.read_bytes())
    return Page(meta, parse_page_text(text, meta, label), digest.hexdigest()[:16])


def load_seeds(seeds: Path) -> LoadResult:
    """Every page in ``seeds``; problems are collected so ``check`` can report them all."""
    if not seeds.is_dir():
        return LoadResult((), (Problem(str(seeds), 0, "seeds directory does not exist"),))
    pages: list[Page] = []
    problems: list[Problem] = []
    files = page_files(seeds)
    for path in files:
        label = label_for(seeds, path)
        try:
            pages.append(load_page(path, label))
        except ContentError as exc:
            problems.extend(exc.problems)
    stems = {p.stem for p in files}
    for sidecar in sorted(seeds.glob("*.yaml")):
        if sidecar.stem not in stems:
            problems.append(
                Problem(
                    label_for(seeds, sidecar),
                    1,
                    f"sidecar has no page: expected a .txt or .md file named {sidecar.stem}.txt",
                )
            )
    if not files:
        problems.append(Problem(str(seeds), 0, "no pages (*.txt, *.md) in seeds directory"))
    return LoadResult(tuple(pages), tuple(problems))
