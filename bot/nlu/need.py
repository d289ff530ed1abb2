"""Stage 6 — need: what an answer must satisfy, from a Query (and, for follow-ups, the
conversation, see :mod:`bot.answer.context`).

The Need is all the answer stages read of the question: its answer type, the names that
must be near the answer, the words it must cover and the slots that narrow the facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.knowledge.entities import Entity, EntityKind
from bot.nlu import resources
from bot.nlu.ordinals import ordinals
from bot.nlu.scopes import asked_scope
from bot.nlu.understand import Query
from bot.nlu.when import PageTime
from bot.rules.model import AnswerType


@dataclass(frozen=True, slots=True)
class Need:
    """What an answer must satisfy; built from a Query plus conversation context."""

    answer: AnswerType
    unit: str | None
    names: tuple[Entity, ...]  # organisations, people, places: must be near the answer
    concepts: tuple[str, ...]  # ≈concept keys: count toward coverage
    terms: tuple[str, ...]  # plain content words: count toward coverage
    requires: tuple[str, ...] = ()  # the intent's cue words: one must be in the answer
    counted: tuple[str, ...] = ()  # a count must be of these words (多少"重大专项")
    grain: str | None = None  # a date must be this precise: day, month or year
    tense: str | None = None  # "now" / "past": the figure after / before a now-word
    year: int | None = None  # the year asked about (2025年)…
    year_offset: int | None = None  # …or relative to each article's date (去年: -1)
    page_time: PageTime | None = None  # only pages of this date answer (1月19日的报道)
    written: tuple[str, ...] = ()  # the names as the question writes them (not their aliases)
    attribute: str | None = None  # the word a figure is asked of: 快充桩 of 快充桩有多少个
    series: tuple[tuple[str, float], ...] = ()  # which of a series is asked: 三期, 第十二届
    scope: str | None = None  # the level a figure is asked of: 全市 → 市 (nlu/scopes)
    relatives: tuple[str, ...] = ()  # 某某的妻子是干啥的: only a sentence naming her answers
    stated: tuple[str, ...] = ()  # the whole a part is asked of (86辆冷藏车里有多少…)

    @property
    def empty(self) -> bool:
        return not (self.names or self.concepts or self.terms)


def need_from_query(query: Query) -> Need:
    answer = query.answer_type or AnswerType.ANY
    named = query.named
    if (
        answer is AnswerType.DEFINITION
        and named
        and not query.terms
        and all(n.entity.kind is EntityKind.PERSON for n in named)
    ):
        answer = AnswerType.PERSON  # "陈宏志是干什么的": what a person is, is their role
    elif (
        answer is AnswerType.DEFINITION
        and any(n.entity.kind is EntityKind.ORG for n in named)
        and _holder_asked(query.terms)
    ):
        answer = AnswerType.PERSON  # "某社那个理事长以前是干啥的": a person, by the post
    intent = query.classification.intent
    requires = intent.requires if intent else ()
    terms, tense = query.terms, query.tense
    if answer is AnswerType.NAME:
        terms = tuple(t for t in terms if not _asks_a_name(t))
        if any(w in query.text for w in resources.lexicon().former_name_asked):
            tense = "past"  # 原名 / 更名前: the name it had before
    return Need(
        answer,
        query.unit,
        tuple(n.entity for n in query.named),
        query.concepts,
        terms,
        requires,
        query.counted,
        query.grain,
        tense,
        query.year,
        query.year_offset,
        query.page_time,
        tuple(n.surface for n in query.named),
        _attribute(query.text, terms),
        ordinals(query.text, resources.lexicon()),
        asked_scope(query.text, resources.lexicon()),
        _relatives(answer, terms),
        tuple(_STATED_RE.findall(query.text)),
    )


# The whole a question asks a part of (86辆冷藏车里有多少辆…, 412家企业中…): a figure (digits,
# 万/亿, one unit character), a few characters of what it counts, then 里/中/当中/之中.
_STATED_RE = re.compile(r"(\d+(?:\.\d+)?(?:万|亿)*[^\d\s\W]?)[^\d\s\W]{0,6}?(?:里|之?中|当中)")


def _relatives(answer: AnswerType, terms: tuple[str, ...]) -> tuple[str, ...]:
    """The relatives a "what does … do" question asks about (某某的妻子是干啥的); a figure
    asked of a relative (某某堂哥一个月挣多少) may sit in the relative's own quote."""
    if answer is not AnswerType.DEFINITION:
        return ()
    return tuple(t for t in terms if t in resources.lexicon().relative_words)


def _attribute(text: str, terms: tuple[str, ...]) -> str | None:
    """The content word written just before the figure's question word (某某的快充桩有多少个,
    签约率是多少): what the figure is of, so the fact in its clause is the answer."""
    lx = resources.lexicon()
    at = min((i for w in lx.figure_question_words if (i := text.find(w)) >= 0), default=-1)
    best: tuple[int, str] | None = None
    for term in terms if at >= 0 else ():
        end = text.rfind(term, 0, at) + len(term)
        between = text[end:at].lstrip('”"’」』')  # 某某的“快充桩”有多少
        linked = not between or between in lx.figure_links
        if end >= len(term) and linked and (best is None or end > best[0]):
            best = (end, term)
    return best[1] if best else None


def _asks_a_name(term: str) -> bool:
    """以前 / 名字 / 改名 in "以前叫什么名字": how a name is asked, not what the page must say
    (it says 原名“…”; names_asked in bot/answer/types/name.py reads these words)."""
    lx = resources.lexicon()
    return (
        term in lx.former_name_asked
        or term in lx.name_question_words
        or term in lx.naming_cues  # 别称: the page writes 又名“…”
    )


def _holder_asked(terms: tuple[str, ...]) -> bool:
    """A post is what the question is about (那个理事长…是干啥的): the person holding it."""
    lx = resources.lexicon()
    posts = set(lx.roles_before_name) | set(lx.roles_after_name)
    return any(t in posts for t in terms)
