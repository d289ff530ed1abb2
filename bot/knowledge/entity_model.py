"""The entity inventory's types: kinds, entities, the table, and what reloads reuse."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class EntityKind(StrEnum):
    ORG = "org"
    PERSON = "person"
    PLACE = "place"
    CONCEPT = "concept"  # a synonym group that names no organisation, person or place


@dataclass(frozen=True, slots=True)
class Entity:
    key: str
    name: str
    kind: EntityKind
    aliases: tuple[str, ...]
    roles: tuple[tuple[str, str], ...] = ()  # person: (role, organisation key or name)
    members: tuple[str, ...] = ()  # organisation: keys of its people

    @property
    def is_named(self) -> bool:
        """Organisations, people and places must appear near an answer; concepts need not."""
        return self.kind is not EntityKind.CONCEPT


@dataclass(frozen=True, slots=True)
class EntityTable:
    entities: Mapping[str, Entity]
    alias_to_key: Mapping[str, str]
    prefixes: frozenset[str] = frozenset()  # 瑞驰 of 瑞驰电驱: readers shorten names
    ordered_aliases: tuple[str, ...] = ()  # every alias, sorted: prefix search by bisection

    def starts_an_alias(self, span: str) -> bool:
        """Whether some alias begins with ``span`` (华南理工 of 华南理工大学): a binary search
        of the sorted aliases, not a scan of every entity."""
        at = bisect_left(self.ordered_aliases, span)
        return at < len(self.ordered_aliases) and self.ordered_aliases[at].startswith(span)

    def by_alias(self, alias: str) -> Entity | None:
        key = self.alias_to_key.get(alias)
        return self.entities.get(key) if key else None

    def group(self, key: str) -> frozenset[str]:
        """An organisation with its people: a sentence about its chairman is about it too."""
        entity = self.entities.get(key)
        if entity is None:
            return frozenset()
        return frozenset({key, *entity.members})


@dataclass
class Candidate:
    """A name found in the articles, before aliases merge names into entities."""

    surface: str
    kind: EntityKind
    roles: list[tuple[str, str]]
    count: int = 0
    articles: set[Hashable] = field(default_factory=set)  # keys of the articles naming it


# What an article contributes to the entity inventory, in reading order: a fact
# ("f", surface, kind, role, organisation), a byline name ("b", surface, …) or another name
# the page gives an entity ("a", surface, kind, the other name, ""): 某某有限公司（简称“某某”）.
Event = tuple[str, str, EntityKind, str | None, str]


# A name's aliases and what they were worked out from: kind, articles, leading place.
Names = tuple[EntityKind, frozenset[Hashable], str | None, frozenset[str]]


@dataclass
class EntityMemo:
    """What :func:`build_entities` reuses across reloads: each article's names (by a key of
    its content), each name's aliases (by everything they depend on), and the last table,
    returned as is when its inputs have not changed — so editing one article of thousands
    does not rebuild the inventory of every name."""

    events: dict[Hashable, tuple[Event, ...]] = field(default_factory=dict)
    names: dict[str, Names] = field(default_factory=dict)
    places: frozenset[str] | None = None
    signature: Hashable | None = None
    table: EntityTable | None = None

    def retain(self, article_keys: Iterable[Hashable]) -> None:
        wanted = set(article_keys)
        self.events = {k: v for k, v in self.events.items() if k in wanted}
