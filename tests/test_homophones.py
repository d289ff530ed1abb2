"""Stage 2a: words typed with a same-sounding wrong character are read as the corpus word."""

from __future__ import annotations

import pytest

from bot.knowledge.build import Knowledge
from bot.nlu import resources
from bot.nlu.homophones import repaired


def words(text: str, knowledge: Knowledge) -> list[str]:
    return [t for t, _ in repaired(list(resources.cut_with_offsets(text)), knowledge)]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("和天电子的新厂投资了多少钱", None), ("信维电科的无尘车监里有什么", "车间")],
)
def test_a_slip_is_read_as_the_word_it_sounds_like(
    knowledge: Knowledge, typed: str, meant: str | None
) -> None:
    found = words(typed, knowledge)
    if meant is None:
        assert found == resources.cut(typed)  # nothing slipped: the cut is untouched
    else:
        assert meant in found


def test_offsets_stay_those_of_the_typed_text(knowledge: Knowledge) -> None:
    """A slip is replaced by a word of its own length at its own offset, so the name spans
    found in the typed text still line up with the words."""
    typed = "信维电科的无尘车监里有什么"
    found = repaired(list(resources.cut_with_offsets(typed)), knowledge)
    assert ("车间", typed.index("车监")) in found
    at = 0
    for word, start in found:
        assert start == at
        at += len(word)
    assert at == len(typed)


def test_question_words_and_real_words_are_never_replaced(knowledge: Knowledge) -> None:
    assert words("城里年轻人是哪年来的", knowledge) == resources.cut("城里年轻人是哪年来的")
