"""Read-only views over a stored snapshot: mappings and a sequence that read rows on demand.

A question touches a few dozen sentences of an archive of hundreds of thousands, so the
stored snapshot's per-sentence tables stay in the file and are read by key when asked for;
what was read lately is kept (a bounded cache per view), so scoring the same candidates
again reads nothing.  The views answer ``in``, ``len`` and iteration like the dicts they
stand for, so the answerer cannot tell them from a built snapshot's tables.
"""

from __future__ import annotations

import sqlite3
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar, overload

from bot.content.model import Article, ArticleHead

K = TypeVar("K")
V = TypeVar("V")

# Posting lists longer than this are read again when asked for rather than cached (a
# common word's list in a large archive is a megabyte; a cache of them would be unbounded).
MAX_CACHED_POSTING = 4096
BACKUP_PAGES = 1024  # database pages copied per step when the file is copied

# Every statement a view reads with, as literals: views name theirs (``text`` for a
# sentence's text, ``text_keys`` to list the keys, ``text_count`` to count them) instead of
# composing SQL, so a value only ever reaches a statement as a ``?`` parameter
# (tests/test_security.py checks every ``execute`` in bot/).
_PARAGRAPH = "article_id = ? AND section = ? AND paragraph = ?"
_SECTION = "article_id = ? AND section = ?"

STATEMENTS = {
    "meta": "SELECT name, value FROM meta",
    "meta_value": "SELECT value FROM meta WHERE name = ?",
    "article": "SELECT body FROM articles WHERE position = ?",
    "article_ids": "SELECT id FROM articles ORDER BY position",
    "normalised": "SELECT normalised FROM articles WHERE id = ?",
    "normalised_keys": "SELECT id FROM articles ORDER BY position",
    "normalised_count": "SELECT count(*) FROM articles",
    "ref": "SELECT key, article_id, section, paragraph, idx FROM sentences WHERE key = ?",
    "ref_keys": "SELECT key FROM sentences ORDER BY rowid",
    "ref_count": "SELECT count(*) FROM sentences",
    "text": "SELECT text FROM sentences WHERE key = ?",
    "text_keys": "SELECT key FROM sentences ORDER BY rowid",
    "text_count": "SELECT count(*) FROM sentences",
    "mentions": "SELECT mentions FROM sentences WHERE key = ?",
    "mentions_keys": "SELECT key FROM sentences ORDER BY rowid",
    "mentions_count": "SELECT count(*) FROM sentences",
    "paragraph_text": "SELECT text FROM paragraphs WHERE " + _PARAGRAPH + " AND text IS NOT NULL",
    "paragraph_text_keys": "SELECT article_id, section, paragraph FROM paragraphs"
    " WHERE text IS NOT NULL ORDER BY rowid",
    "paragraph_text_count": "SELECT count(*) FROM paragraphs WHERE text IS NOT NULL",
    "paragraph_mentions": "SELECT mentions FROM paragraphs WHERE "
    + _PARAGRAPH
    + " AND mentions IS NOT NULL",
    "paragraph_mentions_keys": "SELECT article_id, section, paragraph FROM paragraphs"
    " WHERE mentions IS NOT NULL ORDER BY rowid",
    "paragraph_mentions_count": "SELECT count(*) FROM paragraphs WHERE mentions IS NOT NULL",
    "head": "SELECT head FROM sections WHERE " + _SECTION + " AND head IS NOT NULL",
    "head_keys": "SELECT article_id, section FROM sections WHERE head IS NOT NULL ORDER BY rowid",
    "head_count": "SELECT count(*) FROM sections WHERE head IS NOT NULL",
    "section_mentions": "SELECT mentions FROM sections WHERE "
    + _SECTION
    + " AND mentions IS NOT NULL",
    "section_mentions_keys": "SELECT article_id, section FROM sections"
    " WHERE mentions IS NOT NULL ORDER BY rowid",
    "section_mentions_count": "SELECT count(*) FROM sections WHERE mentions IS NOT NULL",
    "posting": "SELECT keys FROM postings WHERE term = ?",
    "frequencies": "SELECT term, length(keys) / 8 FROM postings",
    "entity": "SELECT body FROM entities WHERE key = ?",
    "entity_keys": "SELECT key FROM entities ORDER BY rowid",
    "entity_count": "SELECT count(*) FROM entities",
    "sound": "SELECT names FROM sounds WHERE key = ?",
    "sound_keys": "SELECT key FROM sounds ORDER BY rowid",
    "sound_count": "SELECT count(*) FROM sounds",
    "mask": "SELECT names FROM masks WHERE key = ?",
    "mask_keys": "SELECT key FROM masks ORDER BY rowid",
    "mask_count": "SELECT count(*) FROM masks",
    "bigram": "SELECT names FROM bigrams WHERE gram = ? AND length = ?",
    "bigram_keys": "SELECT gram, length FROM bigrams ORDER BY rowid",
    "bigram_count": "SELECT count(*) FROM bigrams",
}


