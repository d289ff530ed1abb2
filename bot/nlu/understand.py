"""Turn a reader's message into a Query: the nlu stages run in order over one message.

normalise (:mod:`bot.nlu.normalise`) → classify by the rules (:mod:`bot.nlu.classify`) →
names (:mod:`bot.nlu.names`; the name-like rest reported by :mod:`bot.nlu.grounding`) →
segment the rest into content words (:mod:`bot.nlu.segment`)
→ slots (:mod:`bot.nlu.slots`; the pages asked by date, :mod:`bot.nlu.when`).  The answer
stages turn the Query into a Need (:mod:`bot.nlu.need`).  This module only wires the stages
and holds their result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.knowledge.analysis import CONCEPT_PREFIX
from bot.knowledge.build import Knowledge
from bot.nlu import slots
from bot.nlu.classify import Classification, classify
from bot.nlu.grounding import UnknownName, unknown_names
from bot.nlu.names import NameMatch, find_names
from bot.nlu.normalise import normalise
from bot.nlu.segment import content_terms, split_unknown, word_bounds
from bot.nlu.slots import COUNTED_PHRASE, numbers_in
from bot.nlu.when import PageTime, page_time
from bot.rules.model import AnswerType, IntentKind

THIS_ISSUE = "这期"  # what the intents' patterns call the pages a question is about

__all__ = [
    "COUNTED_PHRASE",
    "NameMatch",
    "Query",
    "UnknownName",
    "find_names",
    "numbers_in",
    "split_unknown",
    "understand",
    "word_bounds",
]


@dataclass(frozen=True, slots=True)
class Query:
    raw: str
    text: str
    classification: Classification
    names: tuple[NameMatch, ...] = ()
    terms: tuple[str, ...] = ()  # content words (and ≈concept keys)
    unit: str | None = None  # measure word asked for: 多少"辆"
    truncated: bool = False
    counted: tuple[str, ...] = ()  # the words of what is counted: 多少"在校学生"
    grain: str | None = None  # how precise a date is asked for: day, month, year
    pronoun: bool = False  # refers back: 他们, 该公司
    ellipsis: bool = False  # "研发团队呢？"
    inherited: tuple[str, ...] = field(default=())  # notes on what came from context
    tense: str | None = None  # "now" (现在要几个人), "past" (以前…) or "future" (计划…)
    year: int | None = None  # a year the question names (2025年)…
    year_offset: int | None = None  # …or names relative to the article's date (去年: -1)
    unknown: tuple[UnknownName, ...] = ()  # name-like spans no corpus entity answers to
    page_time: PageTime | None = None  # the pages it asks about by date (1月19日的报道)

    @property
    def kind(self) -> IntentKind | None:
        intent = self.classification.intent
        return intent.kind if intent else None

    @property
    def answer_type(self) -> AnswerType | None:
        intent = self.classification.intent
        if intent is None:
            return AnswerType.ANY if self.terms or self.names else None
        return intent.answer if intent.kind is IntentKind.QUESTION else None

    @property
    def named(self) -> tuple[NameMatch, ...]:
        return tuple(n for n in self.names if n.entity.is_named)

    @property
    def concepts(self) -> tuple[str, ...]:
        return tuple(
            CONCEPT_PREFIX + n.entity.key.split(":", 1)[1]
            for n in self.names
            if not n.entity.is_named
        )


def understand(message: str, knowledge: Knowledge, today: dt.date | None = None) -> Query:
    """``today``: the day relative page times (上周的报道) count from; the clock's when None."""
    rules = knowledge.rules
    message_in = normalise(message, rules.thresholds.max_question_chars, rules.spoken)
    text = message_in.text
    when = page_time(text, today or dt.date.today(), rules.lexicon, rules.scoring.page_time_window)
    # the words that pick pages are neither content words nor the fact's year
    unpaged = text if when is None else _blanked(text, when.span)
    # 上周有哪些报道 asks what 这期有哪些报道 asks, of other pages
    classification = classify(text if when is None else _as_this_issue(text, when), rules)
    names = find_names(text, knowledge)
    unknown = unknown_names(text, names, knowledge, rules.scoring.max_name_tokens)
    covered = [(n.start, n.end) for n in names]
    # a year is checked against each sentence's dates (Query.year), not matched as a word:
    # "2025年…" is answered by "去年，…" on a 2026 page
    covered += [m.span() for m in slots.YEAR_RE.finditer(text)]
    if when is not None:
        covered.append(when.span)
    terms = content_terms(text, covered, knowledge)
    language = rules.language
    return Query(
        message,
        text,
        classification,
        names,
        tuple(terms),
        slots.unit(text),
        message_in.truncated,
        slots.counted(text, names, terms),
        slots.grain(text),
        slots.pronoun(text, language.pronouns),
        slots.ellipsis(text, language.followup_markers, rules.scoring.followup_max_chars),
        tense=slots.tense(text),
        year=slots.year(unpaged),
        year_offset=slots.year_offset(unpaged),
        unknown=unknown,
        page_time=when,
    )


def _as_this_issue(text: str, when: PageTime) -> str:
    start, end = when.expression
    if text.startswith("的", end):
        end += 1
    return text[:start] + THIS_ISSUE + text[end:]


def _blanked(text: str, span: tuple[int, int]) -> str:
    start, end = span
    return text[:start] + " " * (end - start) + text[end:]
