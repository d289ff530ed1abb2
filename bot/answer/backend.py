"""The retrieval backend: what the answerer asks of whatever holds the sentence index.

Today one process holds the whole archive in its snapshot and :class:`~bot.answer.pool.Pool`
answers from in-memory posting lists.  An archive that outgrows one machine moves the
*candidate pool* out — to OpenSearch/Elasticsearch with a Chinese analyzer, say — while the
rest of the pipeline (understanding, scoring, fact choice, composing) stays as it is, because
it reads candidates only through this interface (docs/scaling.md).

A backend gets the question's Need (its names, concepts and words, the answer type, the page
time asked) and returns sentence keys (``slot × SENTENCES_PER_SLOT + position``, see
:mod:`bot.knowledge.index`), best first, at most ``thresholds.max_candidates`` (plus the
few sentences it keeps after a name's mention).  The keys must be sentences of the snapshot
the answerer scores with: a remote backend is loaded from the same build, and a reload swaps
both together.
"""

from __future__ import annotations

from typing import Protocol

from bot.nlu.need import Need


class RetrievalBackend(Protocol):
    """The sentences worth scoring for a need, best first (never a scan of the corpus)."""

    def candidates(self, need: Need) -> list[int]: ...
