"""Type fit: whether a sentence holds a fact of the asked kind (多少钱 needs money).

A fact-typed question is declined when no candidate fits its type; an open one (why, how,
what is) is scored on the cue words of its kind.
"""

from __future__ import annotations

import re

from bot.answer.clauses import clause_bounds, gap, spans
from bot.answer.names import NameRules
from bot.answer.surfaces import asked_words, surfaces
from bot.content.model import Fact, FactKind, Sentence
from bot.knowledge.build import Knowledge
from bot.knowledge.entities import EntityKind
from bot.nlu import resources
from bot.nlu.need import Need
from bot.nlu.slots import COUNTED_PHRASE
from bot.rules.model import AnswerType
from bot.text.normalize import normalize

FACT_KINDS: dict[AnswerType, frozenset[FactKind]] = {
    AnswerType.MONEY: frozenset({FactKind.MONEY}),
    AnswerType.COUNT: frozenset({FactKind.COUNT}),
    AnswerType.PERCENT: frozenset({FactKind.PERCENT}),
    AnswerType.DATE: frozenset({FactKind.DATE}),
    AnswerType.DURATION: frozenset({FactKind.DURATION}),
    AnswerType.PERSON: frozenset({FactKind.PERSON}),
    AnswerType.ORG: frozenset({FactKind.ORG}),
    AnswerType.PLACE: frozenset({FactKind.PLACE}),
    AnswerType.RANK: frozenset({FactKind.RANK}),
    AnswerType.QUANTITY: frozenset(
        {FactKind.MONEY, FactKind.COUNT, FactKind.PERCENT, FactKind.DURATION}
    ),
}
# Cue words for answer types that no number or name can satisfy.
CUES: dict[AnswerType, re.Pattern[str]] = {
    AnswerType.REASON: re.compile(
        r"因为|由于|源于|得益于|为了|旨在|原因|所以|因此|之所以|来自|依托|凭借|出于|意味着|在于|"
        r"决心|信心|相通|为.{1,12}(?:提供|注入)"
    ),
    AnswerType.METHOD: re.compile(
        r"通过|着力|加强|建立|构建|实施|坚持|推进|推动|采取|举措|措施|办法|方式|设立|打造|完善|"
        r"优化|提供|帮助|开展|指导|解读|牵头|组建|邀请|鼓励|聚焦|围绕|落实|破解"
    ),
    AnswerType.DEFINITION: re.compile(
        r"是指|指的是|即|被喻为|称为|又称|也就是|是.{2,60}的|是一|作为"
    ),
}
# "…被喻为“工业大米”的微型元件": the sentence says what the asked term names
_NAMED_AS_RE = re.compile(r"(?:被喻为|被誉为|被称为|被称作|又称|俗称|号称|简称|称之为)")
_ROLE_RE = re.compile(
    "|".join(
        sorted(
            (*resources.lexicon().roles_before_name, *resources.lexicon().roles_after_name),
            key=len,
            reverse=True,
        )
    )
)
_DEADLINE_RE = re.compile(r"到(?:19|20)\d\d年")
PLAN_FIT = 0.7  # type fit of a target (力争…突破120亿元) when the question asks no plan
PLANNED_KINDS = frozenset({FactKind.MONEY, FactKind.COUNT, FactKind.PERCENT})
# "每万名常住人口拥有…5.2名": what follows 每 is the denominator, not what is counted
_PER_RE = re.compile(r"每[一二三四五六七八九十百千万亿\d]*[名个户人位家]?$")
ANCHOR_GAP = 6  # a fact this close to a question word is about it even across a comma
# Facts that may answer from anywhere in a sentence that holds every asked word.
WHOLE_SENTENCE_KINDS = frozenset(
    {FactKind.DURATION, FactKind.MONEY, FactKind.COUNT, FactKind.PERCENT, FactKind.PERSON}
)
WHOLE_SENTENCE_COVERAGE = 0.75
AGENT_FIT = 0.6  # an organisation answering "谁" is plausible, a person would be better
CUE_MISS = 0.2  # type fit of a cue-typed question whose sentence has no cue word
CUE_HIT = 0.8  # …and with one (a definition that starts with the asked term scores 1.0)


