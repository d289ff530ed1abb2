"""bot/answer/backend.py: the candidate pool is an interface a different backend can fill.

The backend here is the simplest honest one — a scan of every sentence for the question's
words, ranked by how many it holds — standing in for a search engine over the same sentences:
the rest of the pipeline answers from whatever candidates it returns, and only from them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.answer.backend import RetrievalBackend
from bot.answer.engine import Answerer
from bot.knowledge.analysis import ENTITY_PREFIX
from bot.knowledge.build import Knowledge
from bot.nlu.need import Need


class ScanBackend:
    """Every sentence holding a word, name or concept of the need, most first."""

    def __init__(self, knowledge: Knowledge, limit: int) -> None:
        self.index = knowledge.index
        self.entities = knowledge.entities
        self.limit = limit
        self.asked: list[Need] = []

    def candidates(self, need: Need) -> list[int]:
        self.asked.append(need)
        wanted = set(need.terms) | set(need.concepts)
        wanted |= {ENTITY_PREFIX + k for e in need.names for k in self.entities.group(e.key)}
        counts: dict[int, int] = {}
        for term in wanted:
            for key in self.index.postings.get(term, ()):
                counts[key] = counts.get(key, 0) + 1
        ranked = sorted(counts, key=lambda k: (-counts[k], k))
        return ranked[: self.limit]


@pytest.fixture(scope="module")
def scanned(knowledge: Knowledge) -> Iterator[tuple[Answerer, ScanBackend]]:
    backend = ScanBackend(knowledge, knowledge.rules.thresholds.max_candidates)
    _: RetrievalBackend = backend  # it is one, as far as the type checker is concerned
    with knowledge.bound():
        yield Answerer(knowledge, backend=backend), backend


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("艾华集团投资了多少钱？", "4.56亿元"),
        ("和天电子有限公司的董事长是谁？", "陈宏志"),
    ],
)
def test_answers_come_from_the_backends_candidates(
    scanned: tuple[Answerer, ScanBackend], answerer: Answerer, question: str, expected: str
) -> None:
    bot, backend = scanned
    before = len(backend.asked)
    answer = bot.answer(question)
    assert len(backend.asked) > before  # the pipeline asked this backend, not the index
    assert answer.answered and expected in answer.summary
    assert answer.as_dict() == answerer.answer(question).as_dict() | {
        "suggestions": answer.as_dict()["suggestions"]
    }


def test_a_backend_that_finds_nothing_gives_a_decline(knowledge: Knowledge) -> None:
    class Nothing:
        def candidates(self, need: Need) -> list[int]:
            return []

    with knowledge.bound():
        bot = Answerer(knowledge, backend=Nothing())
    answer = bot.answer("艾华集团投资了多少钱？")
    assert not answer.answered and answer.quote is None
