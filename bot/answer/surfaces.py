"""How the question's items may be written in a sentence: a plain word as itself, a
≈concept as each of its variants (MLCC / 多层陶瓷电容器 / 工业大米)."""

from __future__ import annotations

import re
from functools import lru_cache

from bot.knowledge.analysis import CONCEPT_PREFIX
from bot.knowledge.build import Knowledge
from bot.nlu.need import Need


def surfaces(knowledge: Knowledge, item: str) -> tuple[str, ...]:
    if not item.startswith(CONCEPT_PREFIX):
        written: tuple[str, ...] = (item,)
    else:
        entity = knowledge.entities.entities.get("concept:" + item[len(CONCEPT_PREFIX) :])
        written = entity.aliases if entity else ()
    lx = knowledge.lexicon
    if any(w in lx.head_asked for w in written):
        # who heads it (负责人, 老大) is said by any head's title; never the other way round
        return tuple(dict.fromkeys((*written, *lx.head_roles)))
    return written


def asked_words(knowledge: Knowledge, need: Need) -> list[str]:
    """Every way the question's content words may be written in an answer."""
    return [w for item in (*need.concepts, *need.terms) for w in surfaces(knowledge, item)]


@lru_cache(maxsize=1024)
def _spread(word: str, gap: int) -> re.Pattern[str]:
    return re.compile(f".{{0,{gap}}}".join(re.escape(ch) for ch in word))


def spread_in(text: str, word: str, gap: int) -> bool:
    """``word``'s characters in ``text`` in order, at most ``gap`` others between two."""
    return _spread(word, gap).search(text) is not None


def as_the_post(text: str, role: str) -> bool:
    """``role`` (主任) written as that post, not only inside a deputy's (常务副主任)."""
    at = text.find(role)
    while at >= 0:
        if not text.endswith("副", 0, at):
            return True
        at = text.find(role, at + 1)
    return False