class Rows:
    """One read-only connection shared by a snapshot's views (reads are serialised: the
    bot answers from one thread at a time, and a lock costs nothing uncontended)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        self._lock = threading.Lock()

    def copy_to(self, target: sqlite3.Connection) -> None:
        """The whole file as this connection reads it (a file renamed over since is still
        read as it was), a few pages at a time so that questions read in between."""
        self.connection.backup(target, pages=BACKUP_PAGES)

    def one(self, statement: str, params: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
        """The first row of the statement named ``statement`` (``statements.STATEMENTS``)."""
        with self._lock:
            cursor = self.connection.execute(STATEMENTS[statement], params)
            row: tuple[Any, ...] | None = cursor.fetchone()
            return row

    def all(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self.connection.execute(STATEMENTS[statement], params).fetchall()

    def count(self, statement: str) -> int:
        """What the statement ``<statement>_count`` counts."""
        found = self.one(statement + "_count")
        return int(found[0]) if found else 0

    def close(self) -> None:
        with self._lock:
            self.connection.close()


_MISSING = object()


class _Recent:
    """The last ``size`` values read, most recent last; safe to share between threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def find(self, key: Any) -> Any:
        """The value kept for ``key`` (now the most recent), else ``_MISSING``."""
        with self._lock:
            value = self._values.get(key, _MISSING)
            if value is not _MISSING:
                self._values.move_to_end(key)
            return value

    def keep(self, key: Any, value: Any) -> None:
        with self._lock:
            self._values[key] = value
            if len(self._values) > self.size:
                self._values.popitem(last=False)


class StoredMap(Mapping[K, V]):
    """A table read as a mapping with the statements named ``statement`` (one row by key),
    ``statement + "_keys"`` (every key, in stored order) and ``statement + "_count"``.

    ``key_params`` turns a key into the statement's parameters (a tuple key into its parts),
    ``decode`` a row into the value, ``key_of`` a row of the key columns back into a key.
    """

    def __init__(
        self,
        rows: Rows,
        statement: str,
        decode: Callable[[tuple[Any, ...]], V],
        *,
        key_params: Callable[[Any], tuple[Any, ...]] = lambda key: (key,),
        key_of: Callable[[tuple[Any, ...]], K] = lambda row: row[0],
        cache: int = 4096,
    ) -> None:
        self._statement = statement
        self._rows, self._decode, self._params, self._key_of = rows, decode, key_params, key_of
        self._size = rows.count(statement)
        self._recent = _Recent(cache)

    def __getitem__(self, key: K) -> V:
        found = self._recent.find(key)
        if found is not _MISSING:
            return found  # type: ignore[no-any-return]
        try:
            params = self._params(key)
        except (TypeError, ValueError) as exc:  # a key of another shape is in no table
            raise KeyError(key) from exc
        row = self._rows.one(self._statement, params)
        if row is None:
            raise KeyError(key)
        value = self._decode(row)
        self._recent.keep(key, value)
        return value

    def __iter__(self) -> Iterator[K]:
        return iter([self._key_of(row) for row in self._rows.all(self._statement + "_keys")])

    def __len__(self) -> int:
        return self._size


class StoredPostings(Mapping[str, "array[int]"]):
    """Posting lists read by term; which terms exist (and how many sentences each is in) is
    held in memory, so ``in`` and document frequencies read nothing."""

    def __init__(self, rows: Rows, frequencies: Mapping[str, int]) -> None:
        self._rows = rows
        self.frequencies = frequencies
        self._recent = _Recent(8192)

    def __getitem__(self, term: str) -> array[int]:
        found = self._recent.find(term)
        if found is not _MISSING:
            return found  # type: ignore[no-any-return]
        if term not in self.frequencies:
            raise KeyError(term)
        row = self._rows.one("posting", (term,))
        if row is None:
            raise KeyError(term)
        keys = array("q")
        keys.frombytes(row[0])
        if len(keys) <= MAX_CACHED_POSTING:
            self._recent.keep(term, keys)
        return keys

    def __contains__(self, term: object) -> bool:
        return term in self.frequencies

    def __iter__(self) -> Iterator[str]:
        return iter(self.frequencies)

    def __len__(self) -> int:
        return len(self.frequencies)


class StoredArticles(Sequence[Article]):
    """The articles in snapshot order, decoded when asked for (the last ones read kept)."""

    def __init__(
        self,
        rows: Rows,
        decode: Callable[[str], Article],
        count: int,
        cache: int = 256,
        start: int = 0,
        heads: Sequence[ArticleHead] = (),
        fact_count: int | None = None,
    ) -> None:
        self._rows, self._decode, self._count, self._start = rows, decode, count, start
        self._recent = _Recent(cache)
        # what scans of every article read, stored beside them (Knowledge.heads, fact_count)
        self.heads, self.fact_count = heads, fact_count

    @property
    def rows(self) -> Rows:
        """The connection to the file these articles are read from."""
        return self._rows

    def at(self, position: int) -> Article:
        found = self._recent.find(position)
        if found is not _MISSING:
            return found  # type: ignore[no-any-return]
        row = self._rows.one("article", (position,))
        if row is None:
            raise IndexError(position)
        article = self._decode(row[0])
        self._recent.keep(position, article)
        return article

    @overload
    def __getitem__(self, index: int) -> Article: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Article]: ...

    def __getitem__(self, index: int | slice) -> Article | Sequence[Article]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(self._count)))
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        return self.at(self._start + index)

    def __len__(self) -> int:
        return self._count

    def window(self, start: int, count: int) -> StoredArticles:
        """The articles ``start`` … ``start + count - 1`` (one page's), sharing this cache."""
        view = StoredArticles(
            self._rows,
            self._decode,
            count,
            start=self._start + start,
            heads=self.heads[start : start + count],
        )
        view._recent = self._recent
        return view


class ArticlesById(Mapping[str, Article]):
    """Articles by id over :class:`StoredArticles` (the id → position table is in memory)."""

    def __init__(self, articles: StoredArticles, positions: Mapping[str, int]) -> None:
        self._articles, self._positions = articles, positions

    def __getitem__(self, article_id: str) -> Article:
        return self._articles[self._positions[article_id]]

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._positions

    def __iter__(self) -> Iterator[str]:
        return iter(self._positions)

    def __len__(self) -> int:
        return len(self._positions)
