"""Merging names into entities: aliases and synonym groups joined, people tied to their
organisation, and the leading parts of names that a question may shorten them to."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping

from bot.content.lexicon import lexicon
from bot.knowledge.entity_model import Candidate, Entity, EntityKind, EntityTable
from bot.text import tokenizer

# An organisation's name at least this long, written at the start of another's, makes that
# one its unit (shorter leading parts are names' prefixes, not whole names).
MIN_WHOLE_NAME_CHARS = 4

_KIND_RANK = {EntityKind.ORG: 0, EntityKind.PERSON: 1, EntityKind.PLACE: 2, EntityKind.CONCEPT: 3}


class UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        self.parent.setdefault(item, item)
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def assemble(
    candidates: Mapping[str, Candidate],
    aliases: Mapping[str, set[str]],
    kinds: Mapping[str, str],
    union: UnionFind,
) -> EntityTable:
    groups: dict[str, list[str]] = {}
    for node in list(union.parent):
        groups.setdefault(union.find(node), []).append(node)
    entities: dict[str, Entity] = {}
    alias_to_key: dict[str, str] = {}
    surface_key: dict[str, str] = {}
    for nodes in groups.values():
        surfaces = sorted(n for n in nodes if not n.startswith(("=", "~")))
        concepts = sorted(n[1:] for n in nodes if n.startswith("~"))
        names = sorted({n[1:] for n in nodes if n.startswith("=")})
        if surfaces:
            best = min(
                surfaces,
                key=lambda s: (_KIND_RANK[candidates[s].kind], -candidates[s].count, -len(s), s),
            )
            kind = candidates[best].kind
            display = max(surfaces, key=lambda s: (candidates[s].kind == kind, len(s), s))
            roles = tuple(dict.fromkeys(r for s in surfaces for r in candidates[s].roles))
        else:
            declared = next((kinds[c] for c in concepts if c in kinds), "concept")
            kind, display, roles = EntityKind(declared), concepts[0], ()
        key = f"{kind.value}:{concepts[0] if concepts else display}"
        entities[key] = Entity(key, display, kind, tuple(names), roles)
        for name in names:
            alias_to_key[name] = key
        for surface in surfaces:
            surface_key[surface] = key
    return EntityTable(
        _link_people(entities, alias_to_key),
        alias_to_key,
        _name_prefixes(entities.values()),
        tuple(sorted(alias_to_key)),
    )


def _name_prefixes(entities: Iterable[Entity]) -> frozenset[str]:
    """Leading parts (2+ characters) of organisation and person names that are not ordinary
    words and not names themselves, and an organisation's name without the place it starts
    with (绿谷合作社 of 青川绿谷合作社): the ways readers shorten a name."""
    entities = list(entities)
    regions = lexicon().regions
    places = {a for e in entities if e.kind is EntityKind.PLACE for a in e.aliases}
    places.update(regions)
    found = set()
    for entity in entities:
        if entity.kind not in (EntityKind.ORG, EntityKind.PERSON):
            continue
        for alias in entity.aliases:
            for n in range(2, len(alias)):
                prefix = alias[:n]
                if not tokenizer.is_word(prefix) and prefix not in regions:
                    found.add(prefix)
            if entity.kind is not EntityKind.ORG:
                continue
            for rest in _without_place(alias, places):
                found.add(rest)
                found.update(
                    rest[:n]
                    for n in range(2, len(rest))
                    if not tokenizer.is_word(rest[:n]) and rest[:n] not in regions
                )
    return frozenset(found)


def _without_place(name: str, places: set[str]) -> set[str]:
    """``name`` without the longest place it starts with, when three characters or more
    remain."""
    for n in range(len(name) - 3, 1, -1):
        if name[:n] in places:
            return {name[n:]}
    return set()


def _link_people(
    entities: dict[str, Entity],
    alias_to_key: Mapping[str, str],
) -> dict[str, Entity]:
    """Point each person's role at the organisation entity and list people under it, and
    under an organisation its units too (see :func:`_units`)."""
    members: dict[str, list[str]] = {}
    linked: dict[str, Entity] = {}
    for key, entity in entities.items():
        if entity.kind is not EntityKind.PERSON or not entity.roles:
            linked[key] = entity
            continue
        roles = []
        for role, org in entity.roles:
            found_key = org_key(org, alias_to_key) if org else None
            roles.append((role, found_key or org))
            if found_key:
                members.setdefault(found_key, []).append(key)
        linked[key] = Entity(entity.key, entity.name, entity.kind, entity.aliases, tuple(roles))
    for owner, units in _units(entities).items():
        members.setdefault(owner, []).extend(units)
    for owner, people in members.items():
        found = linked[owner]
        linked[owner] = Entity(
            found.key,
            found.name,
            found.kind,
            found.aliases,
            found.roles,
            tuple(sorted(set(people))),
        )
    return linked


def _units(entities: Mapping[str, Entity]) -> dict[str, list[str]]:
    """Organisations named as a part of another — its whole name and then theirs (某某保险
    股份有限公司某州中心支公司 of 某某保险股份有限公司, 某市公安局反诈中心 of 某市公安局): a
    sentence about the branch is about the company.  Found by bisection of the sorted names."""
    named = sorted(
        (alias, key)
        for key, entity in entities.items()
        if entity.kind is EntityKind.ORG
        for alias in entity.aliases
        if len(alias) >= MIN_WHOLE_NAME_CHARS
    )
    aliases = [alias for alias, _ in named]
    units: dict[str, list[str]] = {}
    for alias, key in named:
        at = bisect_right(aliases, alias)
        while at < len(named) and aliases[at].startswith(alias):
            other = named[at][1]
            if other != key and other not in units.get(key, ()):
                units.setdefault(key, []).append(other)
            at += 1
    return units


def org_key(org: str, alias_to_key: Mapping[str, str]) -> str | None:
    if org in alias_to_key:
        return alias_to_key[org]
    # "和天电子有限公司党委": the longest known alias inside it (looked up, not scanned)
    best = None
    for start in range(len(org)):
        for end in range(len(org), start + 2, -1):
            if org[start:end] in alias_to_key and (best is None or end - start > len(best)):
                best = org[start:end]
                break
    return alias_to_key[best] if best else None
