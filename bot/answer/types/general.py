"""A question with no answer type (no 多少/谁/何时 cue): any sentence that covers it fits;
a follow-up of this kind asks what the previous turn asked."""

from __future__ import annotations

from bot.answer.types.base import AnswerKind, Fit, FitInput
from bot.rules.model import AnswerType


def fit(inp: FitInput) -> Fit:
    return (), 1.0


KIND = AnswerKind(AnswerType.ANY, fit, inherits=True)
