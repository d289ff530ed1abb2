"""为什么 / 原因是什么: a reason, told by its cue words (因为, 源于, 得益于…)."""

from __future__ import annotations

from bot.answer.types.base import AnswerKind, Fit, FitInput, best_by_cue, by_cue
from bot.rules.model import AnswerType


def fit(inp: FitInput) -> Fit:
    return by_cue(inp)


KIND = AnswerKind(AnswerType.REASON, fit, cued=True, best_fit=best_by_cue)
