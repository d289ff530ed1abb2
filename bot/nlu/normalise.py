"""Stage 1 — normalise: one canonical form of the message before anything reads it.

Traditional → simplified, full width → half width, case; spoken forms written out
(啥时候 → 什么时候, 老大 → 负责人, end particles 啊/呀 dropped: :mod:`bot.rules.spoken`), so that
the intent rules and the index, which know only written Chinese, read a colloquial question
like a written one; spaces between Chinese characters dropped; and a hard length cap,
applied before normalising so that a 100 KB message costs no more than a long question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.rules.spoken import SpokenForms
from bot.text.normalize import normalize

# A space beside a Chinese character in a question ("2号线 二期 总投资 多少"): typed by
# habit or by a phone keyboard, it separates nothing (Chinese is written without spaces).
_HAN_SPACE_RE = re.compile(
    r"(?<=[\u4e00-\u9fff]) +(?=[\u4e00-\u9fff\d])|(?<=\d) +(?=[\u4e00-\u9fff])"
)


@dataclass(frozen=True, slots=True)
class Normalised:
    raw: str  # the message as received
    text: str  # normalised and cut to the limit
    truncated: bool  # the message was longer than the limit


def normalise(message: str, limit: int, spoken: SpokenForms | None = None) -> Normalised:
    """``limit`` is the ``max_question_chars`` threshold (the raw message is first cut at
    four times it: normalising never makes a text more than that much shorter)."""
    text = _HAN_SPACE_RE.sub("", normalize(message[: limit * 4]))
    if spoken is not None:
        text = spoken.rewrite(text)
    truncated = len(message) > limit * 4 or len(text) > limit
    return Normalised(message, text[:limit], truncated)
