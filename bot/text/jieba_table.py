"""jieba's main frequency table kept in a file that holds only data: words and numbers.

jieba caches the table (about 500,000 words and prefixes) with ``marshal`` and reads it back
with ``marshal.load`` on the open file, piece by piece: 0.9 s, the largest part of a start.
This file holds the same table as one block of UTF-8 words and one block of 64-bit counts,
read in two calls (0.2 s) — and, unlike a marshal or pickle file, nothing in it can become
code (tests/test_analysis_cache.py bans those formats from ``bot/``). It is checked against
the jieba version and the size of jieba's word file, so a new jieba rebuilds it.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from array import array
from pathlib import Path
from typing import Final

import jieba

logger = logging.getLogger(__name__)

TABLE_NAME: Final = "jieba-main.table"
_MAGIC: Final = b"NEWSBOT-JIEBA-TABLE"
_FORMAT: Final = 1


def _stamp() -> bytes:
    """What the table was made from: jieba's version and the size of its word file."""
    with jieba.get_dict_file() as handle:
        size = handle.seek(0, os.SEEK_END)
    return f"{jieba.__version__}:{size}".encode()


def read_table(directory: Path) -> tuple[dict[str, int], int] | None:
    """The table and jieba's total stored in ``directory``, or None when there is none that
    fits this jieba (missing, from another version, damaged)."""
    try:
        data = (directory / TABLE_NAME).read_bytes()
        header, _, body = data.partition(b"\n")
        magic, version, stamp, total, count, size = header.split(b" ")
        if magic != _MAGIC or int(version) != _FORMAT or stamp != _stamp():
            return None
        width = int(count) * 8
        if len(body) != width + int(size):
            return None  # cut short, or more than was written
        counts = array("q")
        counts.frombytes(body[:width])
        if sys.byteorder != "little":
            counts.byteswap()
        words = body[width:].decode("utf-8").split("\n")
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if len(words) != len(counts) or int(total) <= 0:
        return None
    return dict(zip(words, counts, strict=True)), int(total)


def write_table(directory: Path, table: dict[str, int], total: int) -> None:
    """Store ``table`` atomically (a temporary file renamed); a failure is logged, not raised:
    the next start builds the table again."""
    if any("\n" in word or " " in word for word in table):
        logger.warning("jieba table not stored: a word holds a separator")
        return
    counts = array("q", table.values())
    if sys.byteorder != "little":
        counts.byteswap()
    words = "\n".join(table).encode("utf-8")
    fields = [str(_FORMAT).encode(), _stamp(), str(total).encode()]
    header = b" ".join([_MAGIC, *fields, str(len(counts)).encode(), str(len(words)).encode()])
    try:
        fd, name = tempfile.mkstemp(dir=directory, prefix=".jieba-table-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(header + b"\n")
            handle.write(counts.tobytes())
            handle.write(words)
        os.replace(name, directory / TABLE_NAME)
    except OSError as exc:
        logger.warning("jieba table not stored in %s: %s", directory, exc)