class TypeFit:
    """Per snapshot; reads organisation names through :class:`NameRules`' cache."""

    def __init__(self, knowledge: Knowledge, names: NameRules) -> None:
        self.k = knowledge
        self.names = names

    def _with_named_orgs(
        self, facts: tuple[Fact, ...], need: Need, key: int, text: str
    ) -> tuple[Fact, ...]:
        """Organisations written by their short name (云岭茶业) answer "哪家公司" too; the
        organisation asked about is never its own answer."""
        asked = {a for e in need.names for a in e.aliases}
        found = [f for f in facts if normalize(str(f.value)) not in asked]
        taken = [(f.start, f.end) for f in found]
        for start, end, phrase, entity in self.names.orgs_named_in(key):
            if phrase in asked or any(s < end and start < e for s, e in taken):
                continue
            found.append(Fact(FactKind.ORG, text[start:end], entity.name, None, start, end))
        return tuple(sorted(found, key=lambda f: f.start))

    def _counts_what_was_asked(self, need: Need, text: str, fact: Fact) -> bool:
        """多少"在校学生": the count must be of that noun — its words near the number, or,
        for an abbreviation (保租房), all its characters in the number's clause."""
        words = [w for w in need.counted if not w.startswith(COUNTED_PHRASE)]
        written = [s for w in words for s in surfaces(self.k, w) if s]
        written += [a for e in need.names if set(words) & set(e.aliases) for a in e.aliases]
        norm = normalize(text)
        found = [sp for s in written for sp in spans(norm, s) if not _PER_RE.search(norm[: sp[0]])]
        start, end = clause_bounds(text, fact.start)
        # the counted noun shares the number's clause: "…的容量，循环寿命超过5000次" counts no 容量
        if any(start <= a < end for a, _ in found):
            return True
        clause = norm[start:end]
        return any(
            w.startswith(COUNTED_PHRASE)
            and all(c in clause for c in w[1:])
            and not _only_per(clause, w[1:])
            for w in need.counted
        )

    def type_fit(
        self,
        need: Need,
        key: int,
        sentence: Sentence,
        anchors: list[tuple[int, int]],
        coverage: float,
    ) -> tuple[tuple[Fact, ...], float]:
        kinds = FACT_KINDS.get(need.answer)
        if kinds is not None:
            facts = tuple(
                f
                for f in sentence.facts
                if (f.kind in kinds and _unit_fits(f, need) and _grain_fits(f, need))
                or (need.answer is AnswerType.DURATION and _same_day(f))
            )
            if need.answer is AnswerType.ORG:
                facts = self._with_named_orgs(facts, need, key, sentence.text)
            if need.counted and need.answer in (AnswerType.COUNT, AnswerType.QUANTITY):
                # 多少"鲜叶": a count of that noun, not a duration or a count of anything else
                counts = tuple(
                    f
                    for f in facts
                    if f.kind is FactKind.COUNT
                    and self._counts_what_was_asked(need, sentence.text, f)
                )
                # money answers "多少营收", not "多少菌棒" when the 菌棒 are counted here
                facts = counts or tuple(
                    f for f in facts if f.kind in (FactKind.MONEY, FactKind.PERCENT)
                )
            people = [e for e in need.names if e.kind is EntityKind.PERSON]
            if need.answer is AnswerType.PERSON and people:
                # "胡茹琰是什么职务": the fact must be about her, not whoever else is named
                names = {a for e in people for a in e.aliases}
                facts = tuple(f for f in facts if normalize(str(f.value)) in names)
                if not facts and self._describes(sentence.text):
                    return (), 1.0  # an author's "（作者系…教授）" line answers "是什么人"
            if (
                need.answer is AnswerType.PERSON
                and not facts
                and not people
                and not any(_ROLE_RE.search(t) for t in need.terms)
            ):
                # "由谁联合组建的？" may be answered by organisations, never by the one asked
                asked = {a for e in need.names for a in e.aliases}
                facts = tuple(
                    f
                    for f in sentence.facts
                    if f.kind is FactKind.ORG
                    and normalize(str(f.value)) not in asked
                    and (not anchors or _anchored(sentence.text, f, anchors))
                )
                return facts, AGENT_FIT if facts else 0.0
            if not anchors and (need.concepts or need.terms):
                return (), 0.0  # no word of the question here: its numbers are about else
            if anchors and not need.empty:
                anchored = tuple(f for f in facts if _anchored(sentence.text, f, anchors))
                # a sentence that says everything asked, with one fact of the kind: that
                # fact is the answer even far from the words ("…，历时长达三年")
                whole = coverage >= WHOLE_SENTENCE_COVERAGE
                single = whole and (
                    (len(facts) == 1 and facts[0].kind in WHOLE_SENTENCE_KINDS)
                    or all(f.kind is FactKind.ORG for f in facts)
                )  # the subject: 哪家
                facts = anchored or (facts if single else ())
            if facts and all(f.kind in PLANNED_KINDS for f in facts):
                planned = [_planned(sentence.text, f) for f in facts]
                if all(planned) if need.tense != "future" else not any(planned):
                    return facts, PLAN_FIT  # a target answers only when no result does
            return facts, 1.0 if facts else 0.0
        if need.answer is AnswerType.DEFINITION and self._defines(need, sentence.text):
            return (), 1.0
        cue = CUES.get(need.answer)
        if cue is not None:
            return (), CUE_HIT if cue.search(sentence.text) else CUE_MISS
        return (), 1.0

    @staticmethod
    def _describes(text: str) -> bool:
        return bool(_ROLE_RE.search(text)) and text.lstrip("（(").startswith(("作者", "系"))

    def _defines(self, need: Need, text: str) -> bool:
        """``“自报享惠”是……`` / ``MLCC（多层陶瓷电容器）是……``: the asked term, then 是/指;
        or the term as what something is called (``被喻为“工业大米”的微型元件``)."""
        norm = normalize(text)
        head = normalize(text[:40]).lstrip("“「‘\"'")
        named = [norm[m.end() :].lstrip("“「‘\"'") for m in _NAMED_AS_RE.finditer(norm)]
        words = asked_words(self.k, need) + [a for e in need.names for a in e.aliases]
        for word in sorted(words, key=len, reverse=True):
            if head.startswith(word):
                rest = head[len(word) :].lstrip("”」’\"')")
                if rest.startswith(("是", "指", "即", "就是", "也就是", "作为")):
                    return True
            if any(after.startswith(word) for after in named):
                return True
        return False


