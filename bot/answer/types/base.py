"""What an answer type declares, and the fact-fitting steps most types share.

An :class:`AnswerKind` is one entry of the registry (:mod:`bot.answer.types`): the fact
kinds that answer it, how a sentence fits it, how its facts are summarised and suggested,
and how a bare follow-up after it is read.  Every hook is optional; an empty one means
"the generic behaviour", so a new type writes only what is particular to it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.answer.clauses import clause_bounds, gap
from bot.answer.names import NameRules
from bot.content.model import Fact, FactKind, Sentence
from bot.knowledge.build import Knowledge
from bot.nlu import resources
from bot.nlu.need import Need
from bot.rules.model import AnswerType, Responses
from bot.rules.weights import Scoring

Fit = tuple[tuple[Fact, ...], float]  # the facts of the asked kind, and how well they fit

_DEADLINE_RE = re.compile(r"到(?:19|20)\d\d年")
PLANNED_KINDS = frozenset({FactKind.MONEY, FactKind.COUNT, FactKind.PERCENT})
# Facts whose unit alone says what they measure (天, %): a sentence's only one may answer
# from a clause without the question's words; a name, a date or an amount may not (the
# 900亿元 of another clause is another amount).
UNANCHORED_KINDS = frozenset({FactKind.DURATION, FactKind.PERCENT})
# Facts that may answer from anywhere in a sentence that holds every asked word.
WHOLE_SENTENCE_KINDS = frozenset(
    {
        FactKind.DURATION,
        FactKind.MONEY,
        FactKind.COUNT,
        FactKind.PERCENT,
        FactKind.PERSON,
        FactKind.NAME,  # "…因尾羽很长而得名，又名“长尾鸡”": the sentence's subject's other name
    }
)


class FitTools:
    """What fit functions may read besides the sentence: the snapshot and its name cache."""

    def __init__(self, knowledge: Knowledge, names: NameRules) -> None:
        self.k = knowledge
        self.names = names
        self.w = knowledge.rules.scoring

    def cue(self, answer: AnswerType) -> re.Pattern[str]:
        return self.w.cue(answer.value)


@dataclass(frozen=True, slots=True)
class FitInput:
    need: Need
    key: int  # the sentence's index key
    sentence: Sentence
    text: str  # the sentence as the index holds it (normalised, same offsets)
    anchors: list[tuple[int, int]]  # where the question's words are written in it
    coverage: float  # by the sentence's own words: a paragraph saying the rest is not it
    tools: FitTools


@dataclass(frozen=True, slots=True)
class SummaryInput:
    text: str  # the sentence
    fact: Fact
    knowledge: Knowledge | None  # None: no entity table to look the person's organisation up


@dataclass(frozen=True, slots=True)
class SuggestInput:
    sentence: Sentence
    fact: Fact
    responses: Responses
    subject: Callable[[], str | None]  # who the fact is about, worked out on demand


@dataclass(frozen=True, slots=True)
class AnswerKind:
    answer: AnswerType
    fit: Callable[[FitInput], Fit]
    kinds: frozenset[FactKind] = frozenset()  # facts that answer it; empty: an open question
    owns: FactKind | None = None  # writes the summaries and suggestions of this fact kind
    cued: bool = False  # scored on its cue words (intents/scoring.yaml: cues), not a fact
    defines: bool = False  # a sentence that fits it covers the asked term outright
    lead: Callable[[Fact], str] | None = None  # how one of its facts opens a summary
    summary: Callable[[SummaryInput], str] | None = None  # the whole summary line
    suggest: Callable[[SuggestInput], str | None] | None = None  # a related question
    narrow: Callable[[Sequence[Fact], str], tuple[Fact, ...]] | None = None  # facts asked
    choose: Callable[[str, Sequence[str], Scoring], Fact | None] | None = None  # read anew
    inherits: bool = False  # a follow-up of this type asks what the previous turn asked
    followup: AnswerType | None = None  # what a bare follow-up ("…呢？") after it asks
    # the best fit a sentence can have, from its text alone (None: 1.0): it keeps ranking's
    # upper bound tight, so that fewer candidates are fitted in full (see Retriever.rank)
    best_fit: Callable[[BoundInput], float] | None = None

    @property
    def fact_typed(self) -> bool:
        """Declined when no candidate holds a fact of its kinds."""
        return bool(self.kinds)


def select(inp: FitInput, kinds: frozenset[FactKind]) -> tuple[Fact, ...]:
    return tuple(f for f in inp.sentence.facts if f.kind in kinds)


def about_the_question(inp: FitInput, facts: tuple[Fact, ...]) -> Fit:
    """The facts that are about what was asked, and how well they fit.

    A sentence without any word of the question is about something else; of one with
    them, the facts anchored to those words answer, or a single fact of a sentence that
    says everything asked.  A target (力争…) answers only when the question asks a plan.
    """
    need, text, w = inp.need, inp.sentence.text, inp.tools.w
    if not inp.anchors and (need.concepts or need.terms):
        return (), 0.0  # no word of the question here: its numbers are about else
    if inp.anchors and not need.empty:
        anchored = tuple(f for f in facts if anchored_to(inp, f))
        # a sentence that says everything asked, with one fact of the kind: that
        # fact is the answer even far from the words ("…，历时长达三年")
        whole = inp.coverage >= w.whole_sentence_coverage
        single = whole and (
            (len(facts) == 1 and facts[0].kind in WHOLE_SENTENCE_KINDS)
            or all(f.kind is FactKind.ORG for f in facts)
        )  # the subject: 哪家
        if not anchored and not single and len(facts) == 1 and facts[0].kind in UNANCHORED_KINDS:
            # the sentence's one fact of the kind, in a clause the question's words are not
            # in ("…直航中东，航程缩短至20天" for 要走几天): likely, never certain
            return facts, w.unanchored_fit
        facts = anchored or (facts if single else ())
    if facts and all(f.kind in PLANNED_KINDS for f in facts):
        planned = [_planned(text, f) for f in facts]
        if all(planned) if need.tense != "future" else not any(planned):
            return facts, w.plan_fit  # a target answers only when no result does
    return facts, 1.0 if facts else 0.0


@dataclass(frozen=True, slots=True)
class BoundInput:
    """What a type's ``best_fit`` may read: the sentence's text, as written and normalised."""

    need: Need
    text: str  # as written
    normalised: str
    tools: FitTools


def by_cue(inp: FitInput) -> Fit:
    """An open question fits a sentence that holds one of its cue words better."""
    return (), cue_fit(inp.sentence.text, inp.need, inp.tools)


def cue_fit(text: str, need: Need, tools: FitTools) -> float:
    w = tools.w
    return w.cue_hit if tools.cue(need.answer).search(text) else w.cue_miss


def best_by_cue(inp: BoundInput) -> float:
    """The fit of a type told by its cue words alone: exactly :func:`by_cue`'s."""
    return cue_fit(inp.text, inp.need, inp.tools)


