"""Places that tell an organisation apart: the one its name begins with, and the others a
sentence may be about instead.

Pages compare neighbouring counties (与某县相邻的某县，其县敬老院…) and write a campus or a zone
as the subject of a sentence in an article about an institution (新院区总投资…): such a
sentence is about that place's own thing, not about the organisation a question names.
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

    def a_neighbours(self, entity: Entity, key: int) -> bool:
        """The sentence, which does not name the asked organisation, names another place of
        the kind its name begins with (平西县 for 平溪县社会福利中心): it is about that place's
        own institution, as pages comparing two neighbouring counties write."""
        if entity.kind is not EntityKind.ORG:
            return False
        home = self._home_place(entity)
        if home is None:
            return False
        table = self.k.entities.entities
        suffix = home.name[-1]
        return any(
            k != home.key
            and (other := table.get(k)) is not None
            and other.kind is EntityKind.PLACE
            and other.name.endswith(suffix)
            and not entity.name.startswith(other.name)
            for k in self.index.mentions.get(key, ())
        )

    def opens_elsewhere(self, entity: Entity, key: int, need: Need) -> bool:
        """The sentence, which does not name the asked organisation, opens with the name of a
        place the question does not ask about (新院区总投资9.8亿元 for a question about the
        hospital the old campus becomes): its subject is that place."""
        if entity.kind is not EntityKind.ORG:
            return False
        text = self.index.texts[key]
        home = self._home_place(entity)
        for match in self.k.lexicons.aliases.find(text):
            if match.start > 0:
                break
            place = self.k.entities.by_alias(match.phrase)
            if (
                place is not None
                and place.kind is EntityKind.PLACE
                and (home is None or place.key != home.key)
                and not entity.name.startswith(match.phrase)
                and all(place.key != e.key for e in need.names)
            ):
                return True
        return False

    def _home_place(self, entity: Entity) -> Entity | None:
        """The place an organisation's name begins with (平溪县 of 平溪县社会福利中心)."""
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
