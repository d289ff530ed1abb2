"""Phenomena first seen on the blind pages (tests/fixtures/blind/107, 108), asked in our own
wording: names that differ from the page's by a character that does not sound alike, words
the page uses but never together, a deputy's title, clauses before a semicolon, articles by
their column or as the newest page's headline."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests_paths import FIXTURES, INTENTS, ROOT

from bot.answer.engine import Answerer
from bot.knowledge.build import build_knowledge
from bot.text import pinyin

BLIND = FIXTURES / "blind"


def _beside_the_shipped_page(page: str, tmp: Path, cache_dir: Path) -> Answerer:
    for directory in (ROOT / "seeds", BLIND / page):
        for file in directory.iterdir():
            shutil.copy2(file, tmp / file.name)
    return Answerer(build_knowledge(tmp, INTENTS, cache_dir))


@pytest.fixture(scope="module")
def ecology(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Answerer:
    return _beside_the_shipped_page("107_shengtai", tmp_path_factory.mktemp("eco"), cache_dir)


@pytest.fixture(scope="module")
def science(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Answerer:
    return _beside_the_shipped_page("108_keji", tmp_path_factory.mktemp("sci"), cache_dir)


@pytest.mark.parametrize(
    ("typed", "name", "slip"),
    [
        ("云袖山", "云岫山", True),  # the same syllable: a pinyin-input slip
        ("罗建民", "罗建明", True),  # -n / -ng, as fuzzy pinyin hears it
        ("张晓", "章晓", True),
        ("楚峰实验室", "楚衡实验室", False),  # feng is not heng: another institute
        ("绿源环境", "绿循环境", False),
    ],
)
def test_a_slip_sounds_like_the_name(typed: str, name: str, slip: bool) -> None:
    assert pinyin.slip_of(typed, name) is slip


@pytest.mark.parametrize(
    "question",
    ["楚峰实验室一共孵化了多少家科技型企业？", "绿源环境科技有限公司的董事长叫什么？"],
)
def test_a_name_one_unlike_character_away_is_declined(science: Answerer, question: str) -> None:
    assert not science.answer(question).answered


def test_words_of_the_page_never_written_together_name_something_else(
    ecology: Answerer,
) -> None:
    query = ecology.pipeline.read("青山生态研究所有多少名研究人员？")
    assert [u.text for u in query.unknown] == ["青山生态研究所"]
    assert not ecology.answer("青山生态研究所有多少名研究人员？").answered


def test_a_title_is_not_said_by_a_deputys_post(science: Answerer) -> None:
    answer = science.answer("楚衡实验室主任叫什么名字？")
    assert "副主任" not in (answer.quote or "")


def test_clauses_before_a_semicolon_are_the_sentences_own(ecology: Answerer) -> None:
    answer = ecology.answer("今年前10个月全省碳排放权交易的成交额有多少？")
    assert answer.answered and "6.71亿元" in (answer.quote or "")


@pytest.mark.parametrize(
    ("question", "title"),
    [("头条的标题是什么？", "一块“芯”材料的三年突围"), ("时评的题目是什么？", "书架")],
)
def test_titles_of_the_newest_pages_headline_and_of_a_column(
    science: Answerer, question: str, title: str
) -> None:
    answer = science.answer(question)
    assert answer.intent == "article_title" and answer.answered
    assert title in (answer.quote or "") and title in answer.summary


def test_a_papers_own_province_is_the_region_it_is_named_after(science: Answerer) -> None:
    """108 is a page of 湖北日报: its "我省共有86家企业入选" is about 湖北."""
    answer = science.answer("湖北有多少家企业进了第八批专精特新小巨人名单？")
    assert answer.answered and "86家" in (answer.quote or "")


def test_a_share_asked_as_how_big_a_proportion(science: Answerer) -> None:
    answer = science.answer("楚衡实验室青年科研人员占了多大比例？")
    assert answer.intent == "ask_percent"
    assert answer.answered and "54%" in (answer.quote or "")


def test_a_follow_up_naming_nothing_is_about_the_last_quote(ecology: Answerer) -> None:
    from bot.answer.context import Conversation

    chat = Conversation()
    first = ecology.answer("今年前10个月全省碳排放权交易的成交额有多少？", chat)
    assert "6.71亿元" in (first.quote or "")
    then = ecology.answer("同比增长多少？", chat)  # the shipped page has growth figures too
    assert then.answered and "31.2%" in (then.quote or "")


def test_a_sentence_opening_with_the_asked_organisations_head_noun_is_about_it(
    ecology: Answerer,
) -> None:
    """合作社成立于…，由县国资公司和…共同出资: 合作社 (the one the paragraph named) is the
    subject; the founders named after it do not make the sentence someone else's."""
    answer = ecology.answer("云溪两山合作社成立于哪一年")
    assert answer.answered and "2022" in answer.summary


def test_an_organisation_named_without_its_place_is_the_pages(ecology: Answerer) -> None:
    """Readers drop the county a name starts with (云溪两山合作社 → 两山合作社): not an unknown
    name to decline."""
    query = ecology.pipeline.read("两山合作社哪一年成立的")
    assert query.unknown == ()
    answer = ecology.answer("两山合作社哪一年成立的")
    assert answer.answered and "2022" in answer.summary


@pytest.fixture(scope="module")
def villages(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Answerer:
    return _beside_the_shipped_page("101_nongcun", tmp_path_factory.mktemp("vil"), cache_dir)


def test_households_counted_in_jia_and_the_time_asked(villages: Answerer) -> None:
    """多少家农户 is answered in 户; asked about now (如今), the sentence set at the start
    (成立之初，只有37户) gives way to the one of now (如今…已增至412户)."""
    answer = villages.answer("联农合作社如今入社的农户有多少家")
    assert answer.answered and "412户" in answer.summary
