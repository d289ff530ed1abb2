"""Clause geometry and the context cut around a fact, shared by every answer stage.

Chinese sentences run long; what answers is usually one clause (between ，；：and 、).
The one ``gap`` and ``clause_bounds`` here are what scoring, choosing and composing use,
so "near the asked word" means the same thing in all of them.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from functools import lru_cache

from bot.content.model import Fact, FactKind
from bot.content.summary import strip_dateline
from bot.nlu import resources
from bot.text.chars import CLAUSE_SEP, without_unpaired_straight_quote
from bot.text.wellformed import Kind, check
from bot.text.wellformed import rules as text_rules

CLAUSE_ENDS = "，,；;：:。！？!?、"
MAX_CONTEXT_CHARS = 44
# Presentation lengths: how much text a summary's context shows.  They shape the line, not
# whether or what the bot answers, so they stay here rather than in intents/scoring.yaml.
MIN_AFTER_LEAD_IN = 12  # a colon's remainder this long is the summary, not its lead-in
LEAD_IN_MAX_PERCENT = 60  # …when the colon comes within this share of the text
_DROP_PUNCT_RE = re.compile(r"\s+")
# between the clauses of a summary, one comma: two clauses glued read as one wrong phrase
# (提高到下降到…), and a sentence mark inside a one-line summary is noise
_CLAUSE_MARKS_RE = re.compile(r"(?:[，,。；;：:！？!?]\s*)+")
_CLAUSE_RE = re.compile(f"[{CLAUSE_SEP}。！？!?]")
_SPEAKER_RE = re.compile(r"^[\u4e00-\u9fff]{2,4}[：:](?=.)")
_PAIRS = (
    ("（", "）"),
    ("(", ")"),
    ("“", "”"),
    ("‘", "’"),
    ("《", "》"),
    ("「", "」"),
    ("【", "】"),
)
_BRACKETS = "（("
# Inside one over-long clause the places a cut still reads whole: a dash or a space.
_INNER_BREAK_RE = re.compile(r"(——|—|\s+)")


def clause_bounds(text: str, position: int) -> tuple[int, int]:
    """The clause around ``position``: from after the previous clause mark to the next."""
    marks = _clause_marks(text)
    at = bisect_left(marks, position)
    start = marks[at - 1] + 1 if at else 0
    return start, (marks[at] if at < len(marks) else len(text))


@lru_cache(maxsize=16384)
def _clause_marks(text: str) -> tuple[int, ...]:
    return tuple(i for i, c in enumerate(text) if c in CLAUSE_ENDS)


def gap(fact: Fact, span: tuple[int, int]) -> int:
    """Characters between a fact and a span of the text (0 when they overlap)."""
    start, end = span
    if fact.end <= start:
        return start - fact.end
    if end <= fact.start:
        return fact.start - end
    return 0


def spans(text: str, word: str) -> list[tuple[int, int]]:
    """Every occurrence of ``word`` in ``text``, overlapping ones included."""
    found = []
    at = text.find(word)
    while at >= 0 and word:
        found.append((at, at + len(word)))
        at = text.find(word, at + 1)
    return found


def clauses(text: str) -> list[tuple[int, int, str]]:
    """The text cut after each clause or sentence mark, as (start, end, clause)."""
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


def context_clause(
    text: str, fact: Fact | None, limit: int = MAX_CONTEXT_CHARS, words: Sequence[str] = ()
) -> str:
    """The clauses around the fact, without the fact itself, one comma between clauses; with no
    fact, from the first clause that holds one of the question's ``words`` (陈宏志打算建什么 →
    “这次我们要建的是…”, not the quote's opening “以前你看到的是…”)."""
    if fact is None:
        text = _after_lead_in(strip_dateline(text))
    parts = clauses(text)
    if not parts:
        return ""
    if fact is None:
        first = next(
            (
                i
                for i, c in enumerate(parts)
                if any(w and w in resources.normalised(c[2]) for w in words)
            ),
            0,
        )
        parts = parts[first:]
        chosen = parts[:1]
        while len(chosen) < len(parts) and (
            sum(len(c[2]) for c in chosen) < limit // 2
            # "是手机、汽车、" is half a list: finish it when it fits
            or (
                chosen[-1][2].endswith("、")
                and sum(len(c[2]) for c in chosen) + len(parts[len(chosen)][2]) <= limit
            )
        ):
            chosen.append(parts[len(chosen)])
    else:
        at = next((i for i, (s, e, _) in enumerate(parts) if s <= fact.start < e), len(parts) - 1)
        chosen = [parts[at]]
        lo, hi = at, at
        while (
            lo > 0
            and sum(len(c[2]) for c in chosen) < 16
            and sum(len(c[2]) for c in chosen) + len(parts[lo - 1][2]) <= limit
        ):
            lo -= 1
            chosen.insert(0, parts[lo])
        # a fact that ends its clause is explained by the next one (投资4.56亿元，布局…)
        ends_clause = parts[at][1] - fact.end <= 1
        while (
            hi + 1 < len(parts)
            and (sum(len(c[2]) for c in chosen) < 14 or (ends_clause and hi == at))
            and sum(len(c[2]) for c in chosen) + len(parts[hi + 1][2]) <= limit
        ):
            hi += 1
            chosen.append(parts[hi])
    chosen = _after_speaker(chosen)
    joined = "".join(c[2] for c in chosen)
    if fact is not None and fact.kind in (
        FactKind.MONEY,
        FactKind.COUNT,
        FactKind.PERCENT,
        FactKind.RANK,
    ):
        joined = _without(joined, fact.text)
    joined = _SPEAKER_RE.sub("", joined)  # 周晓岚：全省已组建… — the interviewee's label
    joined = _DROP_PUNCT_RE.sub("", strip_dateline(joined))
    joined = _CLAUSE_MARKS_RE.sub("，", joined).strip("，、")
    anchor = fact.text if fact is not None else ""
    # pairing may drop a closing quote after the last comma (…‘超级工厂’，” → …‘超级工厂’，)
    return balanced(_fit(balanced(joined), limit, anchor)).rstrip("，、")


