"""Typed fact extraction from one sentence.

Every quantity in an article becomes a fact tied to its sentence: money, percentages,
counts with their measure word, durations, dates (relative ones resolved against the
article's date), rankings, people with their role, organisations and places.  The answer
composer picks sentences by these facts ("多少钱" needs money, "谁" needs a person), so the
extractor favours recall on numbers and precision on names.

Extractors run in a fixed order and a later one never claims characters an earlier one
took, so ``2025年`` is a date and not a duration, and ``第七位`` is a rank, not a count.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

from bot.content.lexicon import Lexicon, alternation, lexicon
from bot.content.model import Fact, FactKind
from bot.content.numbers import NUMBER, is_not_a_count, parse_number, scale
from bot.text import tokenizer
from bot.text.chars import HAN
from bot.text.tokenizer import boundary_words

_PRE = (
    r"(?P<pre>不超过|不少于|不低于|最多|最少|超过|超|近|约|逾|不到|不足|至少|达到|达|共|仅"
    r"|将近|高于|低于|累计)?"
)
_APPROX = r"(?P<q1>多|余|来)?"
_MAG = r"(?P<mag>万亿|亿|万|千|百)?"
_APPROX2 = r"(?P<q2>多|余)?"


@dataclass(frozen=True, slots=True)
class DateContext:
    """What relative dates are resolved against: the article's own date (dateline) or page."""

    today: dt.date | None


@dataclass(frozen=True, slots=True)
class _Patterns:
    date_range: re.Pattern[str]
    month_range: re.Pattern[str]
    date_full: re.Pattern[str]
    date_month: re.Pattern[str]
    date_year: re.Pattern[str]
    rel_month: re.Pattern[str]
    rel_year: re.Pattern[str]
    month_day: re.Pattern[str]
    day_only: re.Pattern[str]
    rel_day: re.Pattern[str]
    plan: re.Pattern[str]
    percent: re.Pattern[str]
    money: re.Pattern[str]
    rank_ordinal: re.Pattern[str]
    rank_scope: re.Pattern[str]
    rank_first: re.Pattern[str]
    duration: re.Pattern[str]
    count: re.Pattern[str]
    bare_number: re.Pattern[str]
    role_person: re.Pattern[str]
    person_role_after: re.Pattern[str]
    subject_person: re.Pattern[str]
    org_suffix: re.Pattern[str]
    place_suffix: re.Pattern[str]
    region: re.Pattern[str]
    stop_tail: re.Pattern[str]


