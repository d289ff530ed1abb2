"""Suggestions under answers and declines: about the answer's names, never the question just
asked, answerable, and not the same buttons again and again in one chat."""

from __future__ import annotations

from pathlib import Path

from bot.answer.context import Conversation
from bot.answer.engine import Answerer
from bot.evaluate import load_questions
from bot.nlu import resources

QUESTIONS = Path(__file__).parent / "qa" / "seed_page.yaml"


def test_no_suggestion_is_the_question_just_asked_or_leads_back_to_its_quote(
    answerer: Answerer,
) -> None:
    leads = answerer.suggester.answers
    for item in load_questions(QUESTIONS):
        answer = answerer.answer(item.question, Conversation(3))
        asked = resources.normalised(item.question)
        assert all(resources.normalised(s) != asked for s in answer.suggestions), item.question
        if answer.answered and answer.source is not None and answer.quote:
            quoted = answerer.pipeline.retriever.index.texts
            for suggestion in answer.suggestions:
                key = leads.get(suggestion)
                assert key is None or resources.normalised(answer.quote) != quoted[key]


def test_every_suggestion_is_answered_with_a_source(answerer: Answerer) -> None:
    offered: set[str] = set()
    for question in ("和天电子的董事长是谁？", "小米公司的董事长是谁？", "信维电科的良品率是多少"):
        offered |= set(answerer.answer(question, Conversation(3)).suggestions)
    assert offered
    for suggestion in offered:
        answer = answerer.answer(suggestion, Conversation(3))
        assert answer.answered and answer.source is not None, suggestion


def test_an_answer_suggests_first_what_else_the_page_says_about_its_subject(
    answerer: Answerer,
) -> None:
    answer = answerer.answer("和天电子的董事长是谁？", Conversation(3))
    assert answer.answered
    assert "和天电子" in answer.suggestions[0]
    near_miss = answerer.answer("信维电科的良品率是多少", Conversation(3))
    assert not near_miss.answered
    assert any("信维" in s for s in near_miss.suggestions)


def test_one_chat_is_not_offered_the_same_buttons_twice_in_a_row(answerer: Answerer) -> None:
    chat = Conversation(3)
    first = answerer.answer("小米公司的董事长是谁？", chat).suggestions
    second = answerer.answer("今天天气怎么样", chat).suggestions
    assert first and second and set(first) != set(second)
    # a new chat starts from the same list: the variety is per chat, not random
    assert answerer.answer("小米公司的董事长是谁？", Conversation(3)).suggestions == first


def test_starter_suggestions_are_of_different_kinds_when_the_page_allows(
    answerer: Answerer,
) -> None:
    starters = answerer.starter_suggestions()
    kinds = {answerer.suggester.kinds.get(s) for s in starters}
    assert len(starters) == answerer.knowledge.rules.thresholds.suggestions
    assert len(kinds) >= 2
