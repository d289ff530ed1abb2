"""Button labels that never repeat: shorten titles, then tell apart the ones that collide.

Why: a digest used to show two buttons reading the same 介绍一下《…》, and a reader cannot tell
which one opens which article.  Titles from one page often share a long prefix (a column name,
a place), so shortening alone can make two labels equal; those get a number to tell them apart.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.telegram.format import plain, utf16_len

logger = logging.getLogger(__name__)


def distinct_labels(texts: Sequence[str], limit: int) -> list[str]:
    """``texts`` shortened to ``limit`` UTF-16 units each, no two equal (order kept).

    A label equal to an earlier one ends in ``（2）``, ``（3）`` … (the first stays as it is),
    shortened further so the mark still fits.
    """
    used: set[str] = set()
    out: list[str] = []
    for text in texts:
        label = candidate = plain(text, limit)
        number = 1
        while candidate in used:
            number += 1
            mark = f"（{number}）"
            candidate = plain(label, max(2, limit - utf16_len(mark))) + mark
        used.add(candidate)
        out.append(candidate)
    return out