@cache
def _patterns() -> _Patterns:
    lx = lexicon()
    leading = alternation(lx.roles_leading + lx.roles_before_name)
    rel_years = alternation(tuple(lx.relative_years))
    rel_days = alternation(tuple(lx.relative_days))
    plans = alternation(tuple(lx.plan_periods))
    measures = alternation((*lx.measure_words, "倍"))
    durations = alternation(lx.duration_units)
    roles = alternation(lx.roles_before_name)
    after_roles = alternation(lx.roles_after_name)
    surnames = alternation(lx.surnames | lx.double_surnames)
    verbs = alternation(lx.speech_verbs)
    year = r"(?P<y>(?:19|20)\d{2})年"
    not_digit_before = r"(?<![\d.第])"
    return _Patterns(
        date_range=re.compile(
            year + r"(?P<m>\d{1,2})(?:月)?(?:—|–|-|－|~|至|到)(?P<m2>\d{1,2})月"
        ),
        month_range=re.compile(
            r"(?<![\d.])(?<!\d年)(?P<m>\d{1,2})(?:月)?(?:—|–|－|~|至|到)(?P<m2>\d{1,2})月"
        ),
        date_full=re.compile(year + r"(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]"),
        date_month=re.compile(year + r"(?P<m>\d{1,2})月(?P<part>上旬|中旬|下旬|底|初|末)?"),
        date_year=re.compile(
            not_digit_before + year + r"(?P<part>年底|年初|年末|底|初|末|上半年|下半年)?"
        ),
        rel_month=re.compile(
            rf"(?P<rel>{rel_years})(?P<m>\d{{1,2}})月(?:(?P<d>\d{{1,2}})[日号])?"
            r"(?P<part>上旬|中旬|下旬|底|初|末)?"
        ),
        rel_year=re.compile(rf"(?P<rel>{rel_years})(?P<part>底|初|末|上半年|下半年|以来)?"),
        month_day=re.compile(
            not_digit_before + r"(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]"
            r"(?P<part>晚上|上午|下午|凌晨|早上|晚|夜)?"
        ),
        day_only=re.compile(r"(?<![\d月.])(?P<d>[1-9]|[12]\d|3[01])日(?!元|均|常|益|前|后|夜)"),
        rel_day=re.compile(rf"(?P<rel>{rel_days})"),
        plan=re.compile(rf"(?P<plan>{plans})"),
        percent=re.compile(
            _PRE + r"(?:(?P<num>\d+(?:\.\d+)?)\s*[%％]|百分之(?P<cnum>" + NUMBER + r"))"
            r"(?P<post>以上|以下|左右)?"
        ),
        money=re.compile(
            not_digit_before
            + _PRE
            + r"(?P<num>"
            + NUMBER
            + r")?"
            + _APPROX
            + _MAG
            + _APPROX2
            + r"(?P<unit>元|美元|欧元|日元|港元)(?![器件素旦宵])"
        ),
        rank_ordinal=re.compile(
            r"(?P<scope>(?:位居|位列|居|排名|排在|名列|列)[^，。；]{0,16}?)?"
            r"第(?P<num>[一二三四五六七八九十百\d]+)(?P<unit>位|名)?"
        ),
        rank_scope=re.compile(
            rf"(?P<scope>{alternation(lx.rank_scopes)})(?:(?P<top>前)(?P<num>"
            r"[一二三四五六七八九十百\d]+)(?:名|位|强)?|(?P<word>"
            + alternation(lx.rank_words)
            + "))"
        ),
        rank_first=re.compile(r"(?P<word>首家|首个|首单|首笔|首批|唯一|首次|首套)"),
        duration=re.compile(
            not_digit_before
            + _PRE
            + r"(?P<num>"
            + NUMBER
            + r")"
            + _APPROX
            + r"(?P<unit>个多世纪|个世纪|个多?小时|个多?钟头|个多?星期|个多?礼拜|"
            + durations
            + r")(?!岁)(?P<q2>多|余)?"  # 16周岁 is an age
        ),
        count=re.compile(
            not_digit_before
            + _PRE
            + r"(?P<num>"
            + NUMBER
            + r")"
            + _APPROX
            + _MAG
            + _APPROX2
            + r"(?P<unit>"
            + measures
            + r")(?<!部(?=门))"
        ),
        bare_number=re.compile(r"(?<![\dA-Za-z.])(?P<num>\d+(?:\.\d+)?)(?![\d.A-Za-z])"),
        role_person=re.compile(
            rf"(?P<roles>(?:(?:{leading})、)*(?:{roles}))(?P<name>(?:{surnames})[{HAN}]{{1,3}})"
        ),
        person_role_after=re.compile(
            rf"(?P<name>(?:{surnames})[{HAN}]{{1,2}})(?P<role>{after_roles})"
        ),
        subject_person=re.compile(
            rf"(?:^|[，。；：“])(?P<name>(?:{surnames})[{HAN}]{{1,2}})(?={verbs})"
        ),
        org_suffix=re.compile(_suffix_chain(lx.org_suffixes)),
        place_suffix=re.compile(_suffix_chain(lx.place_suffixes, chain=False)),
        region=re.compile(rf"(?P<region>{alternation(lx.regions)})"),
        stop_tail=re.compile(
            "(?:"
            + alternation(lx.org_stop_words)
            + r"|[\s\d，。；：、“”‘’《》（）()\[\]!?！？,.:;—-]"
            + r"|\d(?:余|多)?(?:"
            + measures
            + "))$"
        ),
    )


