"""Load every page of a seeds directory, collecting problems instead of stopping at the first."""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bot.content import lexicon as lexicon_module
from bot.content.lexicon import Lexicon
from bot.content.model import Article, PageMeta
from bot.content.page import parse_page
from bot.content.sidecar import load_sidecar
from bot.errors import ContentError, Problem
from bot.text.chars import han_ratio

logger = logging.getLogger(__name__)

PAGE_SUFFIXES = (".txt", ".md")
PARALLEL_MIN_PAGES = 32  # below this, starting worker processes costs more than it saves
MAX_WORKERS = 4
MAX_PAGE_BYTES = 5 * 1024 * 1024
PARENT_POLL_SECONDS = 0.5  # how soon a parser worker notices that the bot died


@dataclass(frozen=True, slots=True)
class Page:
    meta: PageMeta
    articles: Sequence[Article]  # a tuple when parsed; read on demand from a stored snapshot
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
    parsing = lexicon_module.lexicon().parsing  # the build's (bound or, in a worker, published)
    notices: list[str] = []
    articles = parse_page(text, meta, parsing, notices=notices)
    for notice in notices:
        logger.warning("%s: %s", label, notice)
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
    if han_ratio("".join(a.text for a in articles)) < parsing.min_han_ratio:
        raise ContentError(
            [Problem(label, 1, "page has almost no Chinese text; is this the right file?")]
        )
    return articles


def load_page(path: Path, label: str) -> Page:
    text = read_page_text(path, label)
    meta = load_sidecar(path, label)
    return Page(meta, parse_page_text(text, meta, label), source_hash(path, text))


def source_hash(path: Path, text: str | None = None) -> str:
    """What a page was parsed from: its text and its sidecar's bytes (``text``: the page's
    text, when the caller has read it; else read here, ContentError when it cannot be)."""
    if text is None:
        text = read_page_text(path, str(path))
    digest = hashlib.sha256(text.encode("utf-8"))
    sidecar = path.with_suffix(".yaml")
    if sidecar.exists():
        digest.update(sidecar.read_bytes())
    return digest.hexdigest()[:16]


def _load_or_problems(path: str, label: str) -> Page | tuple[Problem, ...]:
    """Worker entry point (must be top-level to run in a process pool)."""
    try:
        return load_page(Path(path), label)
    except ContentError as exc:
        return exc.problems


def _fingerprint(path: Path) -> tuple[int, int, int, int]:
    """Size and mtime of a page and its sidecar: unchanged files are not read again."""
    page = path.stat()
    sidecar = path.with_suffix(".yaml")
    side = sidecar.stat() if sidecar.exists() else None
    return (
        page.st_size,
        page.st_mtime_ns,
        side.st_size if side else -1,
        side.st_mtime_ns if side else -1,
    )


class PageCache:
    """Pages parsed by an earlier build, reused while their files are unchanged."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[tuple[int, int, int, int], Page]] = {}
        self.parsed = 0

    def get(self, path: Path, label: str) -> Page | None:
        entry = self.pages.get(label)
        try:
            return entry[1] if entry and entry[0] == _fingerprint(path) else None
        except OSError:
            return None

    def put(self, path: Path, label: str, page: Page) -> None:
        try:
            self.pages[label] = (_fingerprint(path), page)
        except OSError:
            return

    def retain(self, labels: set[str]) -> None:
        self.pages = {k: v for k, v in self.pages.items() if k in labels}


def load_seeds(
    seeds: Path, cache: PageCache | None = None, lexicon: Lexicon | None = None
) -> LoadResult:
    """Every page in ``seeds``; problems are collected so ``check`` can report them all.

    Unchanged pages come from ``cache`` (which must hold pages parsed with the same
    ``lexicon``); the rest are parsed with ``lexicon`` (default: the current one), in worker
    processes when there are many (a cold start on thousands of pages).
    """
    lexicon = lexicon or lexicon_module.lexicon()
    if not seeds.is_dir():
        return LoadResult((), (Problem(str(seeds), 0, "seeds directory does not exist"),))
    problems: list[Problem] = []
    files = page_files(seeds)
    found: dict[str, Page] = {}
    todo: list[tuple[Path, str]] = []
    for path in files:
        label = label_for(seeds, path)
        cached = cache.get(path, label) if cache else None
        if cached is not None:
            found[label] = cached
        else:
            todo.append((path, label))
    for (path, label), result in zip(todo, _parse_all(todo, lexicon), strict=True):
        if isinstance(result, Page):
            found[label] = result
            if cache is not None:
                cache.put(path, label, result)
        else:
            problems.extend(result)
    if cache is not None:
        cache.parsed = len(todo)
        cache.retain(set(found))
    pages = [found[label_for(seeds, p)] for p in files if label_for(seeds, p) in found]
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


def _parse_all(todo: list[tuple[Path, str]], lexicon: Lexicon) -> list[Page | tuple[Problem, ...]]:
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    if len(todo) < PARALLEL_MIN_PAGES or workers < 2:
        with lexicon_module.active(lexicon):
            return [_load_or_problems(str(p), label) for p, label in todo]
    context = multiprocessing.get_context("spawn")  # no fork of a threaded event loop
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_parser,
        initargs=(os.getpid(), lexicon),
    ) as pool:
        return list(
            pool.map(
                _load_or_problems,
                [str(p) for p, _ in todo],
                [label for _, label in todo],
                chunksize=8,
            )
        )


def _start_parser(parent: int, lexicon: Lexicon) -> None:
    """Parser worker initializer: the build's lexicon, and exit with the parent."""
    exit_with_parent(parent)
    lexicon_module.publish(lexicon)


def exit_with_parent(parent: int) -> None:
    """Worker initializer (any process pool of ours): exit once the pool's owner is gone.

    A worker holds both ends of the pool's task queue, so it never sees end-of-file when the
    bot is killed (``kill -9`` during a reload); without this it would wait forever, and so
    would multiprocessing's resource tracker.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="newsbot-parent-watch", daemon=True).start()
