"""Which pages a question is about, by their date: 1月19日的报道, 上周的新闻, 最新一期.

An archive holds many days of pages, and a reader narrows a question by the day it was
printed.  A time word is read as *page* time only when a word for a report follows it
closely (``page_nouns`` in ``intents/lexicon.yaml``, within ``page_time_window`` characters
of ``intents/scoring.yaml``): in "去年全省完成了多少户" the 去年 is the fact's year, checked
against each sentence's dates (:mod:`bot.answer.years`), while in "去年的报道里…" it picks
pages.  Relative words are resolved against *today* — the clock the front end injects — not
against the pages, because a reader who says 昨天 means the day before the day they ask.

The forms are general Chinese: absolute dates (2026年1月19日, 一月十九号), months, and the
relative words of the lexicon (今天/昨天, 本周/上周, 本月/上个月, 今年/去年, 最近三天).
最新/最近 with a report word asks for the newest page of those that answer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass, replace

from bot.content.lexicon import Lexicon, alternation
from bot.content.numbers import parse_number

_NUM = r"\d{1,4}|[〇零一二两三四五六七八九十]{1,5}"
_ABSOLUTE_RE = re.compile(
    r"(?:(?P<year>\d{4}|[〇零一二三四五六七八九]{4})年)?"
    r"(?P<month>\d{1,2}|[一二三四五六七八九十]{1,3})月(?:份)?"
    r"(?:(?P<day>\d{1,2}|[一二三四五六七八九十]{1,3})[日号])?"
)
_YEAR_RE = re.compile(r"(?P<year>\d{4})年(?![\d一二三四五六七八九十]{1,3}月)")
_RECENT_RE = re.compile(rf"(?:最近|近|过去|这)(?P<n>{_NUM})(?P<unit>天|日|周|个星期|星期|个月)")
_DIGIT_YEAR = str.maketrans("〇零一二三四五六七八九", "00123456789")


@dataclass(frozen=True, slots=True)
class PageTime:
    """The pages a question narrows itself to."""

    first: dt.date | None  # the earliest page date asked (None: no lower bound)
    last: dt.date | None  # the latest (None: no upper bound)
    newest: bool  # 最新: of the pages that answer, the newest
    span: tuple[int, int]  # where the question says it, to the report word: no content word
    expression: tuple[int, int]  # the time expression alone (上周 of 上周的报道)
    label: str  # as the question wrote it (1月19日, 上周), for replies

    @property
    def bounded(self) -> bool:
        return self.first is not None or self.last is not None

    def holds(self, day: dt.date | None) -> bool:
        """Whether a page of ``day`` is one the question asks about (an undated page is
        in no span: nobody can say it was printed then)."""
        if not self.bounded:
            return True
        if day is None:
            return False
        after_first = self.first is None or day >= self.first
        return after_first and (self.last is None or day <= self.last)


def page_time(text: str, today: dt.date, lexicon: Lexicon, window: int) -> PageTime | None:
    """The page time ``text`` asks about, or None when it names none."""
    words = _words(lexicon)
    best: PageTime | None = None
    for start, end, first, last, newest in _expressions(text, today, lexicon, words):
        noun = words.nouns.search(text, end, min(len(text), end + window + 4))
        if noun is None or noun.start() - end > window:
            continue
        found = PageTime(first, last, newest, (start, noun.end()), (start, end), text[start:end])
        if best is None:
            best = found
        elif found.bounded and not best.bounded:
            best = replace(found, newest=best.newest)
        elif best.bounded and found.newest:
            best = replace(best, newest=True)
    return best


Expression = tuple[int, int, dt.date | None, dt.date | None, bool]


def _expressions(text: str, today: dt.date, lexicon: Lexicon, words: _Words) -> list[Expression]:
    """Every time expression of ``text``: (start, end, first day, last day, newest)."""
    found: list[Expression] = []
    for m in _ABSOLUTE_RE.finditer(text):
        days = _absolute(m, today)
        if days is not None:
            found.append((m.start(), m.end(), days[0], days[1], False))
    for m in _YEAR_RE.finditer(text):
        year = int(m.group("year"))
        if dt.MINYEAR <= year <= dt.MAXYEAR:
            found.append((m.start(), m.end(), dt.date(year, 1, 1), dt.date(year, 12, 31), False))
    for m in _RECENT_RE.finditer(text):
        n = parse_number(m.group("n"))
        if n is None or n < 1 or n > 3660:
            continue
        unit = m.group("unit")
        length = int(n) * (7 if unit in ("周", "个星期", "星期") else 30 if unit == "个月" else 1)
        if length <= today.toordinal():
            first = today - dt.timedelta(days=length - 1)
            found.append((m.start(), m.end(), first, today, False))
    for m in words.relative.finditer(text):
        word = m.group()
        try:
            first, last = _relative(word, words.offsets[word], today, lexicon)
        except (OverflowError, ValueError):
            continue  # 去年 asked on the calendar's first year
        found.append((m.start(), m.end(), first, last, False))
    for m in words.newest.finditer(text):
        found.append((m.start(), m.end(), None, None, True))
    # a longer expression over the same place wins (上上周 over 上周, 2026年1月 over 1月)
    found.sort(key=lambda e: (e[0], -(e[1] - e[0])))
    kept: list[Expression] = []
    for expression in found:
        if kept and expression[0] < kept[-1][1]:
            continue
        kept.append(expression)
    return kept


@dataclass(frozen=True, slots=True)
class _Words:
    """A lexicon's time and report words as patterns (longest first), made once per lexicon."""

    nouns: re.Pattern[str]
    relative: re.Pattern[str]
    offsets: dict[str, int]  # relative word → its offset (days, weeks, months or years)
    newest: re.Pattern[str]