def _suffix_chain(suffixes: tuple[str, ...], *, chain: bool = True) -> str:
    """Regex for a suffix, or a run of them for organisations (``集团股份有限公司``), not
    followed by a word that changes its meaning (``局长``, ``部门``, ``中心城区``).  Places do
    not chain: 赣州经开区 is 赣州 + 经开区, not a name ending in 州经开区."""
    guard = r"(?!长|门|署|分|件|队|员|房|商|城区|城市|级|内|外|里|人|民|域|委|场|直|寨|落|庄)"
    return rf"(?:(?:{alternation(suffixes)}){guard})" + ("+" if chain else "")


Extractor = Callable[[str, DateContext], Iterator[Fact]]


def extract_facts(sentence: str, context: DateContext) -> tuple[Fact, ...]:
    """All facts of one sentence, ordered by position, spans never overlapping for numbers."""
    taken = bytearray(len(sentence))
    facts: list[Fact] = []
    for extractor in (_dates, _percents, _money, _ranks, _durations, _counts, _bare_numbers):
        for fact in extractor(sentence, context):
            if any(taken[fact.start : fact.end]):
                continue
            taken[fact.start : fact.end] = b"\x01" * (fact.end - fact.start)
            facts.append(fact)
    facts.extend(_people(sentence))
    facts.extend(_named(sentence, FactKind.ORG))
    facts.extend(_named(sentence, FactKind.PLACE))
    facts.sort(key=lambda f: (f.start, f.kind))
    return tuple(facts)


# --- dates -----------------------------------------------------------------------------------


def _dates(s: str, ctx: DateContext) -> Iterator[Fact]:
    p = _patterns()
    lx = lexicon()
    today = ctx.today
    for m in p.date_range.finditer(s):
        y, m1, m2 = int(m["y"]), int(m["m"]), int(m["m2"])
        yield _fact(FactKind.DATE, m, f"{y:04d}-{m1:02d}/{y:04d}-{m2:02d}", "month-range")
    for m in p.month_range.finditer(s):  # 今年1—2月: the year from the word before, or the page
        first, last = int(m["m"]), int(m["m2"])
        before = next((w for w in lx.relative_years if s[: m.start()].endswith(w)), None)
        in_year = today.year + lx.relative_years[before] if today and before else None
        in_year = in_year or _year_for_month(today, last)
        if in_year is not None and 1 <= first < last <= 12:
            months = f"{in_year:04d}-{first:02d}/{in_year:04d}-{last:02d}"
            yield _fact(FactKind.DATE, m, months, "month-range")
    for m in p.date_full.finditer(s):
        value = _iso(int(m["y"]), int(m["m"]), int(m["d"]))
        yield _fact(FactKind.DATE, m, value, "day")
    for m in p.date_month.finditer(s):
        yield _fact(
            FactKind.DATE, m, f"{int(m['y']):04d}-{int(m['m']):02d}", "month", qualifier=m["part"]
        )
    for m in p.date_year.finditer(s):
        yield _fact(FactKind.DATE, m, f"{int(m['y']):04d}", "year", qualifier=m["part"])
    for m in p.rel_month.finditer(s):
        year = today.year + lx.relative_years[m["rel"]] if today else None
        month = int(m["m"])
        if m["d"]:
            value = _iso(year, month, int(m["d"])) if year else None
            yield _fact(FactKind.DATE, m, value, "day", qualifier=m["rel"])
        else:
            yield _fact(
                FactKind.DATE,
                m,
                f"{year:04d}-{month:02d}" if year else None,
                "month",
                qualifier=m["rel"],
            )
    for m in p.month_day.finditer(s):
        year = _year_for_month(today, int(m["m"]))
        value = _iso(year, int(m["m"]), int(m["d"])) if year else None
        yield _fact(FactKind.DATE, m, value, "day", qualifier=m["part"])
    for m in p.rel_year.finditer(s):
        year = today.year + lx.relative_years[m["rel"]] if today else None
        yield _fact(FactKind.DATE, m, f"{year:04d}" if year else None, "year", qualifier=m["rel"])
    for m in p.rel_day.finditer(s):
        day = today + dt.timedelta(days=lx.relative_days[m["rel"]]) if today else None
        yield _fact(FactKind.DATE, m, day.isoformat() if day else None, "day", qualifier=m["rel"])
    for m in p.plan.finditer(s):
        first, last = lx.plan_periods[m["plan"]]
        yield _fact(FactKind.DATE, m, f"{first}/{last}", "period")
    for m in p.day_only.finditer(s):
        if today is None:
            continue
        value = _iso(today.year, today.month, int(m["d"]))
        yield _fact(FactKind.DATE, m, value, "day")


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


