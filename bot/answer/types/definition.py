"""是什么 / 什么是 / 指的是: a definition — the asked term, then 是/指 — or the sentence
that says what the term names (被喻为“工业大米”的微型元件)."""

from __future__ import annotations

import re

from bot.answer.surfaces import asked_words
from bot.answer.types.base import AnswerKind, BoundInput, Fit, FitInput, best_by_cue, by_cue
from bot.rules.model import AnswerType

# "…被喻为“工业大米”的微型元件": the sentence says what the asked term names
_NAMED_AS_RE = re.compile(r"(?:被喻为|被誉为|被称为|被称作|又称|俗称|号称|简称|称之为)")
_OPEN_QUOTES = "“「‘\"'"
_CLOSE_QUOTES = "”」’\"')"
_COPULAS = ("是", "指", "即", "就是", "也就是", "作为")
_DEFINING_OPENER = "所谓"  # 所谓“旅游+”，就是…: the term, a comma, then the copula


def fit(inp: FitInput) -> Fit:
    if _defines(inp):
        return (), 1.0
    return by_cue(inp)


def _defines(inp: FitInput) -> bool:
    """``“自报享惠”是……`` / ``MLCC（多层陶瓷电容器）是……``: the asked term, then 是/指;
    or the term as what something is called (``被喻为“工业大米”的微型元件``)."""
    norm = inp.text
    head = norm[: inp.tools.w.definition_head_chars].lstrip(_OPEN_QUOTES)
    head = head.removeprefix(_DEFINING_OPENER).lstrip(_OPEN_QUOTES)
    named = [norm[m.end() :].lstrip(_OPEN_QUOTES) for m in _NAMED_AS_RE.finditer(norm)]
    need = inp.need
    words = asked_words(inp.tools.k, need) + [a for e in need.names for a in e.aliases]
    for word in sorted(words, key=len, reverse=True):
        if head.startswith(word):
            # 所谓“旅游+”，就是…: a coined "X+" term, its quote and a comma before the copula
            rest = head[len(word) :].lstrip("+＋").lstrip(_CLOSE_QUOTES).lstrip("，,")
            if rest.startswith(_COPULAS):
                return True
        if any(after.startswith(word) for after in named):
            return True
    return False


def best_fit(inp: BoundInput) -> float:
    """1.0 when the sentence may define the term (a copula within the head, a "被喻为…"
    naming), else what its cue words give."""
    head = inp.normalised[: inp.tools.w.definition_head_chars]
    if any(c in head for c in _COPULAS) or _NAMED_AS_RE.search(inp.normalised):
        return 1.0
    return best_by_cue(inp)


KIND = AnswerKind(AnswerType.DEFINITION, fit, cued=True, defines=True, best_fit=best_fit)
