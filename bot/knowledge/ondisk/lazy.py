"""Mappings of a stored snapshot's ``meta`` values that are decoded when read, not at open.

Start-up reads every ``meta`` value (what a question may touch as a whole), but turning
all of them into typed Python objects cost a third of a start at a thousand pages and grows
with the archive.  Two kinds are deferred:

- per-article and per-bigram tables a question reads by key (an article's mentions, its
  sentence keys, the lengths of names holding a bigram): each value is decoded when read,
  so a question pays for the few it touches;
- tables only a digest reads (topic tags): decoded whole the first time one is read.

The JSON text is still parsed at open, so a file that is not JSON never opens; a value of
the wrong shape raises :class:`~bot.knowledge.ondisk.codec.CodecError` when it is read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class ValuesOnRead(Mapping[str, V]):
    """A JSON object (string keys) whose values become ``convert(value)`` when first read."""

    def __init__(self, raw: Mapping[str, Any], convert: Callable[[Any], V]) -> None:
        self._raw, self._convert = raw, convert
        self._done: dict[str, V] = {}  # a dict's item assignment is atomic: no lock needed

    def __getitem__(self, key: str) -> V:
        if key in self._done:
            return self._done[key]
        value = self._done[key] = self._convert(self._raw[key])
        return value

    def __contains__(self, key: object) -> bool:
        return key in self._raw

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


class DecodedOnUse(Mapping[K, V]):
    """A mapping made by ``make`` the first time anything reads it (once, under a lock)."""

    def __init__(self, make: Callable[[], Mapping[K, V]]) -> None:
        self._make: Callable[[], Mapping[K, V]] | None = make
        self._value: Mapping[K, V] | None = None
        self._lock = threading.Lock()

    def _table(self) -> Mapping[K, V]:
        value = self._value
        if value is None:
            with self._lock:
                if self._value is None:
                    assert self._make is not None
                    self._value = self._make()
                    self._make = None  # the raw JSON it closed over can go
                value = self._value
        return value

    def __getitem__(self, key: K) -> V:
        return self._table()[key]

    def __contains__(self, key: object) -> bool:
        return key in self._table()

    def __iter__(self) -> Iterator[K]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


__all__ = ["DecodedOnUse", "ValuesOnRead"]
