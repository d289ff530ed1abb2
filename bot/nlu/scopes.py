"""Which administrative level a question's figure is of: 全市, 全省, 全国.

A page often gives the same figure for the city and for the province or the country side by
side (全省新增停车位超过12万个 beside the city's own).  A question that asks 全市… is not
answered by a sentence that names only another level as its subject; a sentence that names
the other level only to compare (高于全国平均, 居全省第一, 占全省的…) is still about the asked
one.  The levels are ``scope_levels`` of ``intents/lexicon.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from bot.content.lexicon import Lexicon


@lru_cache(maxsize=8)
def _pattern(words: tuple[str, ...], compare: str, describing: str) -> re.Pattern[str]:
    alternation = "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
    # a scope word right after a comparing character (高于全国, 居全省, 占全市) is no subject;
    # one before a describing character (全省首个, 全国人大) is no level at all
    return re.compile(
        f"(?P<before>[{re.escape(compare)}]?)(?P<word>{alternation})(?![{re.escape(describing)}])"
    )


def _levels(text: str, lexicon: Lexicon) -> tuple[set[str], set[str]]:
    """The levels ``text`` names as a subject, and those it names only to compare."""
    levels: Mapping[str, str] = lexicon.scope_levels
    subjects: set[str] = set()
    compared: set[str] = set()
    if not levels:
        return subjects, compared
    pattern = _pattern(
        tuple(levels),
        "".join(sorted(lexicon.scope_compare_chars)),
        "".join(sorted(lexicon.scope_word_not_before)),
    )
    for m in pattern.finditer(text):
        (compared if m["before"] else subjects).add(levels[m["word"]])
    return subjects, compared


def asked_scope(question: str, lexicon: Lexicon) -> str | None:
    """The one level a question names (none, or several: no scope is asked)."""
    subjects, compared = _levels(question, lexicon)
    named = subjects | compared
    return next(iter(named)) if len(named) == 1 else None


def another_scope(asked: str | None, text: str, lexicon: Lexicon) -> bool:
    """``text`` gives its figures for another level than the asked one: it names another
    level as a subject and never the asked one."""
    if asked is None:
        return False
    subjects, compared = _levels(text, lexicon)
    return bool(subjects - {asked}) and asked not in subjects | compared
