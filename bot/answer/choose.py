"""Stage 9 — choose the fact: of the facts of the asked kind in the chosen sentence, the one
that answers (the clause holding the asked words, the item a 分别 list aligns with).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.answer.clauses import clauses, gap
from bot.content.model import Fact, FactKind
from bot.nlu import resources
from bot.text.chars import CLAUSE_SEP
from bot.text.normalize import normalize

_ORDINAL_ASKED = re.compile(r"第几|第多少|排第|排名|名次")
_AGENT_RE = re.compile(f"由(?!此|于)(?=(?P<clause>[^{CLAUSE_SEP}。！？!?]*))")
_AGENT_TRAIL_RE = re.compile(r"(联合|共同|一起|携手|负责|出资|主导)+$")
MAX_AGENT_CHARS = 30


def choose_fact(
    text: str, facts: Sequence[Fact], focus: Sequence[str], words: Sequence[str] = ()
) -> Fact | None:
    """The fact that answers: aligned by 分别 when the sentence lists several, else the one
    nearest to the question's plain words (``团队`` → 300人), else to its names.  A name
    the question itself used is never its own answer (湖南 inside 湖南未来光电技术研究院)."""
    if not facts:
        return None
    norm = normalize(text)
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
    facts = _most_asked_clause(norm, facts, words)
    for group in (words, focus):
        positions = [(norm.find(w), norm.find(w) + len(w)) for w in group if w and w in norm]
        if positions:
            return min(facts, key=lambda f: (min(gap(f, p) for p in positions), f.start))
    return facts[0]


def ranks_asked(facts: Sequence[Fact], question: str) -> tuple[Fact, ...]:
    """Of a sentence's ranks, those the question asks for: its scope (全球第几 → 全球前三,
    not 国内最大 beside it), then an ordinal when it asks for one (排第几 → 第七位, not
    全省唯一)."""
    chosen = tuple(facts)
    scoped = tuple(f for f in chosen if f.qualifier and f.qualifier in question)
    chosen = scoped or chosen
    if _ORDINAL_ASKED.search(question):
        chosen = tuple(f for f in chosen if "第" in f.text) or chosen
    return chosen


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


def agent_fact(text: str, words: Sequence[str]) -> Fact | None:
    """``由益阳高新区和湖南师范大学联合共建`` answers "谁建的": whoever stands between 由 and
    the question's verb did it, person or not (the sentence's 潘安栋教授 did not build it)."""
    words = [w for w in words if w and w != "由"]
    norm = normalize(text)
    for match in _AGENT_RE.finditer(norm):
        start = match.end()
        # the agent ends where the word holding the verb begins (共建, not 建)
        verb_at = next(
            (
                at
                for token, at in resources.cut_with_offsets(match.group("clause"))
                if at >= 2 and any(w in token for w in words)
            ),
            None,
        )
        if verb_at is None:
            continue
        agent = _AGENT_TRAIL_RE.sub("", text[start : start + verb_at])
        if 2 <= len(agent) <= MAX_AGENT_CHARS:
            return Fact(FactKind.ORG, agent, agent, None, start, start + len(agent))
    return None


def _most_asked_clause(norm: str, facts: Sequence[Fact], words: Sequence[str]) -> list[Fact]:
    """The facts whose clause holds most of the question's words: "做成脆片能卖多少钱" →
    “做成香菇脆片能卖到60元”, not the 8元 of “鲜香菇直接卖约8元” beside it."""
    parts = clauses(norm)

    def held(fact: Fact) -> int:
        clause = next((c for s, e, c in parts if s <= fact.start < e), "")
        return sum(len(w) for w in set(words) if w and w in clause)

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
    items = [normalize(i) for i in head.split("、") if i]
    tail = re.search(f"[{CLAUSE_SEP.replace('、', '')}。]", text[at:])
    clause_end = at + tail.start() if tail else len(text)
    after = [f for f in facts if at < f.start < clause_end]
    if len(items) < 2 or len(after) != len(items):
        return None
    for position, item in enumerate(items):
        if any(f and f in item for f in focus):
            return after[position]
    return None
