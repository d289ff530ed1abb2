"""Which one of a series a question asks about: 二期, 第十二届, 4号线, 2025届, 第三人民医院.

A page often reports several phases or editions of one thing side by side (一期 built, 二期
under way, 三期 planned).  A sentence that writes the asked series word with another number,
and never the asked number, is about another one: its figures do not answer, however many
of the question's other words it holds (三期工程…总投资多少 is not answered by
"…是二期工程的重要组成部分，总投资约186亿元").  The series words are in
``intents/lexicon.yaml`` (``ordinal_heads``, ``ordinal_heads_after_di``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.content.lexicon import Lexicon
from bot.content.numbers import parse_number

Ordinal = tuple[str, float]  # the series word and the number before it

_NUMERAL = r"[0-9]+|[一二两三四五六七八九十百零〇]+"


@lru_cache(maxsize=8)
def _pattern(
    bare: tuple[str, ...], after_di: tuple[str, ...], institutions: tuple[str, ...]
) -> re.Pattern[str]:
    heads = "|".join(map(re.escape, sorted(bare, key=len, reverse=True)))
    di_heads = "|".join(map(re.escape, sorted(after_di, key=len, reverse=True)))
    suffixes = "|".join(map(re.escape, sorted(institutions, key=len, reverse=True)))
    parts = []
    if suffixes:
        # 第三人民医院, 第一中学: numbered institutions of one kind
        parts.append(f"第(?P<n4>{_NUMERAL})(?P<h4>[\u4e00-\u9fff]{{0,4}}?(?:{suffixes}))")
    if heads:
        parts.append(f"(?P<n1>{_NUMERAL})(?P<h1>{heads})(?!间)")  # 十四五期间 is a period
    if di_heads:
        parts.append(f"(?:第(?P<n2>{_NUMERAL})|(?P<n3>[0-9]+))(?P<h2>{di_heads})")
    return re.compile("|".join(parts) or "(?!)")


def ordinals(text: str, lexicon: Lexicon) -> tuple[Ordinal, ...]:
    """Every series word written with its number in ``text``, in order."""
    found: list[Ordinal] = []
    pattern = _pattern(lexicon.ordinal_heads, lexicon.ordinal_heads_after_di, lexicon.org_suffixes)
    for match in pattern.finditer(text):
        number = match.group("n4") or match.group("n1") or match.group("n2") or match.group("n3")
        head = match.group("h4") or match.group("h1") or match.group("h2")
        value = parse_number(number)
        if value is not None:
            found.append((head, value))
    return tuple(found)


def another_of_the_series(asked: tuple[Ordinal, ...], text: str, lexicon: Lexicon) -> bool:
    """``text`` writes an asked series word only with other numbers than the asked one."""
    if not asked:
        return False
    written = ordinals(text, lexicon)
    for head, number in asked:
        numbers = {n for h, n in written if h == head}
        if numbers and number not in numbers:
            return True
    return False