def _percents(s: str, _ctx: DateContext) -> Iterator[Fact]:
    for m in _patterns().percent.finditer(s):
        value = float(m["num"]) if m["num"] else parse_number(m["cnum"] or "")
        yield _fact(FactKind.PERCENT, m, value, "%", qualifier=_qualifier(m, "post"))


def _money(s: str, _ctx: DateContext) -> Iterator[Fact]:
    for m in _patterns().money.finditer(s):
        if not m["num"] and not m["mag"]:
            continue
        value = scale(parse_number(m["num"] or ""), m["mag"])
        yield _fact(FactKind.MONEY, m, value, m["unit"], qualifier=_qualifier(m))


def _ranks(s: str, _ctx: DateContext) -> Iterator[Fact]:
    p = _patterns()
    for m in p.rank_ordinal.finditer(s):
        if not (m["unit"] or m["scope"]):
            continue
        start = m.start("num") - 1 if not m["scope"] else m.start()
        yield Fact(FactKind.RANK, s[start : m.end()], parse_number(m["num"]), "位", start, m.end())
    for m in p.rank_scope.finditer(s):
        value = parse_number(m["num"]) if m["num"] else 1.0
        yield _fact(FactKind.RANK, m, value, "位", qualifier=m["scope"])
    for m in p.rank_first.finditer(s):
        yield _fact(FactKind.RANK, m, 1.0, "位")


def _durations(s: str, _ctx: DateContext) -> Iterator[Fact]:
    for m in _patterns().duration.finditer(s):
        value = parse_number(m["num"])
        if m["unit"] in {"日", "年期"} and m["num"].isdigit() and int(m["num"]) > 60:
            continue
        yield _fact(
            FactKind.DURATION, m, value, _duration_unit(m["unit"]), qualifier=_qualifier(m)
        )


def _duration_unit(unit: str) -> str:
    """个多世纪 → 世纪, 个小时 → 小时, but 个月 stays (a month is 个月)."""
    return unit if unit in ("个月",) else unit.replace("个多", "").replace("个", "") or unit


def _counts(s: str, _ctx: DateContext) -> Iterator[Fact]:
    for m in _patterns().count.finditer(s):
        if is_not_a_count(m["num"]) and not m["mag"]:
            continue
        value = scale(parse_number(m["num"]), m["mag"])
        yield _fact(FactKind.COUNT, m, value, m["unit"], qualifier=_qualifier(m))


def _bare_numbers(s: str, _ctx: DateContext) -> Iterator[Fact]:
    """Numbers with no unit (model numbers such as 0201, series such as Y1) still count."""
    for m in _patterns().bare_number.finditer(s):
        yield _fact(FactKind.COUNT, m, float(m["num"]), None)


