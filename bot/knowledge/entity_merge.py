"""The names of added pages merged into a stored snapshot's entity table.

The added pages' names are worked out from those pages alone (:func:`build_entities` over
them), then laid over the stored table: a name the archive already knows is the same entity
(its aliases, roles and people grow), a new name is a new entity, and a person whose
organisation only the archive names is tied to it.  What the stored table holds is never
taken back — an alias stays its entity's — so an answer about an old page does not change
because a page was added; a full build works every name out again over the whole archive.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from bot.knowledge.entity_model import Entity, EntityKind, EntityTable
from bot.knowledge.entity_table import org_key
from bot.knowledge.layered import Layered

logger = logging.getLogger(__name__)


class NamesConflict(ValueError):
    """The added pages join names the stored table keeps apart (one new entity whose aliases
    are two stored entities', or a stored name of another kind): only a full build can
    decide what they are."""


def merge_entities(base: EntityTable, added: EntityTable) -> tuple[EntityTable, dict[str, Entity]]:
    """The table of ``base`` and ``added`` together, and its layer over ``base`` (the new and
    the changed entities, by key)."""
    target = _targets(base, added)
    alias_to_key = dict(base.alias_to_key)
    layer: dict[str, Entity] = {}
    for key, entity in added.entities.items():
        into = target[key]
        roles = tuple((role, target.get(org, org)) for role, org in entity.roles)
        members = tuple(target.get(m, m) for m in entity.members)
        old = layer.get(into) or base.entities.get(into)
        if old is None:
            merged = Entity(into, entity.name, entity.kind, entity.aliases, roles, members)
        elif old.kind is not entity.kind and entity.kind is EntityKind.CONCEPT:
            continue  # a synonym group the stored entity was made with: nothing new
        elif old.kind is not entity.kind:
            raise NamesConflict(f"{entity.name}: a {entity.kind} here, a {old.kind} before")
        else:
            merged = Entity(
                into,
                old.name,
                old.kind,
                tuple(sorted({*old.aliases, *entity.aliases})),
                tuple(dict.fromkeys((*old.roles, *roles))),
                tuple(sorted({*old.members, *members})),
            )
            if merged == old:
                continue
        layer[into] = merged
        for alias in merged.aliases:
            alias_to_key.setdefault(alias, into)
    _tie_people(layer, base.entities, alias_to_key)
    table = EntityTable(
        entities=Layered(layer, base.entities),
        alias_to_key=alias_to_key,
        prefixes=base.prefixes | added.prefixes,
        ordered_aliases=tuple(sorted(alias_to_key)),
    )
    return table, layer


def _targets(base: EntityTable, added: EntityTable) -> dict[str, str]:
    """Each added entity's key in the merged table: the stored entity it shares a key or an
    alias with, else its own."""
    target: dict[str, str] = {}
    for key, entity in added.entities.items():
        stored = {base.alias_to_key[a] for a in entity.aliases if a in base.alias_to_key}
        if key in base.entities:
            stored.add(key)
        if len(stored) > 1:
            raise NamesConflict(f"{entity.name} names {len(stored)} stored entities")
        target[key] = stored.pop() if stored else key
    return target


def _tie_people(
    layer: dict[str, Entity], stored: Mapping[str, Entity], alias_to_key: Mapping[str, str]
) -> None:
    """A new person whose organisation the added pages name only by a name the archive knows
    (某某公司董事长 on a page that gives no 某某公司 fact): the role points at that entity and
    the entity lists the person, as a full build would tie them."""
    for key, person in list(layer.items()):
        if person.kind is not EntityKind.PERSON or not person.roles:
            continue
        roles = []
        for role, org in person.roles:
            found = None if org in layer or org in stored else org_key(org, alias_to_key)
            roles.append((role, found or org))
            if found is None:
                continue
            owner = layer.get(found) or stored.get(found)
            if owner is not None and key not in owner.members:
                layer[found] = Entity(
                    owner.key,
                    owner.name,
                    owner.kind,
                    owner.aliases,
                    owner.roles,
                    tuple(sorted({*owner.members, key})),
                )
        layer[key] = Entity(
            person.key, person.name, person.kind, person.aliases, tuple(roles), person.members
        )
