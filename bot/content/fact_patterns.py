"""The fact extractor's regular expressions, compiled per lexicon, and its small helpers.

Every pattern is built from the lexicon's word lists (measure words, titles, suffixes…), so
a snapshot with a different ``lexicon.yaml`` extracts with its own patterns.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.content.lexicon import Lexicon, alternation, lexicon
from bot.content.model import Fact, FactKind
from bot.content.numbers import NUMBER
from bot.text.chars import HAN

_PRE = (
    r"(?P<pre>不超过|不少于|不低于|最多|最少|超过|超|近|约|逾|不到|不足|至少|达到|达|共|仅"
    r"|将近|高于|低于|累计)?"
)
_APPROX = r"(?P<q1>多|余|来)?"
_MAG = r"(?P<mag>万亿|亿|万|千|百)?"
_APPROX2 = r"(?P<q2>多|余)?"


# A year in Arabic digits or in Chinese ones, digit by digit (二〇二五年), as pages write it.
_YEAR_EITHER = r"(?P<y>(?:19|20)\d{2}|[一二][〇零九][〇零一二三四五六七八九]{2})年"


@dataclass(frozen=True, slots=True)
class DateContext:
    """What relative dates are resolved against: the article's own date (dateline) or page."""

    today: dt.date | None


@dataclass(frozen=True, slots=True)
class Patterns:
    """The extractor's regular expressions, built from one lexicon."""

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
    money_spoken: re.Pattern[str]
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
    called: re.Pattern[str]
    called_bare: re.Pattern[str]


_compiled: dict[str, Patterns] = {}
MAX_COMPILED = 4  # lexicons kept compiled: the live one, a reload's, a test's or two


def patterns() -> Patterns:
    """The patterns of the current lexicon (compiled once per lexicon: a reload with a
    changed ``lexicon.yaml`` gets its own, the snapshot still serving keeps its)."""
    lx = lexicon()
    found = _compiled.get(lx.fingerprint)
    if found is None:
        if len(_compiled) >= MAX_COMPILED:
            _compiled.clear()
        found = _compiled[lx.fingerprint] = _compile(lx)
    return found


def _compile(lx: Lexicon) -> Patterns:
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
    return Patterns(
        date_range=re.compile(
            year + r"(?P<m>\d{1,2})(?:月)?(?:—|–|-|－|~|至|到)(?P<m2>\d{1,2})月"
        ),
        month_range=re.compile(
            r"(?<![\d.])(?<!\d年)(?P<m>\d{1,2})(?:月)?(?:—|–|－|~|至|到)(?P<m2>\d{1,2})月"
        ),
        date_full=re.compile(year + r"(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]"),
        date_month=re.compile(year + r"(?P<m>\d{1,2})月(?P<part>上旬|中旬|下旬|底|初|末)?"),
        date_year=re.compile(
            not_digit_before + _YEAR_EITHER + r"(?P<part>年底|年初|年末|底|初|末|上半年|下半年)?"
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
            _PRE + r"(?:(?P<num>\d+(?:\.\d+)?)\s*[%％]|百分之(?P<cnum>" + NUMBER + r")"
            # 七成多 / 八成以上: tenths, as newspapers write shares
            r"|(?<![统单唯第])(?P<tenths>[一二两三四五六七八九]|[1-9])成(?!不变|员|本|为|功|立|果)"
            r"(?P<q1>多|半)?)"
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
            + r"(?P<unit>元|美元|欧元|日元|港元|块钱|块(?=多钱))(?![器件素旦宵])"
        ),
        # 一个月能挣七八千: a bare amount right after an earning verb is yuan in speech
        # (the amount ends its clause, or 块/钱/左右 follow: 赚了一把, 挣了三年钱 are no money)
        money_spoken=re.compile(
            r"(?:" + "|".join(f"(?<={re.escape(v)})" for v in lx.earning_verbs) + r")"
            r"(?P<num>[一二两三四五六七八九十百千几]+|\d+)"
            + _APPROX
            + _MAG
            + r"(?P<q2>多)?(?=[，。；、！？,;!?）)\s]|$|块|钱|左右)"
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
        # a name opening a clause, or after the agent's 由 (二〇〇九年由某某创办), before a verb
        subject_person=re.compile(
            rf"(?:^|[，。；：“]|由(?!于))(?P<name>(?:{surnames})[{HAN}]{{1,2}})(?={verbs})"
        ),
        org_suffix=re.compile(_suffix_chain(lx.org_suffixes)),
        place_suffix=re.compile(_suffix_chain(lx.place_suffixes, chain=False)),
        region=re.compile(rf"(?P<region>{alternation(lx.regions)})"),
        # where a name cannot extend left past: a stop word, punctuation, a count, a date's
        # unit (2019年|撤乡设镇), or the word that introduces another name (原名|青石乡)
        stop_tail=re.compile(
            "(?:"
            + _stop_words(lx)
            + "|"
            + alternation(lx.bare_naming_cues)
            + r"|[\s\d，。；：、“”‘’\"'《》（）()\[\]!?！？,.:;—-]"
            + r"|[\d〇零一二三四五六七八九十](?:年|月|日|号)(?:起|以来|开始)?"
            + r"|\d(?:余|多)?(?:"
            + measures
            + "))$"
        ),
        called=re.compile(
            rf"(?P<cue>{alternation(lx.naming_cues)})(?:是|为|叫|作|做)?[:：]?"
            r"(?P<open>[“\"「『《‘])(?P<name>[^“”\"「」『』《》‘’，。；！？]{1,24})[”\"」』》’]"
        ),
        # 原名江南产权交易所，…: a name written without quotes, up to the clause's end
        called_bare=re.compile(
            rf"(?P<cue>{alternation(lx.bare_naming_cues)})(?:是|为|叫)?"
            rf"(?P<name>[{HAN}A-Za-z0-9]{{2,24}})(?=[，,。；;、）)]|$)"
        ),
    )


def _suffix_chain(suffixes: tuple[str, ...], *, chain: bool = True) -> str:
    """Regex for a suffix, or a run of them for organisations (``集团股份有限公司``), not
    followed by a word that changes its meaning (``局长``, ``部门``, ``中心城区``).  Places do
    not chain: 赣州经开区 is 赣州 + 经开区, not a name ending in 州经开区."""
    guard = (
        r"(?!长|门|署|分|件|队|员|房|商|城区|城市|级|内|外|里|人|民|域|委|场|直|寨|落|庄"
        r"|集(?!团))"  # 非遗市集: a market, not a city
    )
    return rf"(?:(?:{alternation(suffixes)}){guard})" + ("+" if chain else "")


def _stop_words(lx: Lexicon) -> str:
    """The organisation stop words as one alternation, each guarded against the characters
    it is no stop word after (据 of 数据)."""
    guarded = lx.org_stop_words_not_after
    words = sorted(set(lx.org_stop_words), key=lambda w: (-len(w), w))
    return "|".join(
        f"(?<![{re.escape(guarded[w])}]){re.escape(w)}" if w in guarded else re.escape(w)
        for w in words
    )


def qualifier(m: re.Match[str], *extra: str) -> str | None:
    groups = m.groupdict()
    parts = [groups.get(g) for g in ("pre", "q1", "q2", *extra)]
    text = "".join(p for p in parts if p)
    return text or None


def make_fact(
    kind: FactKind,
    m: re.Match[str],
    value: float | str | None,
    unit: str | None,
    qualifier: str | None = None,
) -> Fact:
    return Fact(kind, m.group(0), value, unit, m.start(), m.end(), qualifier=qualifier)
