"""Stage 7 — candidate pool: the sentences worth scoring, from the index, never a scan.

Candidates come from the posting lists of the question's rarest items (names, concepts,
words), so the work per question depends on how specific it is, not on corpus size.  The
pool is the exact top ``max_candidates`` by summed item weight (MaxScore pruning), plus the
sentences right after a named organisation's or person's mention.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable

from bot.answer.names import REQUIRED_KINDS
from bot.answer.types import kind_of
from bot.knowledge.analysis import ENTITY_PREFIX
from bot.knowledge.build import Knowledge
from bot.nlu.need import Need

# Added to every bound so that float rounding never prunes a sentence that could reach
# the pool: a numerical tolerance, not a weight.
_EPSILON = 1e-9


class Pool:
    def __init__(self, knowledge: Knowledge) -> None:
        self.k = knowledge
        self.index = knowledge.index
        self.w = knowledge.rules.scoring

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
        scores: dict[int, float] = {}
        dropped: set[int] = set()
        # what a sentence could still gain from the words after each one (summed afresh, so
        # rounding never makes it smaller than it is)
        bonus = max(neighbours.values(), default=0.0)  # a neighbour's, added at the end
        rest = [
            sum(v * len(t) for _, v, t in items[i + 1 :]) + bonus + _EPSILON
            for i in range(len(items))
        ]
        widen = True
        for position, (df, weight, terms) in enumerate(items):
            if position >= 2 and len(scores) >= limit and df > index.size // w.common_word_per:
                break  # the pool is full and a common word weighs too little to change it
            remaining = rest[position]
            if widen:
                for term in terms:
                    postings = index.postings.get(term, ())
                    if not scores:
                        scores = dict.fromkeys(postings, weight)
                        continue
                    for key in postings:
                        scores[key] = scores.get(key, 0.0) + weight
                # MaxScore: once a sentence with none of the words so far could not reach
                # the pool even with all the rest, the rest only re-rank (exact top-k)
                if len(scores) > limit:
                    floor = _kth_largest(scores, limit)
                    if remaining < floor:
                        widen = False
                        # …and a sentence that cannot reach the pool even with every
                        # remaining word need not be re-ranked at all
                        kept = {k: v for k, v in scores.items() if v + remaining >= floor}
                        dropped = scores.keys() - kept.keys()
                        scores = kept
            else:
                for term in terms:
                    postings = index.postings.get(term, ())
                    if len(postings) <= len(scores):
                        hits: Iterable[int] = [k for k in postings if k in scores]
                    else:
                        hits = scores.keys() & set(postings)  # both large: intersect in C
                    for key in hits:
                        scores[key] += weight
        for key, weight in neighbours.items():
            # a sentence right after a name's mention outranks its copies elsewhere, whether
            # or not it holds a word of the question
            if key in index.refs and key not in dropped:
                scores[key] = scores.get(key, 0.0) + weight
        if len(scores) <= limit:
            return sorted(scores, key=lambda k: (-scores[k], k))
        pool = [k for _, k in heapq.nsmallest(limit, ((-v, k) for k, v in scores.items()))]
        if reserved:
            # a reason or a method is often given a sentence or two after the company is
            # named, without naming it again: those sentences keep a place in the pool
            # however many others name the place or the words of the question
            taken = set(pool)
            extra = [k for k in reserved if k not in taken and k in index.refs]
            extra.sort(key=lambda k: (-reserved[k], k))
            pool += extra[: w.neighbour_slots]
        return pool


def _kth_largest(scores: dict[int, float], k: int) -> float:
    return heapq.nlargest(k, scores.values())[-1]
