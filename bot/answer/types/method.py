"""怎么做 / 如何 / 采取了哪些措施: a method, told by its cue words (通过, 着力, 建立…)."""

from __future__ import annotations

import re

from bot.answer.types.base import AnswerKind, Fit, FitInput, by_cue
from bot.rules.model import AnswerType

CUE = re.compile(
    r"通过|着力|加强|建立|构建|实施|坚持|推进|推动|采取|举措|措施|办法|方式|设立|打造|完善|"
    r"优化|提供|帮助|开展|指导|解读|牵头|组建|邀请|鼓励|聚焦|围绕|落实|破解"
)


def fit(inp: FitInput) -> Fit:
    return by_cue(inp, CUE)


KIND = AnswerKind(AnswerType.METHOD, fit, cue=CUE)