_MEASURED_KINDS = frozenset({FactKind.COUNT, FactKind.MONEY, FactKind.PERCENT, FactKind.DURATION})


def anchored_to(inp: FitInput, fact: Fact) -> bool:
    """The fact is about what was asked: it shares a clause with a word of the question (not
    one written inside the fact), or sits right next to one (在益阳高新区，湖南未来光电技术
    研究院…).  A date opening the sentence ("2008年，奥士康…回迁") dates the whole sentence."""
    start, end = clause_bounds(inp.sentence.text, fact.start)
    if fact.kind is FactKind.DATE and start == 0 and end - fact.end <= 1:
        return True
    near = inp.tools.w.anchor_gap
    # the question's measure word written inside an amount itself (多少公里 → 12.5公里) says
    # nothing about which amount was asked (a rank's scope does: 全国第三)
    own = fact.kind in _MEASURED_KINDS
    return any(
        (start <= a < end) or gap(fact, (a, b)) <= near
        for a, b in inp.anchors
        if not (own and fact.start <= a and b <= fact.end)
    )


def asked_about(inp: FitInput, value: str) -> bool:
    """The organisation ``value`` is the one the question itself names, so it cannot be
    the answer to "哪家 / 谁": one of its names' aliases, or the question's words that write
    the name without its suffix (和云川理工签协议的企业叫什么 names 云川理工大学, which the
    corpus never writes short, so the question's 云川理工 is no entity of its own)."""
    name = resources.normalised(value)
    if any(name in e.aliases for e in inp.need.names):
        return True
    asked = "".join(inp.need.terms)  # jieba may cut the short name up (云川|理工)
    return any(
        len(name) - len(suffix) >= 2 and name[: -len(suffix)] in asked
        for suffix in resources.lexicon().org_suffixes
        if name.endswith(suffix)
    )


def _planned(text: str, fact: Fact) -> bool:
    """The fact is a target or forecast: a plan word in its clause, or a sentence that
    opens with a deadline (到2027年，…)."""
    start, end = clause_bounds(text, fact.start)
    clause = text[start:end]
    plan_words = resources.lexicon().plan_words
    return any(w in clause for w in plan_words) or bool(_DEADLINE_RE.match(text))
