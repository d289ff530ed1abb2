"""Is a line of bot text a whole, readable clause?  A pure checker that lists what is wrong.

Why: summaries and digest lines are cut out of OCR'd articles by heuristics, and the ways that
goes wrong are few and recognisable — a figure cut out of its measure phrase (年产值的产业集群),
two facts glued together with the punctuation between them lost (告诉记者新工厂…), a quote or
bracket opened and never closed (十四五”期间), a clause that stops on 的 or a comma, a line far
too long for a phone.  One function names each of them, so every producer of text (digests,
answers) is tested against the same rules.  The rules' words live in ``data/wellformed.yaml``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

from bot.yamlsource import load_yaml

logger = logging.getLogger(__name__)

RULES_PATH = Path(__file__).with_name("data") / "wellformed.yaml"

_SENTENCE_END = "。！？!?；;…"


class Kind(StrEnum):
    """What is wrong with a line (stable names: tests and reports count by them)."""

    MISSING_FIGURE = "missing_figure"
    UNBALANCED = "unbalanced"
    DANGLING_END = "dangling_end"
    GLUED = "glued"
    TOO_LONG = "too_long"


@dataclass(frozen=True, slots=True)
class Violation:
    """One problem, with the character offset it was found at and the text around it."""

    kind: Kind
    position: int
    excerpt: str

    def __str__(self) -> str:
        return f"{self.kind}@{self.position}: {self.excerpt}"


@dataclass(frozen=True, slots=True)
class Rules:
    """The checker's vocabulary and budget, from ``data/wellformed.yaml``."""

    max_chars: int
    measure_nouns: tuple[str, ...]
    figure_qualifiers: tuple[str, ...]
    share_starts: str
    speaker_verbs: tuple[str, ...]
    dangling_ends: frozenset[str]
    credit_labels: tuple[str, ...]  # 作者：某某 — the name after one ends as written
    pairs: tuple[tuple[str, str], ...]


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


@cache
def rules() -> Rules:
    """The shipped rules (read once)."""
    data = load_yaml(RULES_PATH)

    def words(key: str) -> tuple[str, ...]:
        return tuple(str(w) for w in data[key])

    pairs = tuple((str(p)[0], str(p)[1]) for p in data["pairs"] if len(str(p)) == 2)
    return Rules(
        max_chars=int(data["max_chars"]),
        measure_nouns=words("measure_nouns"),
        figure_qualifiers=words("figure_qualifiers"),
        share_starts=str(data["share_starts"]),
        speaker_verbs=words("speaker_verbs"),
        dangling_ends=frozenset(words("dangling_ends")),
        credit_labels=words("credit_labels"),
        pairs=pairs,
    )


@cache
def _patterns(r: Rules) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    # 营收的近一半 / 产值的10%: the figure follows 的, the phrase is whole
    share = f"(?![{re.escape(r.share_starts)}])" if r.share_starts else ""
    measure = re.compile(f"({_alternation(r.measure_nouns)})的{share}")
    qualifier = re.compile(f"({_alternation(r.figure_qualifiers)})(?=[的，。、；,;]|$)")
    glued = re.compile(f"({_alternation(r.speaker_verbs)})(?=[\u4e00-\u9fff])")
    return measure, qualifier, glued


def _excerpt(text: str, start: int, end: int, margin: int = 6) -> str:
    return text[max(0, start - margin) : end + margin]


def _missing_figures(text: str, r: Rules) -> list[Violation]:
    measure, qualifier, _ = _patterns(r)
    found = [
        Violation(Kind.MISSING_FIGURE, m.start(), _excerpt(text, m.start(), m.end()))
        for m in measure.finditer(text)
    ]
    found += [
        Violation(Kind.MISSING_FIGURE, m.start(), _excerpt(text, m.start(), m.end()))
        for m in qualifier.finditer(text)
    ]
    return found


def _unbalanced(text: str, r: Rules) -> list[Violation]:
    closers = {close: open_ for open_, close in r.pairs if open_ != close}
    openers = {open_ for open_, close in r.pairs if open_ != close}
    stack: list[tuple[str, int]] = []
    found: list[Violation] = []
    for position, char in enumerate(text):
        if char in openers:
            stack.append((char, position))
        elif char in closers:
            if stack and stack[-1][0] == closers[char]:
                stack.pop()
            else:
                found.append(
                    Violation(Kind.UNBALANCED, position, _excerpt(text, position, position + 1))
                )
    found += [
        Violation(Kind.UNBALANCED, position, _excerpt(text, position, position + 1))
        for _, position in stack
    ]
    if text.count('"') % 2:
        position = text.rfind('"')
        found.append(Violation(Kind.UNBALANCED, position, _excerpt(text, position, position + 1)))
    return found


def _dangling(text: str, r: Rules) -> list[Violation]:
    body = text.rstrip().rstrip(_SENTENCE_END).rstrip()
    label, colon, tail = body.rpartition("：")
    if colon and label.endswith(r.credit_labels) and _SHORT_NAME_RE.fullmatch(tail):
        return []  # 某文的作者：周德和 — a name after a credit ends as it is written
    if body and body[-1] in r.dangling_ends:
        end = len(body)
        return [Violation(Kind.DANGLING_END, end - 1, _excerpt(text, end - 1, end))]
    return []


_SHORT_NAME_RE = re.compile(r"[\u4e00-\u9fff·]{2,4}(?:、[\u4e00-\u9fff·]{2,4})*")


def without_dangling_end(text: str) -> str:
    """``text`` with a word that needs a continuation dropped from its end (…运营工作的… →
    …运营工作…, 总产量的 → 总产量): a cut or a fact taken out of its clause can leave one."""
    r = rules()
    ellipsis = text.endswith("…")
    body = text.rstrip("…").rstrip()
    while len(body) > 1 and body[-1] in r.dangling_ends:
        body = body[:-1].rstrip()
    return body + ("…" if ellipsis else "")


def _glued(text: str, r: Rules) -> list[Violation]:
    _, _, glued = _patterns(r)
    return [
        Violation(Kind.GLUED, m.end(), _excerpt(text, m.start(), m.end()))
        for m in glued.finditer(text)
    ]


def check(
    text: str, *, max_chars: int | None = None, rules_: Rules | None = None
) -> list[Violation]:
    """Every violation in ``text`` (empty when it is well formed), in the order of the rules.

    ``max_chars`` overrides the YAML budget (a title may be given its own); an empty text has
    nothing wrong with it — whether a line may be empty is the caller's decision.
    """
    r = rules_ or rules()
    budget = r.max_chars if max_chars is None else max_chars
    found = _missing_figures(text, r) + _unbalanced(text, r) + _dangling(text, r)
    found += _glued(text, r)
    if len(text) > budget:
        found.append(Violation(Kind.TOO_LONG, budget, f"{len(text)} > {budget} characters"))
    return found


def is_wellformed(text: str, *, max_chars: int | None = None) -> bool:
    """True when :func:`check` finds nothing."""
    return not check(text, max_chars=max_chars)
