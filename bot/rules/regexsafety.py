"""Refuse intent patterns that can take exponential time (``(a+)+``, ``(.*)*``).

Patterns run on every user message; a catastrophic one would let a single message stall
the bot.  Python's ``re`` has no timeout, so dangerous shapes are rejected when rules load:
a repeated group whose body can itself repeat without bound, or repeated alternatives that
can match the same text.
"""

from __future__ import annotations

import re
from re import _parser as sre_parse  # type: ignore[attr-defined]  # 3.11+: parser moved here
from typing import Any

_REPEATS = {sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT}
MAX_PATTERN_CHARS = 500


class UnsafePattern(ValueError):
    pass


def check_pattern(pattern: str) -> re.Pattern[str]:
    """Compile ``pattern`` or raise UnsafePattern / re.error explaining why not."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise UnsafePattern(f"pattern is longer than {MAX_PATTERN_CHARS} characters")
    compiled = re.compile(pattern)
    parsed = sre_parse.parse(pattern)
    if _has_nested_repeat(list(parsed), inside_repeat=False):
        raise UnsafePattern("nested repetition such as (a+)+ can take exponential time")
    return compiled


def _has_nested_repeat(items: list[tuple[Any, Any]], inside_repeat: bool) -> bool:
    for op, arg in items:
        if op in _REPEATS:
            _low, high, body = arg
            unbounded = high == sre_parse.MAXREPEAT or high > 50
            if inside_repeat and unbounded:
                return True
            if _has_nested_repeat(list(body), inside_repeat or unbounded):
                return True
        elif op is sre_parse.SUBPATTERN:
            if _has_nested_repeat(list(arg[-1]), inside_repeat):
                return True
        elif op is sre_parse.BRANCH:
            for branch in arg[1]:
                if _has_nested_repeat(list(branch), inside_repeat):
                    return True
        elif op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT) and _has_nested_repeat(
            list(arg[1]), inside_repeat
        ):
            return True
    return False