_GRAINS = {
    "day": ("day",),
    "month": ("day", "month", "month-range"),
    "year": ("day", "month", "month-range", "year"),
}


def _grain_fits(fact: Fact, need: Need) -> bool:
    """ "哪天" needs a day, "哪个月" a month or a day; a plan period (十四五) answers no "when"
    question that asks for a year, month or day."""
    if fact.kind is not FactKind.DATE or need.grain is None:
        return True
    return fact.unit in _GRAINS.get(need.grain, ())


def _planned(text: str, fact: Fact) -> bool:
    """The fact is a target or forecast: a plan word in its clause, or a sentence that
    opens with a deadline (到2027年，…)."""
    start, end = clause_bounds(text, fact.start)
    clause = text[start:end]
    return any(w in clause for w in resources.lexicon().plan_words) or bool(
        _DEADLINE_RE.match(text)
    )


def _only_per(text: str, phrase: str) -> bool:
    """Whether ``phrase`` occurs in ``text`` only as a denominator (每万名常住人口)."""
    found = spans(text, phrase)
    return bool(found) and all(_PER_RE.search(text[:a]) for a, _ in found)


def _same_day(fact: Fact) -> bool:
    """ "多久办完的？" — "当天下午…办结": a relative day answers how long it took."""
    return (
        fact.kind is FactKind.DATE
        and fact.unit == "day"
        and bool(fact.qualifier)
        # not 今天: that is the page's date
        and fact.qualifier in resources.lexicon().elapsed_days
    )


def _anchored(text: str, fact: Fact, anchors: list[tuple[int, int]]) -> bool:
    """The fact is about what was asked: it shares a clause with a word of the question, or
    sits right next to one (在益阳高新区，湖南未来光电技术研究院…).  A date opening the
    sentence ("2008年，奥士康…回迁") dates the whole sentence."""
    start, end = clause_bounds(text, fact.start)
    if fact.kind is FactKind.DATE and start == 0 and end - fact.end <= 1:
        return True
    return any((start <= a < end) or gap(fact, (a, b)) <= ANCHOR_GAP for a, b in anchors)


def _unit_fits(fact: Fact, need: Need) -> bool:
    """A count answers "多少辆" only in 辆 ("多少人" in any measure of people: 名, 位…); a
    bare number (型号 0201) answers no count."""
    if fact.kind is not FactKind.COUNT:
        return True
    if fact.unit is None:
        return False
    if need.unit is None or fact.unit.startswith(need.unit) or fact.unit.endswith(need.unit):
        return True
    people = resources.lexicon().people_measures
    return need.unit in people and fact.unit in people
