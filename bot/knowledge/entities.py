"""Named entities of the corpus (organisations, people, places) and synonym concepts.

Entities come from the typed facts (``和天电子有限公司``, ``董事长陈宏志``, ``资阳区``), get short
aliases that readers actually type (``和天电子``, ``益阳``) when the corpus itself uses them,
and are merged with the synonym groups of ``intents/`` (``信维电科 ↔ 信维``).  People are tied
to their organisation so "他们" after a question about a chairman can mean his company.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from bot.content.lexicon import lexicon
from bot.content.model import Article, FactKind
from bot.text import tokenizer
from bot.text.normalize import normalize


class EntityKind(StrEnum):
    ORG = "org"
    PERSON = "person"
    PLACE = "place"
    CONCEPT = "concept"  # a synonym group that names no organisation, person or place


_KIND_RANK = {EntityKind.ORG: 0, EntityKind.PERSON: 1, EntityKind.PLACE: 2, EntityKind.CONCEPT: 3}
_LEGAL_SUFFIX_RE = re.compile(r"(?:集团)?(?:股份有限公司|有限责任公司|有限公司|股份公司)$")
_ADMIN_PREFIX_RE = re.compile(r"^(?:[\u4e00-\u9fff]{2,3}(?:省|市))")
_AREA_SUFFIXES = ("经开区", "高新区", "开发区", "新区", "工业园", "产业园", "自贸区")
_BARE_FORM_RE = re.compile(r"(?<=..)(?:公司|集团)$")  # 菇源公司: a short name and a bare form
_TRADE_SUFFIX_RE = re.compile(r"(?:科技|技术|实业|控股|发展|股份)$")
# Names ending like an institution (研究院, 大学, 海关) are not cut to a prefix.
_ORG_SUFFIX_END_RE = re.compile(r"(?:院|所|校|学|局|厅|部|委|会|行|关|署|中心|基金|集团|政府)$")


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

    def by_alias(self, alias: str) -> Entity | None:
        key = self.alias_to_key.get(alias)
        return self.entities.get(key) if key else None

    def group(self, key: str) -> frozenset[str]:
        """An organisation with its people: a sentence about its chairman is about it too."""
        entity = self.entities.get(key)
        if entity is None:
            return frozenset()
        return frozenset({key, *entity.members})


class _UnionFind:
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


@dataclass
class _Candidate:
    surface: str
    kind: EntityKind
    roles: list[tuple[str, str]]
    count: int = 0
    articles: set[Hashable] = field(default_factory=set)  # keys of the articles naming it


class _Usage:
    """How often a form is written in the articles that name an entity.

    Counting over the whole corpus would cost O(corpus) per form; a short name is used in
    the articles about its entity, so only those are searched.
    """

    def __init__(self, texts: Mapping[Hashable, str]) -> None:
        self.texts = texts

    def count(self, form: str, articles: set[Hashable]) -> int:
        return sum(self.texts[i].count(form) for i in articles)

    def alone(self, alias: str, longer: str, articles: set[Hashable]) -> bool:
        """``alias`` occurs where ``longer`` does not continue it (和天电子 without 有限公司)."""
        return self.count(alias, articles) > self.count(longer, articles)


# What an article contributes to the entity inventory, in reading order: a fact
# ("f", surface, kind, role, organisation) or a byline name ("b", surface, …).
_Event = tuple[str, str, EntityKind, str | None, str]
_FACT_KINDS = {
    FactKind.ORG: EntityKind.ORG,
    FactKind.PLACE: EntityKind.PLACE,
    FactKind.PERSON: EntityKind.PERSON,
}


# A name's aliases and what they were worked out from: kind, articles, leading place.
_Names = tuple[EntityKind, frozenset[Hashable], str | None, frozenset[str]]


@dataclass
class EntityMemo:
    """What :func:`build_entities` reuses across reloads: each article's names (by a key of
    its content), each name's aliases (by everything they depend on), and the last table,
    returned as is when its inputs have not changed — so editing one article of thousands
    does not rebuild the inventory of every name."""

    events: dict[Hashable, tuple[_Event, ...]] = field(default_factory=dict)
    names: dict[str, _Names] = field(default_factory=dict)
    places: frozenset[str] | None = None
    signature: Hashable | None = None
    table: EntityTable | None = None

    def retain(self, article_keys: Iterable[Hashable]) -> None:
        wanted = set(article_keys)
        self.events = {k: v for k, v in self.events.items() if k in wanted}


def build_entities(
    articles: Sequence[Article],
    synonyms: Mapping[str, tuple[str, ...]],
    texts: Sequence[str],
    kinds: Mapping[str, str] | None = None,
    memo: EntityMemo | None = None,
    article_keys: Sequence[Hashable] | None = None,
) -> EntityTable:
    """Collect, alias and merge the entities of ``articles`` (deterministic for equal input).

    ``texts`` are the articles' normalised texts, in the same order; ``article_keys``
    identify each article's content for ``memo``.
    """
    if memo is None or article_keys is None:
        memo, article_keys = EntityMemo(), list(range(len(articles)))
    candidates: dict[str, _Candidate] = {}
    for article, key in zip(articles, article_keys, strict=True):
        events = memo.events.get(key)
        if events is None:
            events = memo.events[key] = _events(article)
        for tag, surface, kind, role, org in events:
            if tag == "f":
                candidate = candidates.setdefault(surface, _Candidate(surface, kind, []))
                candidate.count += 1
                candidate.articles.add(key)
                if role is not None and (role, org) not in candidate.roles:
                    candidate.roles.append((role, org))
            else:
                candidate = candidates.setdefault(
                    surface, _Candidate(surface, EntityKind.PERSON, [])
                )
                candidate.articles.add(key)
                if ("作者", "") not in candidate.roles:
                    candidate.roles.append(("作者", ""))
    aliases = _aliases(candidates, _Usage(dict(zip(article_keys, texts, strict=True))), memo)
    _fold_bare_names(candidates, aliases)
    signature = (
        tuple((s, c.kind, tuple(c.roles), c.count) for s, c in candidates.items()),
        tuple((s, tuple(sorted(n))) for s, n in aliases.items()),
        tuple(synonyms.items()),
        tuple(sorted((kinds or {}).items())),
    )
    if memo.table is not None and signature == memo.signature:
        return memo.table
    union = _UnionFind()
    for surface, names in aliases.items():
        for alias in names:
            union.union(surface, "=" + alias)
    for canonical, variants in synonyms.items():
        for word in (canonical, *variants):
            union.union("~" + canonical, "=" + word)
    memo.signature = signature
    memo.table = _assemble(candidates, aliases, kinds or {}, union)
    return memo.table


def _events(article: Article) -> tuple[_Event, ...]:
    events: list[_Event] = []
    for fact in article.facts:
        kind = _FACT_KINDS.get(fact.kind)
        if kind is None or not isinstance(fact.value, str):
            continue
        role = None
        org = ""
        if kind is EntityKind.PERSON and fact.role:
            role = fact.role.split("、")[-1]
            org = normalize(fact.org) if fact.org else ""
        events.append(("f", normalize(fact.value), kind, role, org))
    for name in article.byline:
        events.append(("b", normalize(name), EntityKind.PERSON, None, ""))
    return tuple(events)


def _aliases(
    candidates: Mapping[str, _Candidate],
    usage: _Usage,
    memo: EntityMemo,
) -> dict[str, set[str]]:
    """Short forms of a name that the corpus uses on their own: 和天电子 for 和天电子有限公司,
    赣晟磁材 for 江西赣晟磁材科技有限公司, 益阳 for 益阳市.

    A name's short forms depend only on the articles it occurs in (the usage counts and the
    other organisations there) and, for a company, on the place its name starts with; the
    last build's result is reused while those are the same, so a reload does not work out
    every name again."""
    place_suffixes = tuple(s for s in lexicon().place_suffixes if len(s) == 1)
    result: dict[str, set[str]] = {}
    used: dict[str, _Names] = {}
    places = set(lexicon().regions)

    def remembered(surface: str, candidate: _Candidate) -> _Names | None:
        entry = memo.names.get(surface)
        if entry is None or entry[0] is not candidate.kind or entry[1] != candidate.articles:
            return None
        return entry

    for surface, candidate in candidates.items():  # places first: orgs start with them
        if candidate.kind is EntityKind.PLACE:
            entry = remembered(surface, candidate)
            if entry is None:
                names = {surface}
                if surface.endswith(place_suffixes) and len(surface) >= 3:
                    short = surface[:-1]
                    if usage.alone(short, surface, candidate.articles):
                        names.add(short)
                entry = (candidate.kind, frozenset(candidate.articles), None, frozenset(names))
            used[surface] = entry
            result[surface] = set(entry[3])
            places |= entry[3]
            for suffix in _AREA_SUFFIXES:  # 赣州经开区 → 赣州 also opens company names
                if surface.endswith(suffix) and len(surface) - len(suffix) >= 2:
                    places.add(surface[: -len(suffix)])
    frozen_places = frozenset(places)
    same_places = memo.places == frozen_places
    by_article: dict[Hashable, list[str]] = {}
    for surface, candidate in candidates.items():
        if candidate.kind is EntityKind.ORG:
            for position in candidate.articles:
                by_article.setdefault(position, []).append(surface)

    def neighbours(candidate: _Candidate) -> set[str]:
        """Other organisations named in the same articles (三江茶 must not be the start of
        both 三江茶业交易 and 三江茶叶交易中心)."""
        return {o for p in candidate.articles for o in by_article.get(p, ())}

    for surface, candidate in candidates.items():
        if candidate.kind is EntityKind.PLACE:
            continue
        if candidate.kind is not EntityKind.ORG:
            result[surface] = {surface}
            continue
        entry = remembered(surface, candidate)
        if entry is not None and not same_places and entry[2] != _place_prefix(surface, places):
            entry = None
        if entry is None:
            names = {surface}
            forms, core = _org_short_forms(surface, places)
            for alias in forms:
                if (
                    alias != surface
                    and not _ordinary_word(alias)
                    and usage.alone(alias, surface, candidate.articles)
                ):
                    names.add(alias)
            for alias in _prefix_forms(core):
                if usage.alone(alias, core[: len(alias) + 1], candidate.articles) and not any(
                    o != surface and alias in o and not _bare_form_of(o, alias)
                    for o in neighbours(candidate)
                ):
                    names.add(alias)
            prefix = _place_prefix(surface, places)
            entry = (candidate.kind, frozenset(candidate.articles), prefix, frozenset(names))
        used[surface] = entry
        result[surface] = set(entry[3])
    memo.names = used  # only what this snapshot uses
    memo.places = frozen_places
    return result


def _place_prefix(surface: str, places: set[str]) -> str | None:
    """The longest place a company name starts with (what its short forms depend on)."""
    base = _LEGAL_SUFFIX_RE.sub("", surface)
    for n in range(len(base) - 2, 1, -1):
        if base[:n] in places:
            return base[:n]
    return None


def _fold_bare_names(candidates: Mapping[str, _Candidate], aliases: dict[str, set[str]]) -> None:
    """A bare "交易中心" in an article that also names "宜宾三江茶叶交易中心" is that one: the
    shorter organisation becomes an alias of the only longer one ending with it.  Only
    organisations sharing an article are compared, so the cost grows with the corpus, not
    with its square."""
    by_article: dict[Hashable, list[str]] = {}
    for surface, candidate in candidates.items():
        if candidate.kind is EntityKind.ORG:
            for position in candidate.articles:
                by_article.setdefault(position, []).append(surface)
    for surface, candidate in candidates.items():
        if candidate.kind is not EntityKind.ORG:
            continue
        stem = _BARE_FORM_RE.sub("", surface)
        longer = {
            other
            for position in candidate.articles
            for other in by_article.get(position, ())
            if other != surface
            and (other.endswith(surface) or (stem != surface and stem in aliases[other]))
        }
        if len(longer) == 1:
            aliases[longer.pop()].add(surface)


def _bare_form_of(name: str, alias: str) -> bool:
    """``菇源公司`` is the bare form of 菇源 (of 浙江菇源生物科技有限公司), not another company
    whose name holds it."""
    return name != alias and _BARE_FORM_RE.sub("", name) == alias


def _org_short_forms(surface: str, places: set[str]) -> tuple[list[str], str]:
    """Candidate short names without the legal form, the place and the trade word
    (江西赣晟磁材科技有限公司 → 赣晟磁材), and the core name for prefix forms ("" when the
    name is not a registered company)."""
    base = _LEGAL_SUFFIX_RE.sub("", surface)
    company = base != surface
    forms = [base]
    for n in range(len(base) - 2, 1, -1):  # the longest place the name starts with
        if base[:n] in places:
            forms.append(base[n:])
            break
    forms += [_ADMIN_PREFIX_RE.sub("", f) for f in list(forms)]
    forms += [f[1:] for f in list(forms) if f.startswith("省") and len(f) > 3]
    forms += [_TRADE_SUFFIX_RE.sub("", f) for f in list(forms)]
    core = forms[-1] if company and not _ORG_SUFFIX_END_RE.search(forms[-1]) else ""
    generic = set(lexicon().org_suffixes)
    return [f for f in dict.fromkeys(forms) if len(f) >= 2 and f not in generic], core


def _ordinary_word(form: str) -> bool:
    """A dictionary word that is not a proper name (电子 of 黛圃电子有限公司 once the place
    is cut off): as an alias it would name the company in every sentence about electronics."""
    return tokenizer.is_word(form) and form not in tokenizer.proper_nouns()


def _prefix_forms(core: str) -> list[str]:
    """瑞驰电驱动 → 瑞驰电驱, 瑞驰电, 瑞驰: leading parts that are not ordinary words; each is
    kept only if the corpus uses it where the longer form does not continue (checked by the
    caller), so 和天电 (always followed by 子) is not an alias."""
    return [core[:n] for n in range(len(core) - 1, 1, -1) if not tokenizer.is_word(core[:n])]


def _assemble(
    candidates: Mapping[str, _Candidate],
    aliases: Mapping[str, set[str]],
    kinds: Mapping[str, str],
    union: _UnionFind,
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
        _link_people(entities, alias_to_key), alias_to_key, _name_prefixes(entities.values())
    )


def _name_prefixes(entities: Iterable[Entity]) -> frozenset[str]:
    """Leading parts (2+ characters) of organisation and person names that are not ordinary
    words and not names themselves."""
    found = set()
    for entity in entities:
        if entity.kind not in (EntityKind.ORG, EntityKind.PERSON):
            continue
        for alias in entity.aliases:
            for n in range(2, len(alias)):
                prefix = alias[:n]
                if not tokenizer.is_word(prefix) and prefix not in lexicon().regions:
                    found.add(prefix)
    return frozenset(found)


def _link_people(
    entities: dict[str, Entity],
    alias_to_key: Mapping[str, str],
) -> dict[str, Entity]:
    """Point each person's role at the organisation entity and list people under it."""
    members: dict[str, list[str]] = {}
    linked: dict[str, Entity] = {}
    for key, entity in entities.items():
        if entity.kind is not EntityKind.PERSON or not entity.roles:
            linked[key] = entity
            continue
        roles = []
        for role, org in entity.roles:
            org_key = _org_key(org, alias_to_key) if org else None
            roles.append((role, org_key or org))
            if org_key:
                members.setdefault(org_key, []).append(key)
        linked[key] = Entity(entity.key, entity.name, entity.kind, entity.aliases, tuple(roles))
    for org_key, people in members.items():
        found = linked[org_key]
        linked[org_key] = Entity(
            found.key,
            found.name,
            found.kind,
            found.aliases,
            found.roles,
            tuple(sorted(set(people))),
        )
    return linked


def _org_key(org: str, alias_to_key: Mapping[str, str]) -> str | None:
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


def quoted_terms(texts: Iterable[str]) -> Counter[str]:
    """Phrases the reporter put in quotes (“超级工厂”): good user-dictionary words."""
    counts: Counter[str] = Counter()
    for text in texts:
        for match in re.finditer(r"[“「‘]([^”」’“「‘]{2,10})[”」’]", text):
            term = match.group(1)
            if re.fullmatch(r"[\u4e00-\u9fffA-Za-z0-9]+", term):
                counts[normalize(term)] += 1
    return counts