def _qualifier(m: re.Match[str], *extra: str) -> str | None:
    groups = m.groupdict()
    parts = [groups.get(g) for g in ("pre", "q1", "q2", *extra)]
    text = "".join(p for p in parts if p)
    return text or None


def _fact(
    kind: FactKind,
    m: re.Match[str],
    value: float | str | None,
    unit: str | None,
    qualifier: str | None = None,
) -> Fact:
    return Fact(kind, m.group(0), value, unit, m.start(), m.end(), qualifier=qualifier)


# --- people, organisations, places -----------------------------------------------------------


@cache
def _person_cues() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    lx = lexicon()
    return lx.roles_before_name, lx.roles_after_name, lx.speech_verbs


def _people(s: str) -> Iterator[Fact]:
    p = _patterns()
    before, after, verbs = _person_cues()
    has_before = any(w in s for w in before)
    has_after = any(w in s for w in after)
    has_verb = any(w in s for w in verbs)
    seen: set[str] = set()
    for m in p.role_person.finditer(s) if has_before else ():
        name = _fit_name(s, m.start("name"))
        if not name or name in seen:
            continue
        seen.add(name)
        roles = m["roles"]
        staff = roles.split("、")[-1] in lexicon().staff_roles
        org = None if staff else (_walk_back(s, m.start("roles"), p) or None)
        start = m.start("roles")
        yield Fact(
            FactKind.PERSON,
            s[start : m.start("name") + len(name)],
            name,
            None,
            start,
            m.start("name") + len(name),
            role=roles,
            org=org,
        )
    for m in p.person_role_after.finditer(s) if has_after else ():
        name = _fit_name(s, m.start("name"), allow_followed_by=m["role"])
        if not name or name in seen or p.org_suffix.search(name[-2:]):
            continue
        if len(name) == 2 and tokenizer.is_word(name) and name in tokenizer.common_nouns():
            continue  # 全科医生: a kind of doctor, not a doctor called 全科
        seen.add(name)
        end = m.start("name") + len(name) + len(m["role"])
        yield Fact(
            FactKind.PERSON,
            s[m.start("name") : end],
            name,
            None,
            m.start("name"),
            end,
            role=m["role"],
        )
    for m in p.subject_person.finditer(s) if has_verb else ():
        name = _fit_name(s, m.start("name"))
        if not name or name in seen:
            continue
        seen.add(name)
        start = m.start("name")
        yield Fact(FactKind.PERSON, name, name, None, start, start + len(name))


_SPEECH_CHARS = frozenset("说称讲道笑问答")
_NAME_FOLLOWERS = (
    "的",
    "在",
    "和",
    "与",
    "等",
    "也",
    "就",
    "是",
    "说",
    "团队",
    "先生",
    "女士",
    "一行",
    "同志",
    "带",
    "对",
    "从",
    "向",
    "将",
    "为",
    "已",
    "曾",
    "还",
    "都",
)


def _fit_name(s: str, start: int, allow_followed_by: str | None = None) -> str | None:
    """Choose a 2- or 3-character name at ``start`` by what follows it.

    Word segmenters split unknown names badly (李日/新), so the name length is decided by
    which choice leaves a plausible next word: punctuation, a speech verb, a title.
    """
    lx = lexicon()
    surname_len = 2 if s[start : start + 2] in lx.double_surnames else 1
    followers = (
        *lx.speech_verbs,
        *lx.roles_after_name,
        *lx.roles_before_name,
        *_NAME_FOLLOWERS,
        *((allow_followed_by,) if allow_followed_by else ()),
    )
    candidates = []
    for given in (2, 1):
        end = start + surname_len + given
        if end > len(s):
            continue
        name = s[start:end]
        if not all("\u4e00" <= c <= "\u9fff" for c in name):
            continue
        if given == 2 and name[-1] in _SPEECH_CHARS:
            continue  # 何婷说 is 何婷 + 说
        rest = s[end:]
        if not rest or not ("\u4e00" <= rest[0] <= "\u9fff") or rest.startswith(followers):
            return name
        candidates.append((name, rest))
    # no known word follows: a three-character name followed by an ordinary word (郑海涛接到)
    for name, rest in candidates:
        if len(name) - surname_len == 2 and tokenizer.is_word(rest[:2]):
            return name
    return None


