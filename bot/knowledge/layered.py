"""A snapshot's tables as a small layer of added pages over a stored one.

Adding a day's pages to an archive opened from its file must not read the archive: the
added pages' sentences, posting lists and names are a layer in memory, and every table of
the new snapshot looks in that layer first and then in the stored one (the way a search
engine adds a segment instead of rewriting its index).  The layer's keys are new — new
articles, new sentence slots — so the two never disagree about a key; where a stored row
does change (an entity the new pages name again, a posting list that grows) the layer holds
the whole new value.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Mapping, Sequence
from typing import TypeVar, overload

from bot.content.model import Article, ArticleHead

K = TypeVar("K")
V = TypeVar("V")


class Layered(Mapping[K, V]):
    """``top`` over ``base``: a key of ``top`` hides the same key of ``base``."""

    def __init__(self, top: Mapping[K, V], base: Mapping[K, V], disjoint: bool = False) -> None:
        """``disjoint``: no key of ``top`` is in ``base`` (new sentences, new articles), so
        counting does not look each one up in the stored table."""
        if isinstance(base, Layered):  # one layer over the stored tables, never a stack
            lower: Layered[K, V] = base
            top, base, disjoint = {**lower.top, **top}, lower.base, disjoint and lower.disjoint
        self.top: Mapping[K, V] = top
        self.base: Mapping[K, V] = base
        self.disjoint: bool = disjoint
        self._hidden = 0 if disjoint else sum(1 for key in top if key in base)

    def __getitem__(self, key: K) -> V:
        if key in self.top:
            return self.top[key]
        return self.base[key]

    def __contains__(self, key: object) -> bool:
        return key in self.top or key in self.base

    def __iter__(self) -> Iterator[K]:
        yield from self.top
        for key in self.base:
            if key not in self.top:
                yield key

    def __len__(self) -> int:
        return len(self.top) + len(self.base) - self._hidden


class _Merged(Mapping[K, V]):
    """A key's stored value merged with the added one (``_merge``); which keys exist is
    answered by both tables, a stored key first."""

    top: Mapping[K, V]
    base: Mapping[K, V]

    def _merge(self, stored: V, added: V) -> V:
        raise NotImplementedError

    def __getitem__(self, key: K) -> V:
        added = self.top.get(key)
        if added is None:
            return self.base[key]
        stored = self.base.get(key)
        return added if stored is None else self._merge(stored, added)

    def __contains__(self, key: object) -> bool:
        return key in self.top or key in self.base

    def __iter__(self) -> Iterator[K]:
        yield from self.base
        for key in self.top:
            if key not in self.base:
                yield key

    def __len__(self) -> int:
        return len(self.base) + sum(1 for k in self.top if k not in self.base)


class LayeredPostings(_Merged[str, "array[int]"]):
    """Posting lists of the stored sentences followed by the added ones' (added sentences
    have higher keys, so each list stays sorted); which terms exist is answered from memory,
    as the stored postings answer it."""

    def __init__(self, top: Mapping[str, array[int]], base: Mapping[str, array[int]]) -> None:
        if isinstance(base, LayeredPostings):
            lower: LayeredPostings = base
            merged = dict(lower.top)
            for term, keys in top.items():
                merged[term] = merged[term] + keys if term in merged else keys
            top, base = merged, lower.base
        self.top = top
        self.base = base

    def _merge(self, stored: array[int], added: array[int]) -> array[int]:
        return stored + added


class JoinedNames(_Merged[K, tuple[str, ...]]):
    """The name lists of the fuzzy index: a stored key's names and the added ones, sorted
    as a build sorts them."""

    def __init__(
        self, top: Mapping[K, tuple[str, ...]], base: Mapping[K, tuple[str, ...]]
    ) -> None:
        if isinstance(base, JoinedNames):
            lower: JoinedNames[K] = base
            merged = dict(lower.top)
            for key, names in top.items():
                merged[key] = tuple(sorted({*merged.get(key, ()), *names}))
            top, base = merged, lower.base
        self.top = top
        self.base = base

    def _merge(self, stored: tuple[str, ...], added: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted({*stored, *added}))


class JoinedArticles(Sequence[Article]):
    """The stored articles, then the added pages' — with the heads and fact count that scans
    of every article read instead of the articles (``Knowledge.heads``)."""

    def __init__(self, base: Sequence[Article], added: Sequence[Article]) -> None:
        if isinstance(base, JoinedArticles):
            lower: JoinedArticles = base
            base, added = lower.base, (*lower.added, *added)
        self.base: Sequence[Article] = base
        self.added: tuple[Article, ...] = tuple(added)
        stored: Sequence[ArticleHead] = getattr(base, "heads", None) or tuple(
            ArticleHead.of(a) for a in base
        )
        self.heads: tuple[ArticleHead, ...] = (
            *stored,
            *(ArticleHead.of(a) for a in self.added),
        )
        base_facts: int | None = getattr(base, "fact_count", None)
        if base_facts is None:
            base_facts = sum(len(a.facts) for a in base)
        self.fact_count = base_facts + sum(len(a.facts) for a in self.added)

    @overload
    def __getitem__(self, index: int) -> Article: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Article]: ...

    def __getitem__(self, index: int | slice) -> Article | Sequence[Article]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        stored = len(self.base)
        return self.base[index] if index < stored else self.added[index - stored]

    def __len__(self) -> int:
        return len(self.base) + len(self.added)
