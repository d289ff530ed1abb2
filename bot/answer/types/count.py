"""多少家 / 几个 / 多少人: a count with a measure word, of what the question counts."""

from __future__ import annotations

import re

from bot.answer.clauses import clause_bounds, spans
from bot.answer.surfaces import surfaces
from bot.answer.types.base import AnswerKind, Fit, FitInput, about_the_question
from bot.content.model import Fact, FactKind
from bot.knowledge.entity_model import EntityKind
from bot.nlu import resources
from bot.nlu.need import Need
from bot.nlu.slots import COUNTED_PHRASE
from bot.rules.model import AnswerType

KINDS = frozenset({FactKind.COUNT})
# where the noun phrase after a count ends: a clause mark other than the list's 、
_LIST_END_RE = re.compile(r"[，,；;：:。！？!?]")
# "每万名常住人口拥有…5.2名": what follows 每 is the denominator, not what is counted
_PER_RE = re.compile(r"每[一二三四五六七八九十百千万亿\d]*[名个户人位家]?$")


def fit(inp: FitInput) -> Fit:
    in_unit = in_units(inp, KINDS)
    counted = of_what_was_counted(inp, in_unit)
    if not counted and inp.need.counted and inp.need.unit is not None:
        # 多少台无人驾驶的运输车 ~ "30台导引车": the noun paraphrased, the measure asked
        # (台, not the 个 of anything) still says what is counted: a likely fit
        same = tuple(f for f in in_unit if f.kind is FactKind.COUNT)
        if len(same) == 1:
            facts, fitness = about_the_question(inp, same)
            return facts, fitness * inp.tools.w.paraphrased_count_fit
    return about_the_question(inp, counted)


def in_units(inp: FitInput, kinds: frozenset[FactKind]) -> tuple[Fact, ...]:
    """The facts of ``kinds``, a count only in the measure asked (多少辆)."""
    facts = tuple(f for f in inp.sentence.facts if f.kind in kinds and unit_fits(f, inp.need))
    return _not_anothers_age(inp, facts)


def _not_anothers_age(inp: FitInput, facts: tuple[Fact, ...]) -> tuple[Fact, ...]:
    """An age (N岁) is its sentence's subject's: "总经理乙是甲的学生，今年只有34岁" gives
    乙's age, not 甲's.  Asked about a person, a sentence whose first titled person is someone
    else, with the person asked named only after them, holds no age of theirs."""
    lx = resources.lexicon()
    ages = lx.age_measures
    asked = [a for e in inp.need.names if e.kind is EntityKind.PERSON for a in e.aliases]
    if inp.need.unit not in ages or not asked:
        return facts
    text = inp.sentence.text
    people = [f for f in inp.sentence.facts if f.kind is FactKind.PERSON]
    at = min((i for a in asked if (i := text.find(a)) >= 0), default=-1)
    if at < 0:
        # not named: only "今年52岁的她" (a pronoun, the paragraph's person) may be theirs;
        # "40岁以下的职工" is the age of no one
        theirs = not people and any(p in text for p in lx.person_pronouns)
    else:
        theirs = not people or at < min(f.end for f in people)
    return facts if theirs else tuple(f for f in facts if f.unit not in ages)


def of_what_was_counted(inp: FitInput, facts: tuple[Fact, ...]) -> tuple[Fact, ...]:
    """多少"鲜叶": a count of that noun, not a duration or a count of anything else; money
    answers "多少营收", not "多少菌棒" when the 菌棒 are counted here."""
    if not inp.need.counted:
        return facts
    counts = tuple(f for f in facts if f.kind is FactKind.COUNT and _counts_asked(inp, f))
    return counts or tuple(f for f in facts if f.kind in (FactKind.MONEY, FactKind.PERCENT))


def _counts_asked(inp: FitInput, fact: Fact) -> bool:
    """The count is of the asked noun: its words near the number, or, for an abbreviation
    (保租房), all its characters in the number's clause."""
    need = inp.need
    words = [w for w in need.counted if not w.startswith(COUNTED_PHRASE)]
    written = [s for w in words for s in surfaces(inp.tools.k, w) if s]
    written += [a for e in need.names if set(words) & set(e.aliases) for a in e.aliases]
    # 多少名职工 ~ "拥有员工612人": the counted noun as any word of its synonym group
    for concept in need.concepts:
        variants = surfaces(inp.tools.k, concept)
        if set(words) & set(variants):
            written += variants
    norm = inp.text
    found = [sp for s in written for sp in spans(norm, s) if not _PER_RE.search(norm[: sp[0]])]
    start, end = clause_bounds(inp.sentence.text, fact.start)
    listed = _LIST_END_RE.search(norm, fact.end)
    tail = norm[fact.end : listed.start() if listed else len(norm)]
    if any("、" in tail[: tail.find(w)] for w in written if tail.find(w) > 0):
        return True  # 300个温度、湿度和光照传感器: the 、-list after the count ends in its noun
    if _counts_another_noun(norm, fact, written):
        return False  # 三张|桌子的米粉店 counts 桌子, not 米粉
    # the counted noun shares the number's clause: "…的容量，循环寿命超过5000次" counts no 容量
    if any(start <= a < end for a, _ in found):
        return True
    if fact.end == end and start > 0:
        # 这样的驿站，全市已建成126个: a clause-final count, of the topic the clause just
        # before it names
        before = clause_bounds(inp.sentence.text, start - 1)[0]
        if any(before <= a < start for a, _ in found):
            return True
    clause = norm[start:end]
    return any(
        w.startswith(COUNTED_PHRASE)
        and all(c in clause for c in w[1:])
        and not _only_per(clause, w[1:])
        for w in need.counted
    )


def _counts_another_noun(norm: str, fact: Fact, written: list[str]) -> bool:
    """The noun right after a count's measure word is what it counts: 三张桌子的米粉店 is a
    count of tables, whatever else its clause names."""
    after = norm[fact.end : fact.end + 8]
    if not after or any(after.startswith(w) for w in written):
        return False
    first = next(iter(resources.cut(after)), "")
    return len(first) >= 2 and first in resources.common_nouns()


def _only_per(text: str, phrase: str) -> bool:
    """Whether ``phrase`` occurs in ``text`` only as a denominator (每万名常住人口)."""
    found = spans(text, phrase)
    return bool(found) and all(_PER_RE.search(text[:a]) for a, _ in found)


def unit_fits(fact: Fact, need: Need) -> bool:
    """A count answers "多少辆" only in 辆 ("多少人" in any measure of people: 名, 位…;
    "多少家农户" in 户 as in 家; "多少条渔船" in 艘 as in 条); a bare number (型号 0201)
    answers no count."""
    if fact.kind is not FactKind.COUNT:
        return True
    if fact.unit is None:
        return False
    if need.unit is None or fact.unit.startswith(need.unit) or fact.unit.endswith(need.unit):
        return True
    lx = resources.lexicon()
    return any(
        need.unit in same and fact.unit in same
        for same in (
            lx.people_measures,
            lx.household_measures,
            lx.vessel_measures,
            lx.case_measures,
        )
    )


# "研发团队呢？" after "多少项专利": the follow-up asks for a number in any unit
KIND = AnswerKind(AnswerType.COUNT, fit, KINDS, owns=FactKind.COUNT, followup=AnswerType.QUANTITY)
