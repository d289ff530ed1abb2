"""Pages editors add or remove from a running bot: checks first, then atomic file changes.

Why check before writing: the seeds directory is what every later reload (and a restart)
reads, so a page that cannot be served must never land there.  An upload is therefore checked
with the loader's own functions (``decode_page``, ``parse_page_text``, the page's sidecar if
one exists) before a byte is written, and refused with the reason otherwise.

Why these file operations:

- a write goes to a hidden temporary file in the same directory, is fsynced and then
  ``os.replace``-d over the target, so a reader (a reload, ``--watch``, a crash) sees either
  the old page or the whole new one, never half of it.  Hidden names are invisible to the
  loader and the watcher.
- an overwritten or removed page is kept in ``seeds/.trash/`` (hidden, so never loaded), which
  makes a mistaken removal recoverable by hand and lets a failed upload be rolled back.
- a removal moves the page first and its sidecar second: in between, the sidecar has no page,
  which the loader reports as an error — so a reload racing the removal keeps the old content
  instead of serving the page without its metadata.

What an upload may be called, and which page on disk a name means, is
:mod:`bot.admin.page_names`.  Nothing here imports ``telegram``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from bot.admin.page_names import (
    MAX_STEM_CHARS,
    MAX_UPLOAD_BYTES,
    Rejected,
    check_size,
    page_key,
    safe_page_name,
    same_page,
    stem_clash,
)
from bot.content.loader import (
    PAGE_SUFFIXES,
    decode_page,
    label_for,
    page_files,
    parse_page_text,
)
from bot.content.model import PageMeta
from bot.content.sidecar import load_sidecar, sidecar_path
from bot.errors import ContentError, Problem
from bot.knowledge.build import Knowledge

logger = logging.getLogger(__name__)

__all__ = [  # names and refusals live in bot.admin.page_names; importable from here too
    "MAX_STEM_CHARS",
    "MAX_UPLOAD_BYTES",
    "PAGE_SUFFIXES",
    "TRASH",
    "CheckedPage",
    "Moved",
    "PageEntry",
    "Rejected",
    "Written",
    "check_size",
    "check_upload",
    "list_pages",
    "page_key",
    "remove_page",
    "remove_partial_writes",
    "restore_moved",
    "safe_page_name",
    "same_page",
    "stem_clash",
    "undo_write",
    "write_page",
]

TRASH: Final = ".trash"
_PARTIAL_RE = re.compile(r"\..+\.[0-9a-f]{8}\.tmp")  # what _atomic_write writes before renaming


# --- checking an upload ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckedPage:
    """An upload that passed every check: the text to write and what it contains."""

    name: str  # the existing page's name when the upload names it in another case or width
    text: str
    titles: tuple[str, ...]
    exists: bool  # this page (under :func:`page_key`) is already in seeds/


def check_upload(seeds: Path, name: str, raw: bytes) -> CheckedPage:
    """Check ``raw`` as page ``name`` of ``seeds``; :class:`Rejected` says why it cannot be.

    Runs the page parser (CPU work): call it off the event loop.  ``name`` must come from
    :func:`safe_page_name`.  A name equal to a page on disk under :func:`page_key` *is* that
    page: the result carries the name on disk and ``exists``, so the caller asks before
    replacing it rather than adding a duplicate.
    """
    check_size(len(raw))
    name = same_page(seeds, name) or name
    other = stem_clash(seeds, name)
    if other is not None:
        raise Rejected("admin_upload_stem_taken", name=name, other=other)
    target = seeds / name
    label = label_for(seeds, target)
    try:
        text = decode_page(raw, label)
        meta = load_sidecar(target, label) if sidecar_path(target).exists() else PageMeta(label)
        articles = parse_page_text(text, meta, label)
    except ContentError as exc:
        raise Rejected("admin_upload_invalid", exc.problems) from exc
    if not any(a.text.strip() for a in articles):
        raise Rejected(
            "admin_upload_invalid",
            [Problem(label, 1, "the articles found have no text")],
        )
    return CheckedPage(name, text, tuple(a.title for a in articles), target.exists())


# --- writing and removing -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Written:
    """A page written by :func:`write_page`; ``backup`` is the previous version, if any."""

    path: Path
    backup: Path | None


def write_page(seeds: Path, page: CheckedPage) -> Written:
    """Write ``page`` into ``seeds`` atomically (see the module docstring); UTF-8, ``\\n``."""
    target = seeds / page.name
    if target.parent != seeds or target.name != page.name:  # safe_page_name guarantees this
        raise ValueError(f"not a plain file name: {page.name!r}")
    backup = _to_trash(seeds, target, copy=True) if target.exists() else None
    _atomic_write(target, page.text.encode("utf-8"))
    logger.info("wrote an uploaded page (%d bytes)", target.stat().st_size)
    logger.debug("uploaded page written to %s", label_for(seeds, target))
    return Written(target, backup)


def undo_write(written: Written) -> None:
    """Put things back as they were before :func:`write_page` (after a failed reload)."""
    if written.backup is not None:
        os.replace(written.backup, written.path)
    else:
        written.path.unlink(missing_ok=True)
    _fsync_dir(written.path.parent)
    logger.info("rolled back an uploaded page")


@dataclass(frozen=True, slots=True)
class PageEntry:
    """A page file in seeds/ and the titles of the articles the current snapshot has from it."""

    name: str
    titles: tuple[str, ...] = field(default=())


def list_pages(seeds: Path, knowledge: Knowledge) -> list[PageEntry]:
    """The page files on disk, sorted by name, with their served article titles."""
    titles: dict[str, list[str]] = {}
    for article in knowledge.heads:
        titles.setdefault(Path(article.file).name, []).append(article.title)
    return [PageEntry(p.name, tuple(titles.get(p.name, ()))) for p in page_files(seeds)]


Moved = list[tuple[Path, Path]]  # (where a file was, where it is now)


def remove_page(seeds: Path, name: str) -> Moved:
    """Move page ``name`` and then its sidecar into the trash; what moved where.

    :class:`Rejected` when the page is gone or is the last one (a bot with no pages cannot
    reload, so it would serve stale content forever).
    """
    target = seeds / name
    pages = page_files(seeds)
    if target not in pages:
        raise Rejected("admin_remove_gone", name=name)
    if len(pages) == 1:
        raise Rejected("admin_remove_last", name=name)
    moved: Moved = [(target, _to_trash(seeds, target, copy=False))]
    sidecar = sidecar_path(target)
    if sidecar.exists():
        try:
            moved.append((sidecar, _to_trash(seeds, sidecar, copy=False)))
        except OSError:
            restore_moved(moved)
            raise
    _fsync_dir(seeds)
    logger.info("removed a page (%d file(s) moved to %s/)", len(moved), TRASH)
    logger.debug("removed page %s", name)
    return moved


def restore_moved(moved: Moved) -> None:
    """Undo :func:`remove_page`: sidecar first, so no moment serves the page without it."""
    for original, now in reversed(moved):
        os.replace(now, original)
    if moved:
        _fsync_dir(moved[0][0].parent)
        logger.info("restored a removed page (%d file(s))", len(moved))


def _to_trash(seeds: Path, path: Path, *, copy: bool) -> Path:
    trash = seeds / TRASH
    trash.mkdir(exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    destination = trash / f"{stamp}-{secrets.token_hex(2)}-{path.name}"
    if copy:
        shutil.copy2(path, destination)
        os.chmod(destination, 0o644)  # a read-only seed stays restorable
    else:
        os.replace(path, destination)
    return destination


def remove_partial_writes(seeds: Path) -> int:
    """Delete temporary files a write interrupted by a crash (``kill -9``) left in ``seeds``;
    how many.  Call at start-up, when no write of this process can be under way (one bot per
    database, see ``bot.lock``).  Only names :func:`_atomic_write` makes are touched."""
    removed = 0
    for path in seeds.iterdir() if seeds.is_dir() else ():
        if _PARTIAL_RE.fullmatch(path.name) and path.is_file():
            path.unlink(missing_ok=True)
            removed += 1
    if removed:
        _fsync_dir(seeds)
        logger.warning("removed %d partial page write(s) left by a crash", removed)
    return removed


def _atomic_write(target: Path, data: bytes) -> None:
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(temporary, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


def _fsync_dir(directory: Path) -> None:
    """Make a rename durable (best effort: not every platform can open a directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
