"""为什么 / 原因是什么: a reason, told by its cue words (因为, 源于, 得益于…)."""

from __future__ import annotations

import re

from bot.answer.types.base import AnswerKind, Fit, FitInput, by_cue
from bot.rules.model import AnswerType

CUE = re.compile(
    r"因为|由于|源于|得益于|为了|旨在|原因|所以|因此|之所以|来自|依托|凭借|出于|意味着|在于|"
    r"决心|信心|相通|为.{1,12}(?:提供|注入)"
)


def fit(inp: FitInput) -> Fit:
    return by_cue(inp, CUE)


KIND = AnswerKind(AnswerType.REASON, fit, cue=CUE)
