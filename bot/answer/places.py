"""Places that tell an organisation apart: the one its name begins with, and the others a
sentence may be about instead.

A page writes a campus or a zone as the subject of a sentence in an article about an
institution (新院区总投资…): such a sentence is about that place's own thing, not about the
organisation a question names.
"""

from __future__ import annotations

from bot.knowledge.build import Knowledge
from bot.knowledge.entities import Entity, EntityKind
from bot.nlu.need import Need


class PlaceRules:
    """Per snapshot: caches the place each organisation's name begins with."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.k = knowledge
        self.index = knowledge.index
        self._homes: dict[str, Entity | None] = {}  # org entity → the place it is named after
        self._suffixes = sorted(knowledge.rules.lexicon.org_suffixes, key=len, reverse=True)

    def opens_elsewhere(self, entity: Entity, key: int, need: Need) -> bool:
        """The sentence, which neither names the asked organisation nor calls it by its head
        noun (中心, 医院), opens with the name of a place the question does not ask about
        (新院区总投资… for a question about the hospital the old campus becomes): its
        subject is that place."""
        if entity.kind is not EntityKind.ORG:
            return False
        text = self.index.texts[key]
        head = next((x for x in self._suffixes if entity.name.endswith(x)), "")
        if head and head in text:
            return False  # 长沙市企业也来送检，中心全年出具…: the centre is still the subject
        home = self._home_place(entity)
        asked = {e.key for e in need.names}
        table = self.k.entities.entities
        for k in self.index.mentions.get(key, ()):  # the sentence's own names: no text search
            place = table.get(k)
            if (
                place is None
                or place.kind is not EntityKind.PLACE
                or k in asked
                or (home is not None and k == home.key)
            ):
                continue
            if any(text.startswith(a) and not entity.name.startswith(a) for a in place.aliases):
                return True
        return False

    def _home_place(self, entity: Entity) -> Entity | None:
        """The place an organisation's name begins with (云川县 of 云川县福利中心)."""
        if entity.key in self._homes:
            return self._homes[entity.key]
        found = None
        table = self.k.entities
        for end in range(len(entity.name) - 1, 1, -1):
            place = table.by_alias(entity.name[:end])
            if place is not None and place.kind is EntityKind.PLACE:
                found = place
                break
        self._homes[entity.key] = found
        return found
