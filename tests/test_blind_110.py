"""Phenomena first seen on blind page 110 (tests/fixtures/blind/110_fazhi), asked in our own
wording: a two-character place jieba splits (X|州市), a place typed with a same-sounding
first character, ages (多大年纪 asks for N岁, which is its sentence's subject's), spoken
whys (干嘛要) and year-on-year comparisons written out (跟上年同期相比)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests_paths import FIXTURES, INTENTS, ROOT

from bot.answer.engine import Answerer
from bot.knowledge.build import build_knowledge

PAGE = FIXTURES / "blind" / "110_fazhi"


@pytest.fixture(scope="module")
def courts(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Answerer:
    tmp = tmp_path_factory.mktemp("courts")
    for directory in (ROOT / "seeds", PAGE):
        for file in directory.iterdir():
            shutil.copy2(file, tmp / file.name)
    knowledge = build_knowledge(tmp, INTENTS, cache_dir)
    with knowledge.bound():
        return Answerer(knowledge)


@pytest.mark.parametrize("place", ["桂州市", "柳州市"])
def test_a_split_two_character_place_is_an_unknown_name(courts: Answerer, place: str) -> None:
    """jieba cuts 桂|州市; the page has 潇州市's hotline, not this city's."""
    answer = courts.answer(f"{place}的热线平台接听量是多少？")
    assert not answer.answered and answer.source is None
    assert f"「{place}」" in answer.summary


def test_a_same_sounding_first_character_is_a_slip_of_a_place(courts: Answerer) -> None:
    answer = courts.answer("萧州市热线平台接听量是多少")  # 萧 for 潇: both xiao
    assert answer.answered and "21.4万人次" in answer.summary


def test_an_age_asked_in_words_is_a_number_of_years_of_age(courts: Answerer) -> None:
    answer = courts.answer("罗桂英今年多大岁数？")
    assert answer.answered and "61岁" in answer.summary
    # a prison term is a number of years too, but no age
    assert not courts.answer("那个诈骗案的主犯刘某年纪多大？").answered


def test_spoken_why_and_year_on_year(courts: Answerer) -> None:
    why = courts.pipeline.read("罗桂英干嘛要记笔记")
    assert why.classification.intent is not None
    assert why.classification.intent.id == "ask_reason"
    answer = courts.answer("全省法院新收的民事一审案件和去年同期相比降了多少？")
    assert answer.answered and "8.3%" in answer.summary


def test_a_place_inside_a_larger_one_is_named_by_its_own_part(courts: Answerer) -> None:
    """The page writes 东溪县白溪镇（原名…）; a reader says just 白溪镇."""
    query = courts.pipeline.read("白溪镇过去叫什么？")
    assert [n.entity.key for n in query.names] == ["place:东溪县白溪镇"]
    answer = courts.answer("白溪镇过去叫什么？")
    assert answer.answered and "白石溪乡" in answer.summary


def test_an_institution_type_is_no_alias(courts: Answerer) -> None:
    """省人民检察院 and 青岚县人民检察院 share 人民检察院, a kind of institution: two
    organisations, not one (and 副检察长 is a title a name follows)."""
    query = courts.pipeline.read("省人民检察院的副检察长是谁？")
    assert [n.entity.key for n in query.names] == ["org:省人民检察院"]
    answer = courts.answer("省人民检察院的副检察长是谁？")
    assert answer.answered and "孙立平" in answer.summary
