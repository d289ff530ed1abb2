"""The analysis cache's file format: data only, versioned, checksummed.

Why not pickle: loading a pickle runs whatever the file says (a crafted entry ran
``os.system``), and one corrupt byte made ``pickle.load`` raise errors nobody expected
(``UnicodeDecodeError``, ``unsupported pickle protocol``, ``ModuleNotFoundError``), so the bot
crashed at every start until someone deleted the cache.  This format can only ever produce
strings and lists of them, and every way a file can be wrong ends in one exception,
:class:`CacheEntryError`, which the cache treats as a miss.

A file is one header line and a JSON body::

    newsbot-analysis/1 <blake2b-128 of the body, hex>\\n
    {"key": …, "content_hash": …, "texts": […], "words": […], "terms": [[0, 3, …], …],
     "hits": [[…], …]}

The header names the format version (an entry of another version is a miss, never
misread) and a digest of the body, so a flipped, dropped or inserted byte anywhere is
caught before the JSON is parsed; without it a flip inside an ASCII word (``2024`` →
``2025``) would still be valid JSON and change answers.  The digest guards against
corruption, not against someone who can write the cache directory: such a person can
make the bot index wrong words, but can no longer make it run code.

``words`` is the entry's vocabulary: ``terms`` and ``hits`` are indexes into it, which keeps
entries small and lets a warm start intern each word once instead of once per occurrence.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass
from typing import Any

FORMAT_NAME = b"newsbot-analysis"
FORMAT_VERSION = 1
_HEADER_PREFIX = FORMAT_NAME + b"/"
_DIGEST_BYTES = 16
MAX_HEADER_BYTES = 128  # a header is ~60 bytes; a file without a newline early on is not ours
SUFFIX = ".json"


class CacheEntryError(ValueError):
    """A cache file that is not a readable entry of this format (any reason: a miss)."""


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """One article's analysis as stored (the fields of ``TextAnalysis``)."""

    key: str
    content_hash: str
    texts: tuple[str, ...]
    terms: tuple[tuple[str, ...], ...]
    alias_hits: tuple[tuple[str, ...], ...]


def _digest(body: bytes) -> bytes:
    return hashlib.blake2b(body, digest_size=_DIGEST_BYTES).hexdigest().encode("ascii")


def encode(entry: CacheEntry) -> bytes:
    """The bytes of ``entry``'s file."""
    index: dict[str, int] = {}
    for rows in (entry.terms, entry.alias_hits):
        for row in rows:
            for word in row:
                index.setdefault(word, len(index))
    body = json.dumps(
        {
            "key": entry.key,
            "content_hash": entry.content_hash,
            "texts": entry.texts,
            "words": list(index),
            "terms": [[index[w] for w in row] for row in entry.terms],
            "hits": [[index[w] for w in row] for row in entry.alias_hits],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    header = _HEADER_PREFIX + str(FORMAT_VERSION).encode("ascii") + b" " + _digest(body) + b"\n"
    return header + body


def decode(data: bytes, key: str) -> CacheEntry:
    """The entry stored in ``data`` under ``key``; CacheEntryError if it is anything else."""
    newline = data.find(b"\n", 0, MAX_HEADER_BYTES)
    if newline < 0:
        raise CacheEntryError("no header")
    header, body = data[:newline], data[newline + 1 :]
    name, _, rest = header.partition(b"/")
    version, _, digest = rest.partition(b" ")
    if name != FORMAT_NAME:
        raise CacheEntryError("not an analysis cache entry")
    if version != str(FORMAT_VERSION).encode("ascii"):
        raise CacheEntryError("another format version")
    if digest != _digest(body):
        raise CacheEntryError("checksum mismatch")
    try:
        return _entry(json.loads(body), key)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
        raise CacheEntryError(f"malformed body ({type(exc).__name__})") from exc


def _entry(raw: Any, key: str) -> CacheEntry:
    if not isinstance(raw, dict):
        raise CacheEntryError("body is not an object")
    if raw["key"] != key:
        raise CacheEntryError("entry is stored under another key")
    content_hash, texts, words = raw["content_hash"], raw["texts"], raw["words"]
    terms, hits = raw["terms"], raw["hits"]
    if not isinstance(content_hash, str):
        raise CacheEntryError("content hash is not a string")
    for strings in (texts, words):
        if not isinstance(strings, list) or not set(map(type, strings)) <= {str}:
            raise CacheEntryError("texts and words must be lists of strings")
    if not (isinstance(terms, list) and isinstance(hits, list)) or not (
        len(texts) == len(terms) == len(hits)
    ):
        raise CacheEntryError("one row of terms and hits per text")
    shared = tuple(map(sys.intern, words))  # one copy of 企业 for every article
    return CacheEntry(key, content_hash, tuple(texts), _rows(terms, shared), _rows(hits, shared))


def _rows(rows: list[Any], words: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """Index rows → word rows.  A row of anything but indexes into ``words`` raises
    TypeError or IndexError (a float, a string, a list, a too large index);
    negative indexes would silently pick words from the end, so they are refused here."""
    if not set(map(type, rows)) <= {list}:
        raise CacheEntryError("a row is not a list")
    word = words.__getitem__
    result = tuple(tuple(map(word, row)) for row in rows)
    if any(row and min(row) < 0 for row in rows):
        raise CacheEntryError("negative word index")
    return result
