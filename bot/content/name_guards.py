"""What stops a span from being a name though it looks like one: a place an age is followed
by (今年34岁的某县某镇村民某某: where the person is from), a kind of building counted in a list
(动力中心1栋).  Kept apart from :mod:`bot.content.fact_names` so each stays small."""

from __future__ import annotations

import re

from bot.content.fact_patterns import Patterns
from bot.content.lexicon import Lexicon, lexicon
from bot.text import tokenizer


def a_home_place(s: str, start: int, name: str, lx: Lexicon) -> bool:
    """``name`` ends like a place and a title follows it in its clause (某县某镇村民某某),
    so it says where the person is from (陈建州每天…: a person)."""
    if not name.endswith(tuple(lx.place_suffixes)):
        return False
    rest = re.split(r"[，。；,;]", s[start + len(name) : start + len(name) + 12])[0]
    return any(role in rest for role in lx.roles_before_name + lx.home_roles)


def counted_after(s: str, end: int, p: Patterns) -> bool:
    """A count right after the candidate that ends a listed item (建成机房楼2栋、动力中心1栋。):
    things of a kind counted.  Not people (城关中学12名学生获奖: the school's pupils)."""
    m = p.count.match(s, end)
    if m is None or m.start() != end or p.duration.match(s, end) is not None:
        return False
    unit = m["unit"]
    return unit not in lexicon().people_measures and (
        m.end() == len(s) or s[m.end()] in "、，。；,;"
    )


def plain_role_misread(role: str, name: str, lx: Lexicon) -> bool:
    """After a title that is a plain noun (村民, 选手), a span starting with a dictionary word
    or a function word is what the sentence goes on to say, not a name (村民高兴地说,
    选手成绩均创新高, 村民向记者介绍)."""
    if role not in lx.roles_plain:
        return False
    return tokenizer.is_word(name[:2]) or name[:1] in tokenizer.boundary_words()
