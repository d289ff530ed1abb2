"""Sentence keys ↔ dense row numbers, for arrays with one cell per sentence.

A sentence key is ``slot × SENTENCES_PER_SLOT + position`` (stable across reloads, see
:mod:`bot.knowledge.index`), so keys are sparse: 6,000 articles span 24 million keys for
150,000 sentences.  An article's sentences fill its slot from position 0 without gaps, so a
key's row is its slot's first row plus its position — three vector operations for a whole
posting list, where a search of the sorted keys would cost a comparison per level.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from bot.knowledge.index import SENTENCES_PER_SLOT

IntArray = npt.NDArray[np.int64]


class SentenceRows:
    """The rows of one snapshot's sentences (immutable once made)."""

    __slots__ = ("_first", "keys")

    def __init__(self, keys: Iterable[int]) -> None:
        self.keys: IntArray = np.array(sorted(keys), dtype=np.int64)  # row → key
        slots = self.keys // SENTENCES_PER_SLOT
        self._first: IntArray = np.zeros(int(slots[-1]) + 1 if len(slots) else 0, np.int64)
        starts = np.flatnonzero(np.diff(slots, prepend=-1))
        self._first[slots[starts]] = starts - self.keys[starts] % SENTENCES_PER_SLOT
        if not np.array_equal(self.of(self.keys), np.arange(len(self.keys))):
            raise ValueError("sentence keys do not fill their slots from position 0")

    def __len__(self) -> int:
        return len(self.keys)

    def of(self, keys: IntArray) -> IntArray:
        """The rows of ``keys`` (every one a sentence of this snapshot)."""
        return self._first[keys // SENTENCES_PER_SLOT] + keys % SENTENCES_PER_SLOT

    def of_postings(self, postings: array[int]) -> IntArray:
        """The rows of a posting list (an ``array('q')``, read without a copy)."""
        return self.of(np.frombuffer(postings, dtype=np.int64))

    def row(self, key: int) -> int:
        return int(self._first[key // SENTENCES_PER_SLOT]) + key % SENTENCES_PER_SLOT
