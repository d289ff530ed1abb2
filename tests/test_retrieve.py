"""Candidate selection and ranking: the pruned paths give the same answers as brute force.

The seed page is smaller than the candidate pool, so these tests shrink the pool
(``max_candidates``) to make every pruning rule fire on real questions.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.answer.context import resolve
from bot.answer.retrieve import (
    ENTITY_PREFIX,
    REQUIRED_KINDS,
    Need,
    Retriever,
)
from bot.answer.types import kind_of
from bot.evaluate import load_questions
from bot.knowledge.build import Knowledge
from bot.nlu.understand import understand

QUESTIONS = Path(__file__).parent / "qa" / "seed_page.yaml"


def with_pool(knowledge: Knowledge, size: int) -> Knowledge:
    thresholds = replace(knowledge.rules.thresholds, max_candidates=size)
    return replace(knowledge, rules=replace(knowledge.rules, thresholds=thresholds))


def needs(knowledge: Knowledge) -> list[Need]:
    found = []
    for item in load_questions(QUESTIONS):
        need, _ = resolve(understand(item.question, knowledge), None)
        if not need.empty:
            found.append(need)
    return found


def brute_force_pool(retriever: Retriever, need: Need) -> list[int]:
    """Every sentence holding any of the words, scored in full, the same cut-offs."""
    index = retriever.index
    limit = retriever.t.max_candidates
    w = retriever.k.rules.scoring
    items = []
    neighbours: dict[int, float] = {}
    reserved: dict[int, float] = {}
    for entity in need.names:
        terms = [ENTITY_PREFIX + k for k in retriever.k.entities.group(entity.key)]
        weight = w.name_weight * index.idf(terms[0])
        items.append((sum(index.df(t) for t in terms), weight, terms))
        for term in terms:
            for key in index.postings.get(term, ())[:limit]:
                for step in range(1, w.neighbours + 1):
                    decayed = weight / (w.neighbour_decay + step)
                    near = max(neighbours.get(key + step, 0.0), decayed)
                    neighbours[key + step] = near
                    if entity.kind in REQUIRED_KINDS:
                        reserved[key + step] = near
    items += [
        (index.df(t), index.idf(t), [t]) for t in (*need.concepts, *need.terms) if index.df(t)
    ]
    items.sort(key=lambda x: x[0])
    scores: dict[int, float] = {}
    for position, (df, weight, terms) in enumerate(items):
        if position >= 2 and len(scores) >= limit and df > index.size // w.common_word_per:
            break
        for term in terms:
            for key in index.postings.get(term, ()):
                scores[key] = scores.get(key, 0.0) + weight
    for key, weight in neighbours.items():
        if key in index.refs:
            scores[key] = scores.get(key, 0.0) + weight
    pool = sorted(scores, key=lambda k: (-scores[k], k))[:limit]
    if len(scores) > limit and kind_of(need.answer).cued:
        extra = sorted(
            (k for k in reserved if k not in pool and k in index.refs),
            key=lambda k: (-reserved[k], k),
        )
        pool += extra[: w.neighbour_slots]
    return pool


@pytest.mark.parametrize("size", [3, 10, 40])
def test_pruned_pool_is_the_brute_force_pool(knowledge: Knowledge, size: int) -> None:
    """MaxScore pruning and re-ranking without widening select exactly the sentences (and
    order) that scoring every sentence holding any word would."""
    small = with_pool(knowledge, size)
    retriever = Retriever(small)
    compared = [need for need in needs(small) if brute_force_pool(retriever, need)]
    assert len(compared) > 150
    for need in compared:
        assert retriever.candidates(need) == brute_force_pool(retriever, need), need


def test_ranking_with_a_limit_finds_the_same_best_answer(knowledge: Knowledge) -> None:
    retriever = Retriever(knowledge)
    for need in needs(knowledge):
        everything = retriever.rank(need)
        best = retriever.rank(need, limit=1)
        assert [c.key for c in best] == [c.key for c in everything[:1]], need
