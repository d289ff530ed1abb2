"""Find the sentence that answers a need, or decide that none does.

The answer stages in order: :mod:`~bot.answer.pool` gathers candidates from the index,
:mod:`~bot.answer.score` scores them (coverage, proximity, type fit), and this module ranks
them and accepts the best one only when it clears every named threshold: its calibrated
confidence at least ``decline_below`` (intents/scoring.yaml), its coverage and proximity
those of answering.yaml.  A fact-typed
question is declined when no candidate fits its type; any question is declined when
coverage or proximity falls below its threshold.  Declining beats a confident guess.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from bot.answer.backend import RetrievalBackend
from bot.answer.names import REQUIRED_KINDS, NameRules
from bot.answer.pool import Pool
from bot.answer.score import Candidate, Scorer, order
from bot.answer.surfaces import asked_words
from bot.answer.types import kind_of
from bot.knowledge.analysis import ENTITY_PREFIX
from bot.knowledge.build import Knowledge
from bot.nlu.need import Need

_EPOCH = dt.date(1, 1, 1)

__all__ = [
    "ENTITY_PREFIX",
    "REQUIRED_KINDS",
    "Candidate",
    "Need",
    "Retriever",
]


class Retriever:
    """Per snapshot: the pool, the scorer and the name rules, with their caches."""

    def __init__(self, knowledge: Knowledge, backend: RetrievalBackend | None = None) -> None:
        """``backend``: where candidates come from (bot/answer/backend.py); the snapshot's
        own posting lists when None."""
        self.k = knowledge
        self.t = knowledge.rules.thresholds
        self.index = knowledge.index
        self.names = NameRules(knowledge)
        self.pool = Pool(knowledge)
        self.backend: RetrievalBackend = backend or self.pool
        self.scorer = Scorer(knowledge, self.names, self.pool.dates)

    def candidates(self, need: Need) -> list[int]:
        return self.backend.candidates(need)

    def foreign_names(self, need: Need) -> list[str]:
        return self.names.foreign_names(need)

    def words(self, need: Need) -> list[str]:
        """How the question's content words may be written in an answer."""
        return asked_words(self.k, need)

    def score(self, need: Need, key: int) -> Candidate | None:
        partial = self.scorer.partial(need, key, self.scorer.plan(need))
        return None if partial is None else self.scorer.finish(need, partial)

    def rank(
        self, need: Need, keys: Sequence[int] | None = None, limit: int | None = None
    ) -> list[Candidate]:
        """Candidates best first; with ``limit``, only the first ``limit`` of them.

        With a limit the expensive part of scoring (the facts of the asked type) runs in the
        order of each candidate's best possible confidence and stops once no remaining one
        can reach the last kept: the same answer as scoring every candidate, for a fraction
        of the work in a large archive.
        """
        if need.empty or _only_numbers(need) or self.names.foreign_names(need):
            return []
        pool = self.backend.candidates(need) if keys is None else list(keys)
        plan = self.scorer.plan(need)
        partials = [
            p for p in (self.scorer.partial(need, key, plan) for key in pool) if p is not None
        ]
        if limit is None:
            scored = [self.scorer.finish(need, p) for p in partials]
            scored.sort(key=order)
            return scored
        partials.sort(key=lambda p: -p.bound)
        kept: list[Candidate] = []
        for partial in partials:
            if len(kept) >= limit and round(partial.bound, 6) < round(kept[-1].confidence, 6):
                break
            kept.append(self.scorer.finish(need, partial))
            kept.sort(key=order)
            del kept[limit:]
        return kept

    def best(self, need: Need) -> Candidate | None:
        if need.page_time is not None and need.page_time.newest:
            return self._newest(need)
        for candidate in self.rank(need, limit=1):
            if self.acceptable(need, candidate):
                return candidate
            return None
        return None

    def _newest(self, need: Need) -> Candidate | None:
        """ "最新的报道说…": of the acceptable answers nearly as good as the best
        (``newest_margin``), the one from the newest page."""
        w = self.k.rules.scoring
        ranked = [
            c for c in self.rank(need, limit=w.newest_candidates) if self.acceptable(need, c)
        ]
        if not ranked:
            return None
        floor = ranked[0].confidence - w.newest_margin
        close = [c for c in ranked if c.confidence >= floor]
        return max(close, key=lambda c: (self.pool.dates.of(c.article) or _EPOCH, -c.key))

    def calibrated(self, c: Candidate) -> float:
        """The confidence an answer reports: its score as a share right."""
        return self.scorer.calibrated(c.confidence)

    def acceptable(self, need: Need, c: Candidate) -> bool:
        t = self.t
        if self.calibrated(c) < self.k.rules.scoring.decline_below:
            return False  # the one confidence cut-off (intents/scoring.yaml)
        if need.requires and not any(w in c.sentence.text for w in need.requires):
            return False
        fact_typed = kind_of(need.answer).fact_typed
        if need.concepts or need.terms:
            floor = t.min_coverage if fact_typed else t.min_coverage_open
            if c.coverage < floor:
                return False
        if self.names.required(need) and c.proximity < t.min_entity:
            return False
        return not (fact_typed and not c.facts and c.type_fit < 1.0)


def _only_numbers(need: Need) -> bool:
    """ "1+1等于几": nothing to look up but digits."""
    return (
        not need.names
        and not need.concepts
        and all(re.fullmatch(r"[\d.]+", t) for t in need.terms)
    )
