"""Compose the reply: pick the fact, write a one-line summary, cut a verbatim quote.

The summary is a direct answer built from the fact and the words around it
(``4.56亿元 — 2023年艾华集团投资布局“薄膜电容器及新材料项目”``), not a copy of the quote; the
quote is always a contiguous substring of the cleaned article text, at most ~200 characters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.content.lexicon import lexicon
from bot.content.model import Fact, FactKind, Paragraph
from bot.content.summary import strip_dateline
from bot.text import tokenizer
from bot.text.chars import CLAUSE_SEP
from bot.text.normalize import normalize

MAX_QUOTE_CHARS = 200
MAX_CONTEXT_CHARS = 44
MAX_SUMMARY_CHARS = 90
MIN_AFTER_LEAD_IN = 12  # a colon's remainder this long is the summary, not its lead-in
_DROP_PUNCT_RE = re.compile(r"[，,。；;：:！？!?\s]+")
_CLAUSE_RE = re.compile(f"[{CLAUSE_SEP}。！？!?]")
_SPEAKER_RE = re.compile(r"^[\u4e00-\u9fff]{2,4}[：:](?=.)")
_PAIRS = (("（", "）"), ("(", ")"), ("“", "”"), ("‘", "’"), ("《", "》"), ("「", "」"))
_BRACKETS = "（("
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
            return min(facts, key=lambda f: (min(_gap(f, p) for p in positions), f.start))
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
    now_at = min((at for w in lexicon().time_now if (at := text.find(w)) >= 0), default=-1)
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
                for token, at in tokenizer.cut_with_offsets(match.group("clause"))
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
    clauses = _clauses(norm)

    def held(fact: Fact) -> int:
        clause = next((c for s, e, c in clauses if s <= fact.start < e), "")
        return sum(len(w) for w in set(words) if w and w in clause)

    scores = [held(f) for f in facts]
    best = max(scores, default=0)
    return (
        [f for f, score in zip(facts, scores, strict=True) if score == best]
        if best
        else list(facts)
    )


def _gap(fact: Fact, span: tuple[int, int]) -> int:
    start, end = span
    if fact.end <= start:
        return start - fact.end
    if end <= fact.start:
        return fact.start - end
    return 0


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


def context_clause(
    text: str, fact: Fact | None, limit: int = MAX_CONTEXT_CHARS, words: Sequence[str] = ()
) -> str:
    """The clauses around the fact, without the fact itself and without punctuation; with no
    fact, from the first clause that holds one of the question's ``words`` (陈宏志打算建什么 →
    “这次我们要建的是…”, not the quote's opening “以前你看到的是…”)."""
    if fact is None:
        text = _after_lead_in(strip_dateline(text))
    clauses = _clauses(text)
    if not clauses:
        return ""
    if fact is None:
        first = next(
            (i for i, c in enumerate(clauses) if any(w and w in normalize(c[2]) for w in words)),
            0,
        )
        clauses = clauses[first:]
        chosen = clauses[:1]
        while len(chosen) < len(clauses) and (
            sum(len(c[2]) for c in chosen) < limit // 2
            # "是手机、汽车、" is half a list: finish it when it fits
            or (
                chosen[-1][2].endswith("、")
                and sum(len(c[2]) for c in chosen) + len(clauses[len(chosen)][2]) <= limit
            )
        ):
            chosen.append(clauses[len(chosen)])
    else:
        at = next(
            (i for i, (s, e, _) in enumerate(clauses) if s <= fact.start < e), len(clauses) - 1
        )
        chosen = [clauses[at]]
        lo, hi = at, at
        while (
            lo > 0
            and sum(len(c[2]) for c in chosen) < 16
            and sum(len(c[2]) for c in chosen) + len(clauses[lo - 1][2]) <= limit
        ):
            lo -= 1
            chosen.insert(0, clauses[lo])
        # a fact that ends its clause is explained by the next one (投资4.56亿元，布局…)
        ends_clause = clauses[at][1] - fact.end <= 1
        while (
            hi + 1 < len(clauses)
            and (sum(len(c[2]) for c in chosen) < 14 or (ends_clause and hi == at))
            and sum(len(c[2]) for c in chosen) + len(clauses[hi + 1][2]) <= limit
        ):
            hi += 1
            chosen.append(clauses[hi])
    joined = "".join(c[2] for c in chosen)
    if fact is not None and fact.kind in (
        FactKind.MONEY,
        FactKind.COUNT,
        FactKind.PERCENT,
        FactKind.RANK,
    ):
        joined = _without(joined, fact.text)
    joined = _SPEAKER_RE.sub("", joined)  # 周晓岚：全省已组建… — the interviewee's label
    joined = _DROP_PUNCT_RE.sub("", strip_dateline(joined)).rstrip("、")
    joined = _balanced(joined)
    return joined[:limit] + ("…" if len(joined) > limit else "")


