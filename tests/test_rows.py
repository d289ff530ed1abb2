"""Sentence keys ↔ dense rows, and the candidate pool that sums posting lists over them."""

from __future__ import annotations

from array import array

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answer.context import resolve
from bot.answer.pool import Pool
from bot.knowledge.build import Knowledge
from bot.knowledge.index import SENTENCES_PER_SLOT
from bot.knowledge.rows import SentenceRows
from bot.nlu.understand import understand


def keys_of(slot_sizes: dict[int, int]) -> list[int]:
    return [s * SENTENCES_PER_SLOT + p for s, n in slot_sizes.items() for p in range(n)]


@given(st.dictionaries(st.integers(0, 500), st.integers(1, 40), min_size=1, max_size=30))
@settings(max_examples=60, deadline=None)
def test_every_key_has_its_own_row_in_key_order(slot_sizes: dict[int, int]) -> None:
    keys = keys_of(slot_sizes)
    rows = SentenceRows(keys)
    assert len(rows) == len(keys)
    ordered = sorted(keys)
    assert rows.of(np.array(ordered, dtype=np.int64)).tolist() == list(range(len(keys)))
    assert [rows.row(k) for k in ordered] == list(range(len(keys)))
    some = array("q", ordered[::3])
    assert rows.keys[rows.of_postings(some)].tolist() == list(some)


def test_keys_with_a_gap_in_their_slot_are_refused() -> None:
    with pytest.raises(ValueError, match="fill their slots"):
        SentenceRows([0, 1, 3])


def test_an_empty_snapshot_has_no_rows() -> None:
    assert len(SentenceRows([])) == 0


# questions that name no one (a sentence's weight is then the sum of its words' weights),
# in common words, so that more sentences hold one than the pool takes
QUESTIONS = (
    "民间投资专项担保计划通过哪些方式帮助中小微企业？",
    "企业发展项目投资多少",
    "企业在产业集群中的发展",
    "项目建设和企业发展",
)


@pytest.mark.parametrize("question", QUESTIONS)
def test_the_pool_is_the_exact_top_by_summed_weight(knowledge: Knowledge, question: str) -> None:
    """No sentence left out of the pool outweighs one in it, counting the weights of the
    words it holds."""
    pool = Pool(knowledge)
    with knowledge.bound():
        need = resolve(understand(question, knowledge), None)[0]
    assert not need.names
    chosen = pool.candidates(need)
    limit = knowledge.rules.thresholds.max_candidates
    assert chosen and len(chosen) <= limit
    assert len(set(chosen)) == len(chosen)
    index = knowledge.index
    weight: dict[int, float] = {}
    for item in (*need.concepts, *need.terms):
        for key in index.postings.get(item, ()):
            weight[key] = weight.get(key, 0.0) + index.idf(item)
    assert len(weight) > limit  # else the pool is every sentence and nothing is checked
    lowest = min(weight.get(k, 0.0) for k in chosen[:limit])
    left_out = [w for k, w in weight.items() if k not in chosen]
    # every common word may have been skipped once the pool was full: allow their weight
    common = sum(
        index.idf(t)
        for t in (*need.concepts, *need.terms)
        if index.df(t) > index.size // knowledge.rules.scoring.common_word_per
    )
    assert max(left_out, default=0.0) <= lowest + common + 1e-9
