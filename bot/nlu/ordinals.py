"""Which one of a series a question asks about: 二期, 第十二届, 4号线, 2025届, 第三人民医院.

A page often reports several phases or editions of one thing side by side (一期 built, 二期
under way, 三期 planned).  A sentence that writes the asked series word with another number,
and never the asked number, is about another one: its figures do not answer, however many
of the question's other words it holds (三期工程…总投资多少 is not answered by
"…是二期工程的一部分，总投资约80亿元").  The series words are in
``intents/lexicon.yaml`` (``ordinal_heads``, ``ordinal_heads_after_di``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.content.lexicon import Lexicon
from bot.content.numbers import parse_number
from bot.nlu import resources

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
        # 第三人民医院, 第一中学: numbered institutions of one kind (a short name between)
        parts.append(f"第(?P<n4>{_NUMERAL})(?P<h4>[\u4e00-\u9fff]{{0,3}}?(?:{suffixes}))")
    if heads:
        parts.append(f"(?P<n1>{_NUMERAL})(?P<h1>{heads})(?!间)")  # 十四五期间 is a period
    if di_heads:
        parts.append(f"(?:第(?P<n2>{_NUMERAL})|(?P<n3>[0-9]+))(?P<h2>{di_heads})")
    return re.compile("|".join(parts) or "(?!)")


# 一至三期, 一、二期, 二和三期: more numbers of the same series written before the last
_MORE_RE = re.compile(f"({_NUMERAL})(至|到|—|-|~|、|和|及|与)$")
_RANGES = ("至", "到", "—", "-", "~")


def ordinals(text: str, lexicon: Lexicon) -> tuple[Ordinal, ...]:
    """Every series word written with each of its numbers in ``text``, in order."""
    found: list[Ordinal] = []
    pattern = _pattern(lexicon.ordinal_heads, lexicon.ordinal_heads_after_di, lexicon.org_suffixes)
    for match in pattern.finditer(text):
        key = next(k for k in ("4", "1", "2", "3") if match.group("n" + k))
        number = match.group("n" + key)
        head = match.group("h" + ("2" if key == "3" else key))
        start = match.start("n" + key)
        if key == "1" and (
            _inside_a_word(text, start, number)
            or text[:start].endswith(lexicon.ordinal_determiners)
        ):
            continue  # 统一期限 (一 belongs to the word before), 这一期, 上一期
        found += [(head, n) for n in _numbers(text[:start], number)]
    return tuple(found)


def _inside_a_word(text: str, start: int, number: str) -> bool:
    """The numeral makes a word with the character before it (统一, 这一, 同一)."""
    return bool(start) and not number.isdigit() and resources.is_word(text[start - 1] + number[0])


def _numbers(before: str, number: str) -> list[float]:
    """The number, and those written before it for the same series (一至三期 → 1, 2, 3; 一二期
    → 1, 2)."""
    if len(number) == 2 and not number.isdigit() and "十" not in number:
        values = [parse_number(c) for c in number]  # 一二期, 二三期: two phases
    else:
        values = [parse_number(number)]
    more = _MORE_RE.search(before)
    if more is not None:
        low = parse_number(more.group(1))
        values.append(low)
        if more.group(2) in _RANGES and low is not None and values[0] is not None:
            values += [float(n) for n in range(int(low) + 1, int(values[0]))]
    return [v for v in values if v is not None]


def another_of_the_series(asked: tuple[Ordinal, ...], text: str, lexicon: Lexicon) -> bool:
    """``text`` writes an asked series word only with numbers none of which was asked
    (二期和三期 asked: a sentence about 二期 alone still answers)."""
    if not asked:
        return False
    written = ordinals(text, lexicon)
    for head in {h for h, _ in asked}:
        numbers = {n for h, n in written if h == head}
        wanted = {n for h, n in asked if h == head}
        if numbers and not numbers & wanted:
            return True
    return False
