"""Paragraph scope: a question word said a sentence or two earlier in the paragraph."""

from __future__ import annotations

import pytest

from bot.answer.names import NameRules
from bot.answer.scope import earlier
from bot.answer.score import Scorer
from bot.knowledge.build import Knowledge
from bot.nlu.need import Need
from bot.rules.model import AnswerType


def _key_of(knowledge: Knowledge, words: str) -> int:
    """The sentence holding ``words`` (index texts are normalised: ct, half-width)."""
    index = knowledge.index
    return next(k for k in index.refs if words in index.texts[k])


def test_earlier_stays_inside_the_paragraph(knowledge: Knowledge) -> None:
    index = knowledge.index
    price = _key_of(knowledge, "这样一次ct")
    before = earlier(index, price, index.refs[price], 2)
    assert "一台工业ct机" in before
    assert before.count("\n") == 0  # the paragraph's first sentence: nothing before it
    opening = _key_of(knowledge, "一台工业ct机")
    assert earlier(index, opening, index.refs[opening], 2) == ""  # not the paragraph above


def test_a_word_said_just_before_counts_more_than_the_paragraphs(knowledge: Knowledge) -> None:
    """扫描 is in the sentence before the price and 收费 in the sentence after the scan: the
    first earns ``scope_previous`` of its weight, the second only ``partial_paragraph``."""
    w = knowledge.rules.scoring
    assert w.scope_previous > w.partial_paragraph
    index = knowledge.index
    scorer = Scorer(knowledge, NameRules(knowledge))
    price = _key_of(knowledge, "这样一次ct")
    scan = _key_of(knowledge, "一台工业ct机")
    assert "扫描" not in index.texts[price] and "收费" not in index.texts[scan]

    def coverage(key: int, word: str) -> float:
        need = Need(AnswerType.MONEY, None, (), (), ("ct", word))
        partial = scorer.partial(need, key, scorer.plan(need))
        assert partial is not None
        return partial.coverage

    def expected(word: str, share: float) -> float:
        ct, other = index.idf("ct"), index.idf(word)
        return (ct + share * other) / (ct + other)

    assert coverage(price, "扫描") == pytest.approx(expected("扫描", w.scope_previous))
    assert coverage(scan, "收费") == pytest.approx(expected("收费", w.partial_paragraph))
