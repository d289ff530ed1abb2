"""Stage 4 — slots: what the question says about the answer beyond its words.

The measure word asked for (多少"辆"), what is counted (多少"在校学生"), how precise a date
must be (哪天 / 哪个月 / 哪年), the tense (计划… / 现在… / 以前…), the year asked about
(2025年, or 去年 relative to each article's date), and the conversational cues: a pronoun
that points back (他们) and a short follow-up that reuses the previous question (研发团队呢？).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from bot.nlu import resources
from bot.nlu.names import NameMatch

_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?(?:[万亿]?(?:元|%|个|家|项|人|台|户|年|月|日))?")
_QUESTION_WORD_RE = re.compile(r"哪|谁|什么|啥|多少|几|吗|怎么|如何|为什么|为何|何时")
_TRAILING_RE = re.compile(r"[\s?？!！。.,，~]+$")


def pronoun(text: str, pronouns: Sequence[str]) -> bool:
    """The message points back to the previous turn (他们一年营收多少？)."""
    return any(p in text for p in pronouns)


def ellipsis(text: str, markers: Sequence[str], max_chars: int) -> bool:
    """A short follow-up that reuses the previous question: it ends with a marker (研发团队呢？)
    or opens with one (那PCB？, 还有呢) and asks nothing of its own."""
    stripped = _TRAILING_RE.sub("", text)
    if not stripped or len(stripped) > max_chars:
        return False
    return stripped.endswith(tuple(markers)) or (
        stripped.startswith(tuple(markers)) and not _QUESTION_WORD_RE.search(stripped)
    )


GENERIC_UNITS = frozenset({"个"})


@lru_cache(maxsize=4)
def _unit_re(measure_words: tuple[str, ...]) -> re.Pattern[str]:
    """Per lexicon's measure words: a reload with other words gets its own pattern."""
    return re.compile(rf"(?:多少|几)(?:万|亿)?(?P<unit>{resources.alternation(measure_words)})")


def unit(text: str) -> str | None:
    match = _unit_re(resources.lexicon().measure_words).search(text)
    if not match or match["unit"] in GENERIC_UNITS:
        return None  # "几个" asks how many of anything
    return match["unit"]


_COUNTED_RE = re.compile(
    r"(?:多少|几)(?:万|亿)?(?:个|家|项|名|位|座|所|条|台|套|户|辆|种|类|款)?"
    r"(?P<rest>[\u4e00-\u9fffA-Za-z]{2,8})"
)


def counted(text: str, names: Sequence[NameMatch], terms: Sequence[str]) -> tuple[str, ...]:
    """The words after 多少/几 (多少在校学生, 几个市级科技重大专项): a count must be of them."""
    match = _COUNTED_RE.search(text)
    if not match:
        return ()
    rest = re.split(r"[了呢啊吗呀吧哈啦呗嘛哇喔哦?？!！。,，]", match["rest"])[0]
    if rest.startswith("人") and not any(t.startswith("人") for t in terms):
        return ("人",)  # 几个人看着: people are counted; what follows is what they do
    words = [n.surface for n in names if n.surface in rest]
    words += [t for t in terms if len(t) > 1 and t in rest]
    if len(rest) >= 2:
        words.append(COUNTED_PHRASE + rest)  # abbreviations: 保租房 ~ 保障性租赁住房
    return tuple(dict.fromkeys(words))


COUNTED_PHRASE = "#"  # marks the raw counted phrase among the counted words
_GRAIN_PATTERNS = (
    ("day", re.compile(r"哪一?天|几月几[日号]|哪个日子|具体日期|几号")),
    ("month", re.compile(r"哪个?月|几月")),
    ("year", re.compile(r"哪一?年|几几年|哪年")),
)


YEAR_RE = re.compile(r"(?<!\d)(19\d\d|20\d\d)年")


def year(text: str) -> int | None:
    match = YEAR_RE.search(text)
    return int(match.group(1)) if match else None


def year_offset(text: str) -> int | None:
    relative = resources.lexicon().relative_years
    return next((offset for word, offset in relative.items() if word in text), None)


def tense(text: str) -> str | None:
    """Whether the question asks about plans, now or the past: sentences contrast a target
    with a result and today's figure with an earlier one."""
    lx = resources.lexicon()
    if any(w in text for w in (*lx.plan_words, *lx.future_words)):
        return "future"
    if any(w in text for w in lx.time_now):
        return "now"
    if any(w in text for w in lx.time_past):
        return "past"
    return None


def grain(text: str) -> str | None:
    return next((name for name, pattern in _GRAIN_PATTERNS if pattern.search(text)), None)


def numbers_in(text: str) -> list[str]:
    return _NUMBER_RE.findall(text)
