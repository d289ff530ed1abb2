"""How the question's items may be written in a sentence: a plain word as itself, a
≈concept as each of its variants (MLCC / 多层陶瓷电容器 / 工业大米)."""

from __future__ import annotations

from bot.knowledge.analysis import CONCEPT_PREFIX
from bot.knowledge.build import Knowledge
from bot.nlu.need import Need


def surfaces(knowledge: Knowledge, item: str) -> tuple[str, ...]:
    if not item.startswith(CONCEPT_PREFIX):
        return (item,)
    entity = knowledge.entities.entities.get("concept:" + item[len(CONCEPT_PREFIX) :])
    return entity.aliases if entity else ()


def asked_words(knowledge: Knowledge, need: Need) -> list[str]:
    """Every way the question's content words may be written in an answer."""
    return [w for item in (*need.concepts, *need.terms) for w in surfaces(knowledge, item)]
