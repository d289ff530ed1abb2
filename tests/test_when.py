"""bot/nlu/when.py: the pages a question asks about by date, read against an injected today."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests_paths import INTENTS

from bot.nlu.when import page_time
from bot.rules.lexicon import load_lexicon_file

LEXICON = load_lexicon_file(INTENTS / "lexicon.yaml")
WEDNESDAY = dt.date(2026, 1, 28)
WINDOW = 4
D = dt.date


@pytest.mark.parametrize(
    ("question", "first", "last", "label"),
    [
        ("1月19日的报道说水位多少", D(2026, 1, 19), D(2026, 1, 19), "1月19日"),
        ("一月十九号的新闻讲了啥", D(2026, 1, 19), D(2026, 1, 19), "一月十九号"),
        ("2025年12月3日的报纸上说了什么", D(2025, 12, 3), D(2025, 12, 3), "2025年12月3日"),
        ("十二月的报道", D(2025, 12, 1), D(2025, 12, 31), "十二月"),  # not after today
        ("2026年1月的文章有哪些", D(2026, 1, 1), D(2026, 1, 31), "2026年1月"),
        ("今天的头条是什么", WEDNESDAY, WEDNESDAY, "今天"),
        ("昨天报纸上说什么", D(2026, 1, 27), D(2026, 1, 27), "昨天"),
        ("上周有什么新闻", D(2026, 1, 19), D(2026, 1, 25), "上周"),
        ("上上周的报道", D(2026, 1, 12), D(2026, 1, 18), "上上周"),
        ("本周的报道", D(2026, 1, 26), D(2026, 2, 1), "本周"),
        ("上个月的报道", D(2025, 12, 1), D(2025, 12, 31), "上个月"),
        ("去年的报道", D(2025, 1, 1), D(2025, 12, 31), "去年"),
        ("最近三天的报道", D(2026, 1, 26), WEDNESDAY, "最近三天"),
    ],
)
def test_page_times(question: str, first: dt.date, last: dt.date, label: str) -> None:
    when = page_time(question, WEDNESDAY, LEXICON, WINDOW)
    assert when is not None
    assert (when.first, when.last, when.label) == (first, last, label)
    assert when.holds(first) and when.holds(last)
    assert not when.holds(first - dt.timedelta(days=1)) and not when.holds(None)


@pytest.mark.parametrize(
    "question",
    [
        "去年全省完成了多少户农村危房改造？",  # the fact's year: no report word follows
        "今年一期工程投资多少",  # 一期 is a phase here, not an issue
        "1月份出口额是多少",
        "2月30日的报道",  # no such day
        "艾华集团投资了多少钱？",
    ],
)
def test_no_page_time(question: str) -> None:
    assert page_time(question, WEDNESDAY, LEXICON, WINDOW) is None


def test_newest_asks_no_span() -> None:
    when = page_time("最新的报道说投资了多少", WEDNESDAY, LEXICON, WINDOW)
    assert when is not None and when.newest and not when.bounded
    assert when.holds(None)  # no span: every page, dated or not


def test_the_span_runs_to_the_report_word() -> None:
    question = "上周的报道说投资了多少"
    when = page_time(question, WEDNESDAY, LEXICON, WINDOW)
    assert when is not None
    assert question[slice(*when.span)] == "上周的报道"
    assert question[slice(*when.expression)] == "上周"


@given(st.text(max_size=40), st.dates(min_value=D(1900, 1, 1), max_value=D(2999, 12, 31)))
def test_any_text_and_day(text: str, today: dt.date) -> None:
    when = page_time(text, today, LEXICON, WINDOW)
    if when is not None:
        start, end = when.span
        assert 0 <= start < end <= len(text)
        if when.first is not None and when.last is not None:
            assert when.first <= when.last


@given(
    st.text(alphabet="0123456789一二十年月日号周天个最近上本今去的报道新闻", max_size=24),
    st.dates(min_value=D(1, 1, 1), max_value=D(9999, 12, 31)),
)
def test_date_like_text_never_raises(text: str, today: dt.date) -> None:
    """Years 0000 or 9999年12月, 近9999天 at the calendar's ends: no error, and a span
    inside the calendar."""
    when = page_time(text, today, LEXICON, WINDOW)
    assert when is None or when.first is None or when.last is None or when.first <= when.last
    assert page_time("去年的报道", dt.date.min, LEXICON, WINDOW) is None
    assert page_time("明年的报道", dt.date.max, LEXICON, WINDOW) is None
