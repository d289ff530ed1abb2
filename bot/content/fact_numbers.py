"""Number facts: dates (relative ones resolved against the article's date), percentages,
money, rankings, durations, counts with their measure word, and bare numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from bot.content.fact_patterns import DateContext, make_fact, patterns, qualifier
from bot.content.lexicon import lexicon
from bot.content.model import Fact, FactKind
from bot.content.numbers import is_not_a_count, parse_number, scale

# --- dates -----------------------------------------------------------------------------------


def dates(s: str, ctx: DateContext) -> Iterator[Fact]:
    p = patterns()
    lx = lexicon()
    today = ctx.today
    for m in p.date_range.finditer(s):
        y, m1, m2 = int(m["y"]), int(m["m"]), int(m["m2"])
        yield make_fact(FactKind.DATE, m, f"{y:04d}-{m1:02d}/{y:04d}-{m2:02d}", "month-range")
    for m in p.month_range.finditer(s):  # 今年1—2月: the year from the word before, or the page
        first, last = int(m["m"]), int(m["m2"])
        before = next((w for w in lx.relative_years if s[: m.start()].endswith(w)), None)
        in_year = today.year + lx.relative_years[before] if today and before else None
        in_year = in_year or _year_for_month(today, last)
        if in_year is not None and 1 <= first < last <= 12:
            months = f"{in_year:04d}-{first:02d}/{in_year:04d}-{last:02d}"
            yield make_fact(FactKind.DATE, m, months, "month-range")
    for m in p.date_full.finditer(s):
        value = _iso(int(m["y"]), int(m["m"]), int(m["d"]))
        yield make_fact(FactKind.DATE, m, value, "day")
    for m in p.date_month.finditer(s):
        yield make_fact(
            FactKind.DATE, m, f"{int(m['y']):04d}-{int(m['m']):02d}", "month", qualifier=m["part"]
        )
    for m in p.date_year.finditer(s):
        written = int(parse_number(m["y"]) or 0)  # 2025, or 二〇二五 digit by digit
        yield make_fact(FactKind.DATE, m, f"{written:04d}", "year", qualifier=m["part"])
    for m in p.rel_month.finditer(s):
        year = today.year + lx.relative_years[m["rel"]] if today else None
        month = int(m["m"])
        if m["d"]:
            value = _iso(year, month, int(m["d"])) if year else None
            yield make_fact(FactKind.DATE, m, value, "day", qualifier=m["rel"])
        else:
            yield make_fact(
                FactKind.DATE,
                m,
                f"{year:04d}-{month:02d}" if year else None,
                "month",
                qualifier=m["rel"],
            )
    for m in p.month_day.finditer(s):
        year = _year_for_month(today, int(m["m"]))
        value = _iso(year, int(m["m"]), int(m["d"])) if year else None
        yield make_fact(FactKind.DATE, m, value, "day", qualifier=m["part"])
    for m in p.rel_year.finditer(s):
        year = today.year + lx.relative_years[m["rel"]] if today else None
        yield make_fact(
            FactKind.DATE, m, f"{year:04d}" if year else None, "year", qualifier=m["rel"]
        )
    for m in p.rel_day.finditer(s):
        day = today + dt.timedelta(days=lx.relative_days[m["rel"]]) if today else None
        yield make_fact(
            FactKind.DATE, m, day.isoformat() if day else None, "day", qualifier=m["rel"]
        )
    for m in p.plan.finditer(s):
        first, last = lx.plan_periods[m["plan"]]
        yield make_fact(FactKind.DATE, m, f"{first}/{last}", "period")
    for m in p.day_only.finditer(s):
        if today is None:
            continue
        value = _iso(today.year, today.month, int(m["d"]))
        yield make_fact(FactKind.DATE, m, value, "day")


def _iso(year: int | None, month: int, day: int) -> str | None:
    if year is None:
        return None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _year_for_month(today: dt.date | None, month: int) -> int | None:
    """A month-day without a year is this year's, unless that would be in the future."""
    if today is None:
        return None
    return today.year - 1 if month > today.month + 1 else today.year


# --- quantities ------------------------------------------------------------------------------


def percents(s: str, _ctx: DateContext) -> Iterator[Fact]:
    for m in patterns().percent.finditer(s):
        value: float | None
        if m["tenths"]:
            tenths = parse_number(m["tenths"])
            value = None if tenths is None else tenths * 10  # 七成 is 70 %
        else:
            value = float(m["num"]) if m["num"] else parse_number(m["cnum"] or "")
        yield make_fact(FactKind.PERCENT, m, value, "%", qualifier=qualifier(m, "post"))


def money(s: str, _ctx: DateContext) -> Iterator[Fact]:
    for m in patterns().money.finditer(s):
        if not m["num"] and not m["mag"]:
            continue
        value = scale(parse_number(m["num"] or ""), m["mag"])
        yield make_fact(FactKind.MONEY, m, value, m["unit"], qualifier=qualifier(m))
    for m in patterns().money_spoken.finditer(s):
        value = scale(parse_number(m["num"]), m["mag"])
        yield make_fact(FactKind.MONEY, m, value, "元", qualifier=qualifier(m))


def ranks(s: str, _ctx: DateContext) -> Iterator[Fact]:
    p = patterns()
    for m in p.rank_ordinal.finditer(s):
        if not (m["unit"] or m["scope"]):
            continue
        start = m.start("num") - 1 if not m["scope"] else m.start()
        yield Fact(FactKind.RANK, s[start : m.end()], parse_number(m["num"]), "位", start, m.end())
    for m in p.rank_scope.finditer(s):
        value = parse_number(m["num"]) if m["num"] else 1.0
        yield make_fact(FactKind.RANK, m, value, "位", qualifier=m["scope"])
    for m in p.rank_first.finditer(s):
        yield make_fact(FactKind.RANK, m, 1.0, "位")


def durations(s: str, _ctx: DateContext) -> Iterator[Fact]:
    for m in patterns().duration.finditer(s):
        value = parse_number(m["num"])
        if m["unit"] in {"日", "年期"} and m["num"].isdigit() and int(m["num"]) > 60:
            continue
        yield make_fact(
            FactKind.DURATION, m, value, _duration_unit(m["unit"]), qualifier=qualifier(m)
        )


def _duration_unit(unit: str) -> str:
    """个多世纪 → 世纪, 个小时 → 小时, but 个月 stays (a month is 个月)."""
    return unit if unit in ("个月",) else unit.replace("个多", "").replace("个", "") or unit


def counts(s: str, _ctx: DateContext) -> Iterator[Fact]:
    for m in patterns().count.finditer(s):
        if is_not_a_count(m["num"]) and not m["mag"]:
            continue
        if s.startswith("之", m.end()):
            continue  # 三分之一, 十分之三: a fraction, not a count of 分
        value = scale(parse_number(m["num"]), m["mag"])
        yield make_fact(FactKind.COUNT, m, value, m["unit"], qualifier=qualifier(m))


def bare_numbers(s: str, _ctx: DateContext) -> Iterator[Fact]:
    """Numbers with no unit (model numbers such as 0201, series such as Y1) still count."""
    for m in patterns().bare_number.finditer(s):
        yield make_fact(FactKind.COUNT, m, float(m["num"]), None)
