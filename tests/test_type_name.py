"""Name questions (原名 / 简称 / 以前叫什么 / 叫啥): name facts and the ``name`` answer type."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests_paths import FIXTURES, INTENTS

from bot.answer.engine import Answerer
from bot.content.facts import DateContext, extract_facts
from bot.content.model import FactKind
from bot.knowledge.build import build_knowledge
from bot.rules.model import AnswerType

TODAY = DateContext(dt.date(2026, 5, 1))


def names(sentence: str) -> list[tuple[str, str | None]]:
    found = extract_facts(sentence, TODAY)
    return [(str(f.value), f.qualifier) for f in found if f.kind is FactKind.NAME]


def test_a_quoted_name_after_a_naming_word_is_a_name_fact() -> None:
    sentence = "该馆原名“南岭地区文物陈列馆”,当地人又称「老陈列馆」，2001年更为现名。"
    assert names(sentence) == [("南岭地区文物陈列馆", "原名"), ("老陈列馆", "又称")]
    assert names('这家公司(简称"青禾科技")成立于2019年。') == [("青禾科技", "简称")]


def test_quotes_without_a_naming_word_are_no_name() -> None:
    assert names("他说：“我们把好事办好。”村里提出“三变”改革。") == []


def test_an_investment_group_keeps_its_whole_name() -> None:
    sentence = "项目由江南省交通建设投资集团有限责任公司投资建设。"
    orgs = [f.value for f in extract_facts(sentence, TODAY) if f.kind is FactKind.ORG]
    assert orgs == ["江南省交通建设投资集团有限责任公司"]


def test_a_market_is_no_city() -> None:
    places = [
        f.value
        for f in extract_facts("周末的非遗市集人头攒动。", TODAY)
        if f.kind is FactKind.PLACE
    ]
    assert places == []


@pytest.fixture(scope="module")
def transport(cache_dir: Path) -> Answerer:
    return Answerer(build_knowledge(FIXTURES / "blind" / "103_jiaotong", INTENTS, cache_dir))


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        ("青峰站原来叫什么名字？", "原名“青峰北站”"),
        ("锦岷高速的建设方简称是什么？", "简称“川交建投”"),
    ],
)
def test_name_questions_are_answered_with_the_name_asked(
    transport: Answerer, question: str, quoted: str
) -> None:
    answer = transport.answer(question)
    assert answer.answered, answer.summary
    assert quoted in answer.quote and quoted in answer.summary


def test_a_former_name_is_asked_as_a_name(transport: Answerer) -> None:
    query = transport.pipeline.read("青峰站以前叫什么？")
    assert query.answer_type is AnswerType.NAME
    person = transport.pipeline.read("青峰站站长叫什么名字？")
    assert person.answer_type is AnswerType.PERSON  # a person's name stays a person question


def test_the_surest_naming_words_name_without_quotes() -> None:
    sentence = "该中心原名江南省排污权储备交易中心，简称“江交所”，2021年更为现名。"
    assert names(sentence) == [("江南省排污权储备交易中心", "原名"), ("江交所", "简称")]
    assert names("合作社全称云溪县生态资源运营管理有限公司。") == [
        ("云溪县生态资源运营管理有限公司", "全称")
    ]


def test_a_place_suffix_twice_begins_a_new_word() -> None:
    found = extract_facts("今年以来，云溪县县控以上断面水质全部达标。", TODAY)
    assert "云溪县县" not in [f.value for f in found if f.kind is FactKind.PLACE]