def _named(s: str, kind: FactKind) -> Iterator[Fact]:
    """Organisations and places: a suffix (公司/研究院, 区/州) and the name before it."""
    p = _patterns()
    pattern = p.org_suffix if kind is FactKind.ORG else p.place_suffix
    seen: set[str] = set()
    lx = lexicon()
    false_words = lx.false_name_words
    for m in pattern.finditer(s):
        if kind is FactKind.PLACE and s.startswith(lx.place_suffix_words, m.end() - 1):
            continue  # 乡 of 乡村
        start = _name_start(s, m.start(), p, stop_at_verbs=kind is FactKind.PLACE)
        start = _trim_boundary_words(s, start, m.start())
        name = s[start : m.end()]
        core = len(name) - len(m.group(0))
        if core < 2 or len(name) > 24 or name in seen or name.endswith(false_words):
            continue
        if kind is FactKind.PLACE and _described(s, start, lx.describing_words):
            continue
        seen.add(name)
        yield Fact(kind, name, name, None, start, m.end())
    if kind is FactKind.PLACE:
        for m in p.region.finditer(s):
            if m["region"] in seen:
                continue
            seen.add(m["region"])
            yield Fact(kind, m["region"], m["region"], None, m.start(), m.end())


def _described(s: str, start: int, words: tuple[str, ...]) -> bool:
    """``这座浙西南山区县``: a demonstrative and a measure word before the candidate (or as
    its first character, when the walk stopped at 这) make it a description."""
    return s[:start].endswith(words) or s[: start + 1].endswith(words)


def _name_start(
    s: str,
    suffix_start: int,
    p: _Patterns,
    *,
    stop_at_verbs: bool = False,
) -> int:
    """Walk left from a suffix until a stop word, punctuation, or another name's end
    (``和湖南师范大学`` after 高新区; ``江西赣晟…公司`` after 经开区: names start with a
    province)."""
    start = suffix_start
    limit = max(0, suffix_start - 16)
    while start > limit:
        head = s[:start]
        if p.stop_tail.search(head):
            break
        if head[-1] in "和与及" and _ends_with_name(head[:-1], p):
            break
        if p.region.match(s, start) and _ends_with_name(head, p):
            break
        if stop_at_verbs and (head[-2:] in boundary_words() or head[-3:] in boundary_words()):
            break  # 迁入赣州经开区: place names hold no verbs (organisations may: 融资担保集团)
        start -= 1
    return start


def _trim_boundary_words(s: str, start: int, end: int) -> int:
    """Drop leading verbs/adverbs (带动赫山区 → 赫山区) from a name candidate."""
    words = boundary_words()
    while start < end:
        for size in (3, 2):
            if start + size <= end and s[start : start + size] in words:
                start += size
                break
        else:
            return start
    return start


def _ends_with_name(text: str, p: _Patterns) -> bool:
    return any(text.endswith(m.group(0)) for m in p.org_suffix.finditer(text[-8:])) or any(
        text.endswith(m.group(0)) for m in p.place_suffix.finditer(text[-8:])
    )


def _walk_back(s: str, end: int, p: _Patterns) -> str:
    """The organisation written right before a job title (``和天电子`` 董事长)."""
    start = _name_start(s, end, p)
    name = s[start:end]
    return name if 2 <= len(name) <= 24 else ""


def relative_date_anchor(lexicon_: Lexicon | None = None) -> tuple[str, ...]:
    """Words that only make sense with a page date; used by ``check`` to warn when missing."""
    lx = lexicon_ or lexicon()
    return (*lx.relative_years, *lx.relative_days)
