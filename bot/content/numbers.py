"""Parse the numbers newspapers write: ``4.56``, ``一千``, ``两``, ``几十``, ``数万``, ``半``."""

from __future__ import annotations

import re

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_VAGUE = {"半": 0.5, "个把": 1.0, "一两": 1.0, "两三": 2.0, "三五": 3.0}
MAGNITUDES = {"万亿": 1e12, "亿": 1e8, "万": 1e4, "千": 1e3, "百": 1e2}

# One number as written: Arabic (with decimals and thousands commas), Chinese numerals,
# or a vague quantity (几十 / 数百 / 半).
NUMBER = (
    r"(?:\d+(?:,\d{3})*(?:\.\d+)?"
    r"|[零〇一二两三四五六七八九十百千]+(?:点[零〇一二三四五六七八九]+)?"
    r"|[一二两三四五六七八九]?十几"
    r"|几(?:十|百|千)?|数(?:十|百|千)|数(?=万|亿)|半|个把|一两|两三|三五)"
)
NUMBER_RE = re.compile(NUMBER)


def parse_number(text: str) -> float | None:
    """Value of one NUMBER match; vague quantities give their order of magnitude."""
    if not text:
        return None
    plain = text.replace(",", "")
    if re.fullmatch(r"\d+(?:\.\d+)?", plain):
        return float(plain)
    if text in _VAGUE:
        return _VAGUE[text]
    if text.endswith("十几"):  # 十几台, 二十几年: at least the tens
        return _chinese_integer(text[:-1])
    if text[0] in "几数":
        return float(_UNITS.get(text[1:], 1)) if len(text) > 1 else None
    if "点" in text:
        whole, _, frac = text.partition("点")
        base = _chinese_integer(whole)
        digits = "".join(str(_DIGITS[c]) for c in frac if c in _DIGITS)
        return None if base is None else float(f"{int(base)}.{digits or 0}")
    return _chinese_integer(text)


def _chinese_integer(text: str) -> float | None:
    if len(text) == 2 and all(c in _DIGITS for c in text):
        low, high = _DIGITS[text[0]], _DIGITS[text[1]]
        if high == low + 1 and low > 0:
            return float(low)  # 七八年: seven or eight, not 78
    if text and all(c in _DIGITS for c in text) and len(text) > 1:
        return float("".join(str(_DIGITS[c]) for c in text))  # 二〇二五
    total = 0
    current = 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch in _UNITS:
            total += (current or 1) * _UNITS[ch]
            current = 0
        else:
            return None
    return float(total + current)


def scale(value: float | None, magnitude: str | None) -> float | None:
    if value is None:
        return MAGNITUDES.get(magnitude or "")
    return round(value * MAGNITUDES.get(magnitude or "", 1.0), 6)  # 2.3亿 is 230000000.0


def is_not_a_count(number: str) -> bool:
    """``一`` before a measure word is usually the article "a", and a bare ``千``/``万`` is
    part of an idiom (千层, 千头万绪), not a quantity."""
    return number in {"一", "十", "百", "千", "万"}
