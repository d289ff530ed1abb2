"""怎么做 / 如何 / 采取了哪些措施: a method, told by its cue words (通过, 着力, 建立…)."""

from __future__ import annotations

from bot.answer.types.base import AnswerKind, Fit, FitInput, best_by_cue, by_cue
from bot.rules.model import AnswerType


def fit(inp: FitInput) -> Fit:
    return by_cue(inp)


KIND = AnswerKind(AnswerType.METHOD, fit, cued=True, best_fit=best_by_cue)
