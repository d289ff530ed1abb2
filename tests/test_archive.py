"""Questions about an archive of several days' pages (tests/fixtures/archive: pages of
2026-03-02, 03-09 and 03-11 following one building project, each with its own progress
figure): a question may name the pages by date, relatively to the day it is asked, ask for
the newest report, and the answer says which day's page it quotes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from rules_support import rules_listing
from tests_paths import FIXTURES, INTENTS

from bot.answer.context import Conversation
from bot.answer.engine import Answerer
from bot.digest.build import build_digest
from bot.knowledge.build import Knowledge, build_knowledge
from bot.rules.model import Responses
from bot.telegram.format import format_answer

ARCHIVE = FIXTURES / "archive"
THURSDAY = dt.date(2026, 3, 12)  # "today" in these tests: the day after the newest page


@pytest.fixture(scope="module")
def archive(cache_dir: Path) -> Knowledge:
    return build_knowledge(ARCHIVE, INTENTS, cache_dir)


@pytest.fixture(scope="module")
def ask(archive: Knowledge) -> Answerer:
    with archive.bound():
        return Answerer(archive, today=lambda: THURSDAY)


@pytest.mark.parametrize(
    ("question", "figure", "day"),
    [
        ("3月2日的报道说地铁3号线土建完成了多少？", "78%", dt.date(2026, 3, 2)),
        ("三月九号的新闻里，地铁3号线土建完成了多少？", "85%", dt.date(2026, 3, 9)),
        ("上周的报道说地铁3号线土建完成了多少？", "78%", dt.date(2026, 3, 2)),
        ("昨天的报道说地铁3号线土建完成了多少？", "88%", dt.date(2026, 3, 11)),
        ("最新的报道说地铁3号线土建完成了多少？", "88%", dt.date(2026, 3, 11)),
        # no time asked: of reports that agree, the newest page's
        ("地铁3号线土建完成了多少？", "88%", dt.date(2026, 3, 11)),
    ],
)
def test_a_page_time_picks_that_days_figure(
    ask: Answerer, question: str, figure: str, day: dt.date
) -> None:
    answer = ask.answer(question)
    assert answer.answered, answer.summary
    assert figure in answer.summary
    assert answer.source is not None
    assert answer.source.date == day


def test_a_time_with_no_pages_is_declined_naming_the_days_held(ask: Answerer) -> None:
    answer = ask.answer("去年的报道说地铁3号线土建完成了多少？")
    assert not answer.answered
    assert answer.quote is None and answer.source is None
    assert "去年" in answer.summary
    assert "2026年3月2日" in answer.summary and "2026年3月11日" in answer.summary


def test_a_fact_year_is_not_a_page_time(ask: Answerer) -> None:
    """今年 before a fact (今年新增…) is the fact's year, checked against the sentence, not a
    filter on pages: the question is answered, not declined for want of pages."""
    answer = ask.answer("今年城区新增了多少个公共充电桩？")
    assert answer.answered
    assert "1500" in answer.summary
    assert ask.pipeline.read("今年城区新增了多少个公共充电桩？", THURSDAY).page_time is None


def test_the_articles_of_a_day_are_listed(ask: Answerer) -> None:
    answer = ask.answer("3月9日有哪些报道？")
    assert answer.intent == "list_articles" and answer.answered
    assert answer.summary.splitlines()[0] == "3月9日的报道共3篇："
    titles = [title for title, _ in answer.items]
    assert titles == [
        "地铁3号线首座车站完成装修",
        "春季招聘会提供岗位9000个",
        "城中村改造新开工项目12个",
    ]


def test_this_weeks_articles_are_those_of_the_pages_since_monday(ask: Answerer) -> None:
    answer = ask.answer("本周的新闻有哪些")
    assert answer.intent == "list_articles"
    titles = {title for title, _ in answer.items}
    assert titles == {
        "地铁3号线首座车站完成装修",
        "春季招聘会提供岗位9000个",
        "城中村改造新开工项目12个",
        "地铁3号线开始铺轨",
        "城区新增公共充电桩1500个",
        "老旧小区今年加装电梯120部",
    }


def test_a_headline_of_a_day(ask: Answerer) -> None:
    answer = ask.answer("3月2日的头条讲了什么？")
    assert answer.intent == "summarize_article"
    assert answer.source is not None and answer.source.date == dt.date(2026, 3, 2)
    assert "地铁3号线建设跑出" in answer.summary


def test_a_follow_up_stays_on_the_pages_asked(ask: Answerer) -> None:
    conversation = Conversation()
    first = ask.answer("3月2日的报道说地铁3号线土建完成了多少？", conversation)
    assert "78%" in first.summary
    follow = ask.answer("有多少座车站主体结构封顶？", conversation)
    assert follow.answered and "15座" in follow.summary
    assert follow.source is not None and follow.source.date == dt.date(2026, 3, 2)


def test_the_source_line_shows_the_page_date(ask: Answerer, archive: Knowledge) -> None:
    answer = ask.answer("3月9日的报道说春季招聘会提供了多少个岗位？")
    responses: Responses = archive.rules.responses
    html = "".join(format_answer(answer, responses, "zh"))
    assert "2026年3月9日" in html
    assert "9000" in answer.summary


def test_the_json_contract_keeps_its_source_keys(ask: Answerer) -> None:
    answer = ask.answer("3月9日的报道说春季招聘会提供了多少个岗位？")
    assert answer.source is not None
    assert set(answer.source.as_dict()) == {"article_id", "article", "section", "file", "line"}


@pytest.fixture(scope="module")
def paged(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Answerer:
    """The archive with lists of two articles a page (8 articles: 4 pages)."""
    intents = rules_listing(tmp_path_factory.mktemp("intents"), per_page=2)
    knowledge = build_knowledge(ARCHIVE, intents, cache_dir)
    with knowledge.bound():
        return Answerer(knowledge, today=lambda: THURSDAY)


def test_the_list_pages_through_the_archive_newest_first(paged: Answerer) -> None:
    first = paged.meta.article_list("/articles", "list_articles", "zh")
    assert (first.page, first.pages) == (1, 4)
    assert first.summary.splitlines()[0] == "共有8篇报道，最新的2篇："
    assert [t for t, _ in first.items] == ["地铁3号线开始铺轨", "城区新增公共充电桩1500个"]
    second = paged.meta.article_list("/articles", "list_articles", "zh", page=2)
    lines = second.summary.splitlines()
    assert lines[0] == "共有8篇报道（第2/4页）："
    assert lines[1].startswith("3.") and "老旧小区今年加装电梯120部" in lines[1]
    assert [t for t, _ in second.items][1] == "地铁3号线首座车站完成装修"
    last = paged.meta.article_list("/articles", "list_articles", "zh", page=99)
    assert last.page == 4  # past the end: the last page, not an empty list
    assert [t for t, _ in last.items] == ["地铁3号线建设跑出“加速度”", "老旧小区改造惠及1.2万户"]
    everything = [
        t
        for p in range(1, 5)
        for t, _ in paged.meta.article_list("/articles", "list_articles", "zh", page=p).items
    ]
    assert len(everything) == len(set(everything)) == 8


def test_an_ordinal_past_the_first_page_is_found(paged: Answerer) -> None:
    answer = paged.answer("第五篇讲了什么？")
    assert answer.intent == "summarize_article" and answer.answered
    assert answer.source is not None and answer.source.date == dt.date(2026, 3, 9)


def test_a_digest_over_several_days_leads_with_the_newest_page(archive: Knowledge) -> None:
    digest = build_digest(archive, ["urban"], {})
    days = [entry.date for entry in digest.entries]
    assert len(days) >= 2
    assert days == sorted(days, reverse=True)  # type: ignore[type-var]