_COMPILED: dict[str, _Words] = {}
MAX_COMPILED = 4  # lexicons kept: the live one, a reload's, a test's or two


def _words(lexicon: Lexicon) -> _Words:
    found = _COMPILED.get(lexicon.fingerprint)
    if found is None:
        offsets = {
            **lexicon.relative_years,
            **lexicon.relative_months,
            **lexicon.relative_weeks,
            **lexicon.relative_days,
        }
        found = _Words(
            re.compile(alternation(lexicon.page_nouns)),
            re.compile(alternation(tuple(offsets))),
            offsets,
            re.compile(alternation(lexicon.newest_words)),
        )
        if len(_COMPILED) >= MAX_COMPILED:
            _COMPILED.pop(next(iter(_COMPILED)))
        _COMPILED[lexicon.fingerprint] = found
    return found


def _relative(word: str, offset: int, today: dt.date, lexicon: Lexicon) -> tuple[dt.date, dt.date]:
    if word in lexicon.relative_days:
        day = today + dt.timedelta(days=offset)
        return day, day
    if word in lexicon.relative_weeks:
        monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=offset)
        return monday, monday + dt.timedelta(days=6)
    if word in lexicon.relative_months:
        month = today.year * 12 + today.month - 1 + offset
        first = dt.date(month // 12, month % 12 + 1, 1)
        following = dt.date((month + 1) // 12, (month + 1) % 12 + 1, 1)
        return first, following - dt.timedelta(days=1)
    year = today.year + offset
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _absolute(m: re.Match[str], today: dt.date) -> tuple[dt.date, dt.date] | None:
    month = parse_number(m.group("month"))
    day = parse_number(m.group("day")) if m.group("day") else None
    if month is None or not 1 <= month <= 12 or month != int(month):
        return None
    raw_year = m.group("year")
    if raw_year:
        year = int(raw_year.translate(_DIGIT_YEAR))
    else:
        # a month without a year is the latest one not after today (一月 asked in December:
        # this year's; 十二月 asked in January: last year's)
        year = today.year if int(month) <= today.month else today.year - 1
    try:
        if day is None:
            first = dt.date(year, int(month), 1)
            following = dt.date(year + int(month) // 12, int(month) % 12 + 1, 1)
            return first, following - dt.timedelta(days=1)
        if day != int(day):
            return None
        exact = dt.date(year, int(month), int(day))
    except ValueError:
        return None  # 2月30日: no such day
    if not raw_year and exact > today and exact.month == today.month:
        # 12月31日 asked on 12月5日: the last one, a year ago (2月29日 stays: no such day)
        with contextlib.suppress(ValueError):
            exact = exact.replace(year=year - 1)
    return exact, exact
