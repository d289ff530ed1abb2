"""Stage 7 — candidate pool: the sentences worth scoring, from the index, never a scan.

Candidates come from the posting lists of the question's rarest items (names, concepts,
words), so the work per question depends on how specific it is, not on corpus size.  The
pool is the exact top ``max_candidates`` by summed item weight (posting lists added in numpy,
rarest first; common words skipped once the pool is full), plus the
sentences right after a named organisation's or person's mention.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from bot.answer.archive import PageDates
from bot.answer.names import REQUIRED_KINDS
from bot.answer.types import kind_of
from bot.knowledge.analysis import ENTITY_PREFIX
from bot.knowledge.build import Knowledge
from bot.knowledge.rows import SentenceRows
from bot.nlu.need import Need


class Pool:
    def __init__(self, knowledge: Knowledge) -> None:
        self.k = knowledge
        self.index = knowledge.index
        self.w = knowledge.rules.scoring
        # scores live in one array with a row per sentence
        self.rows = SentenceRows(self.index.refs)
        self.dates = PageDates(knowledge)

    def _summed(
        self,
        items: list[tuple[int, float, list[str]]],
        limit: int,
        allowed: npt.NDArray[np.bool_] | None,
    ) -> npt.NDArray[np.float64]:
        """Each sentence's summed item weight, rarest item first, added a posting list at a
        time in numpy (a common word of a large archive has tens of thousands of sentences).
        Once the pool is full, a common word (in more than one sentence of
        ``common_word_per``) weighs too little to change it and is not added.  ``allowed``:
        the rows of the pages a question asks about by date; the others score nothing."""
        index, w = self.index, self.w
        scores = np.zeros(len(self.rows))
        for position, (df, weight, terms) in enumerate(items):
            if (
                position >= 2
                and df > index.size // w.common_word_per
                and np.count_nonzero(scores) >= limit
            ):
                break
            for term in terms:
                postings = index.postings.get(term)
                if postings:
                    scores[self.rows.of_postings(postings)] += weight
            if allowed is not None:
                scores[~allowed] = 0.0
        return scores

    def candidates(self, need: Need) -> list[int]:
        index, w = self.index, self.w
        limit = self.k.rules.thresholds.max_candidates
        items: list[tuple[int, float, list[str]]] = []
        neighbours: dict[int, float] = {}
        reserved: dict[int, float] = {}  # after an organisation's or person's mention
        # a reason or a method is often given right after the name, without naming it again
        keep_after_names = kind_of(need.answer).cued
        for entity in need.names:
            terms = [ENTITY_PREFIX + k for k in self.k.entities.group(entity.key)]
            df = sum(index.df(t) for t in terms)
            weight = w.name_weight * index.idf(terms[0])
            items.append((df, weight, terms))
            for term in terms:
                for key in index.postings.get(term, ())[:limit]:
                    for step in range(1, w.neighbours + 1):
                        decayed = weight / (w.neighbour_decay + step)
                        near = max(neighbours.get(key + step, 0.0), decayed)
                        neighbours[key + step] = near
                        if keep_after_names and entity.kind in REQUIRED_KINDS:
                            reserved[key + step] = near
        for item in (*need.concepts, *need.terms):
            df = index.df(item)
            if df:
                items.append((df, index.idf(item), [item]))
        items.sort(key=lambda x: x[0])
        when = need.page_time
        allowed = (
            self.dates.allowed_rows(self.rows, when) if when is not None and when.bounded else None
        )
        scores = self._summed(items, limit, allowed)
        for key, weight in neighbours.items():
            # a sentence right after a name's mention outranks its copies elsewhere, whether
            # or not it holds a word of the question
            if key in index.refs:
                row = self.rows.row(key)
                if allowed is None or allowed[row]:
                    scores[row] += weight
        pool, scored = _top(scores, self.rows.keys, limit)
        if scored <= limit:
            return pool
        if reserved:
            # a reason or a method is often given a sentence or two after the company is
            # named, without naming it again: those sentences keep a place in the pool
            # however many others name the place or the words of the question
            taken = set(pool)
            extra = [
                k
                for k in reserved
                if k not in taken
                and k in index.refs
                and (allowed is None or allowed[self.rows.row(k)])
            ]
            extra.sort(key=lambda k: (-reserved[k], k))
            pool += extra[: w.neighbour_slots]
        return pool


def _top(
    scores: npt.NDArray[np.float64], keys: npt.NDArray[np.int64], limit: int
) -> tuple[list[int], int]:
    """The keys of the ``limit`` highest scores, highest first, of equals the lowest key
    (rows are in key order); and how many sentences scored at all."""
    touched = np.flatnonzero(scores)
    scored = len(touched)
    values = scores[touched]
    if scored > limit:
        kth = np.partition(values, scored - limit)[scored - limit]
        keep = values >= kth
        touched, values = touched[keep], values[keep]
    order = np.lexsort((touched, -values))[:limit]
    return [int(k) for k in keys[touched[order]]], scored
