"""Character classes for Chinese newspaper text.

Kept in one place because the parser (is this paragraph finished?), the sentence splitter
and the normaliser must agree on what counts as punctuation.
"""

from __future__ import annotations

import re

# Sentence-final marks. A closing quote/bracket right after one of these belongs to the sentence.
SENTENCE_END = "。！？!?；;…"
CLOSERS = "”’」』）)》〉】"
OPENERS = "“‘「『（(《〈【"
# A paragraph ending in one of these is complete; ending in anything else it was cut off.
PARAGRAPH_END = SENTENCE_END + CLOSERS + "：:—"
# A paragraph starting with one of these cannot begin a new paragraph: it continues the last one.
CONTINUATION_START = CLOSERS + "，,、。；;：:！？!?"
CLAUSE_SEP = "，,；;：:、"

HAN = "\u4e00-\u9fff\u3400-\u4dbf"
HAN_RE = re.compile(f"[{HAN}]")
_PUNCT_RE = re.compile(
    r"[\s\u3000-\u303f\uff00-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
    r"\u2010-\u206f!-/:-@\[-`{-~]+"
)


def is_han(ch: str) -> bool:
    return bool(HAN_RE.match(ch))


def paragraph_is_finished(text: str) -> bool:
    """True when a paragraph ends the way a paragraph can end (not cut mid-sentence)."""
    stripped = text.rstrip()
    if (
        len(stripped) >= 2
        and stripped[-1] == "."
        and (is_han(stripped[-2]) or stripped[-2] in '"”')
    ):
        return True  # …满意度为90.5分. — a half-width full stop typed for 。
    return not stripped or stripped[-1] in PARAGRAPH_END


def starts_as_continuation(text: str) -> bool:
    stripped = text.lstrip()
    return bool(stripped) and stripped[0] in CONTINUATION_START


def strip_punct(text: str) -> str:
    """Remove punctuation and whitespace; used to compare texts by their words only."""
    return _PUNCT_RE.sub("", text)


def han_ratio(text: str) -> float:
    if not text:
        return 0.0
    return len(HAN_RE.findall(text)) / len(text)


STRAIGHT_QUOTE = '"'


def without_unpaired_straight_quote(text: str) -> str:
    """``text`` without its last straight quote when the count is odd: a page that quotes
    with half-width ``"`` (the same mark opens and closes) leaves one unpaired when a summary
    or a title is cut inside the quotation; the quoted words stay."""
    if text.count(STRAIGHT_QUOTE) % 2 == 0:
        return text
    at = text.rfind(STRAIGHT_QUOTE)
    return text[:at] + text[at + 1 :]