def _balanced(text: str) -> str:
    """Mend what the cut left unclosed: a bracket's partial content goes (覆盖所有县（市 →
    覆盖所有县) unless the bracket opens the text, then only the bracket; a quotation mark
    goes alone (the quoted words stay)."""
    for opening, closing in _PAIRS:
        if text.count(opening) > text.count(closing):
            at = text.rfind(opening)
            cut_content = opening in _BRACKETS and at > 0
            text = text[:at] if cut_content else text[:at] + text[at + 1 :]
    return text.rstrip("、")


def _without(text: str, part: str) -> str:
    """``part`` cut out of ``text`` with the list comma beside it (“打造国内最大、全球前三的”
    without 全球前三 is “打造国内最大的”, not “打造国内最大、的”)."""
    at = text.find(part)
    if at < 0:
        return text
    start, end = at, at + len(part)
    if text[end : end + 1] == "、":
        end += 1
    elif text[start - 1 : start] == "、":
        start -= 1
    return text[:start] + text[end:]


def _after_lead_in(text: str) -> str:
    """``企业相关负责人坦言，实地考察后，团队改变了看法：MLCC所需的…``: what follows the
    colon is the substance; the lead-in before it only says who said it."""
    at = min((i for i in (text.find("："), text.find(":")) if i >= 0), default=-1)
    if 0 < at <= len(text) * 0.6 and len(text) - at - 1 >= MIN_AFTER_LEAD_IN:
        return text[at + 1 :]
    return text


def _clauses(text: str) -> list[tuple[int, int, str]]:
    result = []
    start = 0
    for match in _CLAUSE_RE.finditer(text):
        end = match.end()
        if text[start:end].strip():
            result.append((start, end, text[start:end]))
        start = end
    if text[start:].strip():
        result.append((start, len(text), text[start:]))
    return result


def summary_for(
    text: str, fact: Fact | None, org_name: str | None = None, words: Sequence[str] = ()
) -> str:
    """A one-line direct answer; ``words`` are the question's content words."""
    if fact is not None and fact.kind is FactKind.PERSON:
        role = fact.role or ""
        org = org_name or fact.org or ""
        if role and role.split("、")[-1] not in ("记者", "通讯员"):
            return f"{fact.value} — {org}{role}" if org else f"{fact.value}（{role}）"
        return f"{fact.value} — {context_clause(text, fact)}"
    context = context_clause(text, fact, words=words)
    if fact is None:
        return context or text[:MAX_SUMMARY_CHARS]
    lead = _date_label(fact) if fact.kind is FactKind.DATE else fact.text
    summary = f"{lead} — {context}" if context else lead
    return summary[:MAX_SUMMARY_CHARS]


def _date_label(fact: Fact) -> str:
    """``去年9月`` → ``2025年9月（去年9月）``: relative dates are shown resolved."""
    value = fact.value if isinstance(fact.value, str) else None
    if not value or not fact.qualifier or "/" in value:
        return fact.text
    parts = value.split("-")
    label = f"{int(parts[0])}年"
    if len(parts) > 1:
        label += f"{int(parts[1])}月"
    if len(parts) > 2:
        label += f"{int(parts[2])}日"
    return label if label == fact.text else f"{label}（{fact.text}）"


def extend_with_cue(
    paragraph: Paragraph, index: int, cue: re.Pattern[str], limit: int = MAX_QUOTE_CHARS
) -> str | None:
    """The sentence plus the next one when only the next gives the reason or the method.

    “智能制造不是选择题，而是生死题。” is answered by the sentence after it
    (“…源于对趋势的判断，也来自政府的兜底”); both are quoted, as one contiguous passage.
    """
    sentences = paragraph.sentences
    if index + 1 >= len(sentences) or not cue.search(sentences[index + 1].text):
        return None
    first, second = sentences[index], sentences[index + 1]
    end = second.start + len(second.text)
    if end - first.start > limit:
        return None
    return paragraph.text[first.start : end]


def quote_for(text: str, fact: Fact | None, limit: int = MAX_QUOTE_CHARS) -> str:
    """The sentence, or when longer than ``limit`` the clauses around the fact."""
    if len(text) <= limit:
        return text
    clauses = _clauses(text)
    at = 0
    if fact is not None:
        at = next((i for i, (s, e, _) in enumerate(clauses) if s <= fact.start < e), 0)
    lo = hi = at
    while True:
        grown = False
        if hi + 1 < len(clauses) and clauses[hi + 1][1] - clauses[lo][0] <= limit:
            hi += 1
            grown = True
        if lo > 0 and clauses[hi][1] - clauses[lo - 1][0] <= limit:
            lo -= 1
            grown = True
        if not grown:
            break
    start, end = clauses[lo][0], clauses[hi][1]
    if end - start > limit:
        end = start + limit
    return text[start:end]
