"""Normalise user text and corpus text to one comparable form.

Readers type traditional characters, full-width letters and odd spacing; the corpus is
simplified Chinese. Everything that is compared (tokens, entity names, synonyms) goes
through :func:`normalize` first, so ``資陽區`` and ``资阳区`` are the same string.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

import zhconv

_SPACE_RE = re.compile(r"\s+")
# Zero-width and bidi control characters carry no meaning for matching.
_INVISIBLE_RE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# NFKC would turn these ideographic marks into ASCII; keep the Chinese forms so the
# sentence splitter still sees them.
_KEEP_FULLWIDTH = str.maketrans({"．": "。"})


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def clean_control(text: str) -> str:
    """Drop control, zero-width and bidi characters and lone surrogates."""
    if _SURROGATE_RE.search(text):
        text = text.encode("utf-8", "replace").decode("utf-8")
    text = _INVISIBLE_RE.sub("", text)
    return _CONTROL_RE.sub(" ", text)


@cache
def _traditional() -> frozenset[str]:
    """Load zhconv's table (by full path: its default loader leaves the file open) and the
    characters conversion can change, so simplified text skips it (a set test is ~20×
    cheaper than a regex class of 5,000 characters).

    The tables map most simplified characters to themselves (业 → 业): only a character that
    changes on its own is traditional.  Text without one is left as written, including
    phrase-level vocabulary swaps in simplified characters (晶元 → 芯片, 公升 → 升), which
    are regional usage, not script."""
    zhconv.loaddict(str(Path(zhconv.__file__).with_name("zhcdict.json")))
    table = zhconv.zhconv.zhcdicts
    chars = set(table["TRADONLY"])
    for name in ("zh2Hans", "zh2CN"):
        chars.update(k for k, v in table[name].items() if len(k) == 1 and v != k)
    return frozenset(chars)


@lru_cache(maxsize=4096)
def to_simplified(text: str) -> str:
    if _traditional().isdisjoint(text):
        return text
    return str(zhconv.convert(text, "zh-cn"))


def normalize(text: str) -> str:
    """Comparable form: simplified, half-width, lower-case ASCII, single spaces."""
    text = clean_control(text).translate(_KEEP_FULLWIDTH)
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text) if _has_non_ascii(text) else text
    text = text.lower()
    return _SPACE_RE.sub(" ", text).strip()


def _has_non_ascii(text: str) -> bool:
    return not text.isascii()
