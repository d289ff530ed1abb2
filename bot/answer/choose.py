"""Stage 9 — choose the fact: of the facts of the asked kind in the chosen sentence, the one
that answers (the clause holding the asked words, the item a 分别 list aligns with).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import pairwise

from bot.answer.clauses import clauses, gap
from bot.content.model import Fact, FactKind
from bot.nlu import resources
from bot.text.chars import CLAUSE_SEP


def choose_fact(
    text: str,
    facts: Sequence[Fact],
    focus: Sequence[str],
    words: Sequence[str] = (),
    weight: Callable[[str], float] = len,
) -> Fact | None:
    """The fact that answers: aligned by 分别 when the sentence lists several, else the one
    nearest to the question's plain words (``团队`` → 300人), else to its names.  A name
    the question itself used is never its own answer (湖南 inside 湖南未来光电技术研究院)."""
    if not facts:
        return None
    norm = resources.normalised(text)
    spans = [(norm.find(f), norm.find(f) + len(f)) for f in focus if f and f in norm]
    facts = [
        f
        for f in facts
        if not any(s <= f.start and f.end <= e for s, e in spans)
        or f.kind not in (FactKind.PLACE, FactKind.ORG, FactKind.PERSON)
    ] or list(facts)
    aligned = _respectively(text, facts, focus)
    if aligned is not None:
        return aligned
    facts = _most_asked_clause(norm, facts, words, weight)
    for group in (words, focus):
        positions = [(norm.find(w), norm.find(w) + len(w)) for w in group if w and w in norm]
        if positions:
            return min(facts, key=lambda f: (min(gap(f, p) for p in positions), f.start))
    return facts[0]


def facts_of_the_time_asked(
    facts: Sequence[Fact], text: str, tense: str | None
) -> tuple[Fact, ...]:
    """``过去一条产线要60多名工人，现在只需要12个人``: "现在要几个人" (tense ``now``) is answered
    by the figure after the sentence's now-word, "以前要几个人" (``past``) by one before it."""
    chosen = tuple(facts)
    now_at = min(
        (at for w in resources.lexicon().time_now if (at := text.find(w)) >= 0), default=-1
    )
    if now_at < 0 or len(chosen) < 2:
        return chosen
    if tense == "now":
        return tuple(f for f in chosen if f.start >= now_at) or chosen
    if tense == "past":
        return tuple(f for f in chosen if f.end <= now_at) or chosen
    return chosen


def facts_after_a_change(
    facts: Sequence[Fact], text: str, tense: str | None, tail: int
) -> tuple[Fact, ...]:
    """``由过去的10个工作日压缩至4个工作日``: a figure changed into another (a change verb and
    至/到/为 between them, in one clause) is answered by the new one, unless the question asks
    what it was before (tense ``past``: 以前/原来…).  ``tail``: characters that may stand
    between 至/到 and the new figure (增加到|去年的|1.8万元)."""
    chosen = tuple(facts)
    if tense == "past" or len(chosen) < 2:
        return chosen
    lx = resources.lexicon()
    ends = tuple(v + link for v in lx.change_verbs for link in lx.change_links)
    replaced = {
        old
        for old, new in pairwise(chosen)
        if old.kind is new.kind
        and old.end <= new.start
        and _changed_into(text[old.end : new.start], ends, tail)
    }
    return tuple(f for f in chosen if f not in replaced) or chosen


def _changed_into(between: str, ends: tuple[str, ...], tail: int) -> bool:
    """``…压缩至`` / ``…增加到去年的`` between two figures of one clause: a change verb with
    its 至/到/为, a few characters at most before the new figure."""
    if any(c in between for c in CLAUSE_SEP + "。；"):
        return False
    at = max((between.rfind(e) + len(e) for e in ends if e in between), default=-1)
    return at >= 0 and len(between) - at <= tail


def _most_asked_clause(
    norm: str, facts: Sequence[Fact], words: Sequence[str], weight: Callable[[str], float]
) -> list[Fact]:
    """The facts whose clause holds most of the question's words, each weighed by
    ``weight`` (its rarity in the corpus): "做成脆片能卖多少钱" → “做成香菇脆片能卖到60元”, not
    the 8元 of “鲜香菇直接卖约8元” beside it; "快充桩有多少个" → the clause of the rare 快充桩,
    not the one of the common 停车场."""
    parts = clauses(norm)

    def held(fact: Fact) -> float:
        clause = next((c for s, e, c in parts if s <= fact.start < e), "")
        return sum(weight(w) for w in set(words) if w and w in clause)

    scores = [held(f) for f in facts]
    best = max(scores, default=0)
    return (
        [f for f, score in zip(facts, scores, strict=True) if score == best]
        if best
        else list(facts)
    )


def _respectively(text: str, facts: Sequence[Fact], focus: Sequence[str]) -> Fact | None:
    """``电容器、PCB产业集群产值分别同比增长11.8%、16.5%``: PCB → 16.5%."""
    at = text.find("分别")
    if at < 0:
        return None
    head = re.split(f"[{CLAUSE_SEP.replace('、', '')}。]", text[:at])[-1]
    items = [resources.normalised(i) for i in head.split("、") if i]
    tail = re.search(f"[{CLAUSE_SEP.replace('、', '')}。]", text[at:])
    clause_end = at + tail.start() if tail else len(text)
    after = [f for f in facts if at < f.start < clause_end]
    if len(items) < 2 or len(after) != len(items):
        return None
    for position, item in enumerate(items):
        if any(f and f in item for f in focus):
            return after[position]
    return None


_QUANTITIES = frozenset({FactKind.MONEY, FactKind.PERCENT, FactKind.COUNT, FactKind.DURATION})


def stated_in_question(fact: Fact, stated: tuple[str, ...]) -> bool:
    """A quantity the question writes itself (86辆 asked of as 86辆冷藏车里…)."""
    text = resources.normalised(fact.text)
    return fact.kind in _QUANTITIES and any(text == s or text.endswith(s) for s in stated)