def _after_speaker(chosen: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Drop a who-said-it lead (陈宏志告诉记者，) before the clauses it reports: with the
    punctuation dropped it would run straight into them (告诉记者新工厂…), two facts glued."""
    verbs = text_rules().speaker_verbs
    last = max(
        (i for i, c in enumerate(chosen[:-1]) if c[2].rstrip(CLAUSE_ENDS).endswith(verbs)),
        default=-1,
    )
    return chosen[last + 1 :]


def _fit(text: str, limit: int, anchor: str) -> str:
    """``text`` within ``limit`` characters, cut where it still reads whole: the pieces
    between dashes or spaces around ``anchor`` (the fact, when it is still in the text), and
    only when one piece alone is too long, at the limit with “…”."""
    if len(text) <= limit:
        return text
    parts = _INNER_BREAK_RE.split(text)  # pieces at even indexes, breaks between them
    pieces = parts[::2]
    at = next((i for i, p in enumerate(pieces) if anchor and anchor in p), 0)
    lo = hi = at

    def span(lo_: int, hi_: int) -> str:
        return "".join(parts[2 * lo_ : 2 * hi_ + 1])

    while hi + 1 < len(pieces) and len(span(lo, hi + 1)) <= limit:
        hi += 1
    while lo > 0 and len(span(lo - 1, hi)) <= limit:
        lo -= 1
    fitted = span(lo, hi).strip("—").strip()
    if fitted and len(fitted) <= limit:
        return fitted
    return text[:limit] + "…"


def balanced(text: str) -> str:
    """``text`` with every quote and bracket paired: a closing mark with no opening one is
    dropped (抵港直装”等 → 抵港直装等), an opening one the cut left unclosed is mended as
    :func:`_balanced` does."""
    closers = {close: open_ for open_, close in _PAIRS}
    openers = {open_ for open_, _ in _PAIRS}
    stack: list[str] = []
    kept: list[str] = []
    for char in text:
        if char in openers:
            stack.append(char)
        elif char in closers:
            if not stack or stack[-1] != closers[char]:
                continue
            stack.pop()
        kept.append(char)
    return _balanced("".join(kept))


def _balanced(text: str) -> str:
    """Mend what the cut left unclosed: a bracket's partial content goes (覆盖所有县（市 →
    覆盖所有县) unless the bracket opens the text, then only the bracket; a quotation mark
    goes alone (the quoted words stay)."""
    for opening, closing in _PAIRS:
        if text.count(opening) > text.count(closing):
            at = text.rfind(opening)
            cut_content = opening in _BRACKETS and at > 0
            text = text[:at] if cut_content else text[:at] + text[at + 1 :]
    return without_unpaired_straight_quote(text).rstrip("、")


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
    cut = text[:start] + text[end:]
    if _hollow(cut) > _hollow(text):
        return text  # 年产值超400亿元的产业集群 without its figure is 年产值的产业集群: keep it
    return cut


def _hollow(text: str) -> int:
    """How many measure phrases in ``text`` have no figure (年产值的产业集群)."""
    return sum(v.kind is Kind.MISSING_FIGURE for v in check(text))


def _after_lead_in(text: str) -> str:
    """``企业相关负责人坦言，实地考察后，团队改变了看法：MLCC所需的…``: what follows the
    colon is the substance; the lead-in before it only says who said it."""
    at = min((i for i in (text.find("："), text.find(":")) if i >= 0), default=-1)
    if 0 < at * 100 <= len(text) * LEAD_IN_MAX_PERCENT and len(text) - at - 1 >= MIN_AFTER_LEAD_IN:
        return text[at + 1 :]
    return text
