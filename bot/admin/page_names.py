"""Names of uploaded pages: what an upload may be called, and which page on disk it is.

Why a module of its own: a file name comes from Telegram, so it is checked before anything
else — refused outright when it is an attempt or a mistake (paths, hidden names, other
extensions), made safe otherwise — and then matched against the pages already in ``seeds/``
with case and character width folded, so that re-sending a page under a differently typed
name asks to replace it instead of adding a duplicate.  Nothing here writes.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from bot.content.loader import MAX_PAGE_BYTES, PAGE_SUFFIXES, page_files
from bot.errors import Problem

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES: Final = min(1024 * 1024, MAX_PAGE_BYTES)
MAX_STEM_CHARS: Final = 80  # 80 CJK characters are 240 bytes: within every file system's 255
_UNSAFE_RE = re.compile(r"[^\w.\-]+")  # \w is Unicode: Chinese names stay readable
_RUNS_RE = re.compile(r"_{2,}")


class Rejected(Exception):
    """An upload or removal refused before anything changed on disk.

    ``key`` is a responses key (the reason, in the admin's language), ``values`` its
    placeholders; ``problems`` are the loader's ``file:line: message`` findings, if any.
    """

    def __init__(
        self,
        key: str,
        problems: Sequence[Problem] = (),
        **values: object,
    ) -> None:
        self.key = key
        self.values: Mapping[str, object] = values
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(key)


# --- names ----------------------------------------------------------------------------------


def safe_page_name(raw: str | None) -> str:
    """The name to save an upload under, or :class:`Rejected`.

    Refused outright (an attempt or a mistake, never silently "fixed"): no name, any path
    separator or ``..``, a hidden name, an extension other than ``.txt``/``.md``.  Otherwise
    characters other than letters, digits, ``_ - .`` become ``_`` and the stem is shortened;
    the extension is kept (lower-cased).
    """
    if raw is None or not raw.strip():
        raise Rejected("admin_upload_no_name")
    name = unicodedata.normalize("NFC", raw.strip())
    shown = name[:100]
    if "/" in name or "\\" in name or "\x00" in name or ".." in name:
        raise Rejected("admin_upload_unsafe_name", name=shown)
    if name.startswith("."):
        raise Rejected("admin_upload_hidden_name", name=shown)
    stem, dot, suffix = name.rpartition(".")
    suffix = f".{suffix.lower()}" if dot else ""
    if suffix not in PAGE_SUFFIXES:
        raise Rejected("admin_upload_bad_extension", name=shown, allowed=" / ".join(PAGE_SUFFIXES))
    stem = _RUNS_RE.sub("_", _UNSAFE_RE.sub("_", stem)).strip("._- ")[:MAX_STEM_CHARS]
    stem = stem.rstrip("._- ")
    if not stem:
        raise Rejected("admin_upload_unsafe_name", name=shown)
    return stem + suffix


def check_size(size: int | None) -> None:
    """Refuse a file over :data:`MAX_UPLOAD_BYTES` (before downloading it, when Telegram
    says its size, and again after)."""
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise Rejected("admin_upload_too_large", size=f"{size:,}", limit=f"{MAX_UPLOAD_BYTES:,}")


def page_key(name: str) -> str:
    """The form two page names are compared in: NFKC (full-width ``ＥＢ７Ｅ`` is ``EB7E``,
    compatibility ligatures are split) and case-folded.

    Why: on a case-sensitive file system ``000_…EB7E….txt`` and the shipped
    ``000_…eb7e….txt`` are two files, so an editor re-sending a page under a differently typed
    name would silently add a second copy of every article instead of being asked whether to
    replace it — and on a case-insensitive one (macOS, a Windows share) they are the same file.
    """
    return unicodedata.normalize("NFKC", name).casefold()


def same_page(seeds: Path, name: str) -> str | None:
    """The name on disk of the page ``name`` means (equal under :func:`page_key`), if any;
    an exact match wins over one that differs in case or width."""
    key = page_key(name)
    found = [p.name for p in _pages(seeds) if page_key(p.name) == key]
    if name in found:
        return name
    return found[0] if found else None


def stem_clash(seeds: Path, name: str) -> str | None:
    """Another page with the same stem (``x.md`` next to ``x.txt``, compared with
    :func:`page_key`) would share the sidecar ``x.yaml``; its name, if there is one."""
    stem, key = page_key(Path(name).stem), page_key(name)
    for path in _pages(seeds):
        if page_key(path.stem) == stem and page_key(path.name) != key:
            return path.name
    return None


def _pages(seeds: Path) -> list[Path]:
    return page_files(seeds) if seeds.is_dir() else []
