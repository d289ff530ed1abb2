"""Named entities of the corpus (organisations, people, places) and synonym concepts.

Entities come from the typed facts (``和天电子有限公司``, ``董事长陈宏志``, ``资阳区``), get short
aliases that readers actually type (``和天电子``, ``益阳``) when the corpus itself uses them,
and are merged with the synonym groups of ``intents/`` (``信维电科 ↔ 信维``).  People are tied
to their organisation so "他们" after a question about a chairman can mean his company.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence

from bot.content.fact_names import people
from bot.content.model import Article, Fact, FactKind
from bot.knowledge.aliases import Usage, find_aliases, fold_bare_names
from bot.knowledge.entity_model import (
    Candidate,
    Entity,
    EntityKind,
    EntityMemo,
    EntityTable,
    Event,
)
from bot.knowledge.entity_table import UnionFind, assemble
from bot.text.normalize import normalize

__all__ = ["Entity", "EntityKind", "EntityMemo", "EntityTable", "build_entities", "quoted_terms"]

_NAMED_KINDS = frozenset({FactKind.ORG, FactKind.PLACE})
# What may stand between a name and the naming word that gives its other name.
_JOINER_RE = re.compile(r"[(（]?(?:以下)?|[，,]")
_DEMONSTRATIVES = ("这", "该", "此")

_FACT_KINDS = {
    FactKind.ORG: EntityKind.ORG,
    FactKind.PLACE: EntityKind.PLACE,
    FactKind.PERSON: EntityKind.PERSON,
}


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
    candidates: dict[str, Candidate] = {}
    named: list[tuple[str, str]] = []
    for article, key in zip(articles, article_keys, strict=True):
        events = memo.events.get(key)
        if events is None:
            events = memo.events[key] = _events(article)
        for tag, surface, kind, role, org in events:
            if tag == "a" and role:
                named.append((surface, role))
            elif tag == "f":
                candidate = candidates.setdefault(surface, Candidate(surface, kind, []))
                candidate.count += 1
                candidate.articles.add(key)
                if role is not None and (role, org) not in candidate.roles:
                    candidate.roles.append((role, org))
            else:
                candidate = candidates.setdefault(
                    surface, Candidate(surface, EntityKind.PERSON, [])
                )
                candidate.articles.add(key)
                if ("作者", "") not in candidate.roles:
                    candidate.roles.append(("作者", ""))
    aliases = find_aliases(candidates, Usage(dict(zip(article_keys, texts, strict=True))), memo)
    fold_bare_names(
        candidates, aliases, {k: a.file for a, k in zip(articles, article_keys, strict=True)}
    )
    for surface, other in named:
        if surface in candidates:
            aliases.setdefault(surface, {surface}).add(other)
    signature = (
        tuple((s, c.kind, tuple(c.roles), c.count) for s, c in candidates.items()),
        tuple((s, tuple(sorted(n))) for s, n in aliases.items()),
        tuple(synonyms.items()),
        tuple(sorted((kinds or {}).items())),
    )
    if memo.table is not None and signature == memo.signature:
        return memo.table
    union = UnionFind()
    for surface, names in aliases.items():
        for alias in names:
            union.union(surface, "=" + alias)
    for canonical, variants in synonyms.items():
        for word in (canonical, *variants):
            union.union("~" + canonical, "=" + word)
    memo.signature = signature
    memo.table = assemble(candidates, aliases, kinds or {}, union)
    return memo.table


def _events(article: Article) -> tuple[Event, ...]:
    events: list[Event] = list(_other_names(article))
    # ——记某社区党委书记某某: a profile's subject is named, with the title, in its subtitle
    for fact in (*article.facts, *people(article.subtitle or "")):
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


def _other_names(article: Article) -> Iterator[Event]:
    """Another name the page gives an organisation or place is an alias of it: the name
    written right before the naming word (某某有限公司（简称“某某”）, 某镇(原名某乡)), or —
    when the sentence opens with a demonstrative and names nothing before the naming word
    (这座小楼又名“某某”, 该中心简称…) — the last one the previous sentence of the paragraph
    named.  Without this the other name was an entity of its own, and a sentence using it
    was about "someone else"."""
    for paragraph in article.paragraphs:
        last: Fact | None = None
        for sentence in paragraph.sentences:
            named = [f for f in sentence.facts if f.kind in _NAMED_KINDS]
            for fact in sentence.facts:
                if fact.kind is not FactKind.NAME or not isinstance(fact.value, str):
                    continue
                before = [f for f in named if f.end <= fact.start]
                owner = _closest(before)
                if owner is not None and not _JOINER_RE.fullmatch(
                    sentence.text[owner.end : fact.start]
                ):
                    owner = None
                if owner is None and not before and sentence.text.startswith(_DEMONSTRATIVES):
                    owner = last
                if owner is not None and isinstance(owner.value, str):
                    kind = _FACT_KINDS[owner.kind]
                    yield ("a", normalize(owner.value), kind, normalize(fact.value), "")
            last = _closest(named) or last


def _closest(names: list[Fact]) -> Fact | None:
    """The name ending last (the longest of those: 某县某中心, not the 某县 inside it)."""
    return max(names, key=lambda f: (f.end, f.end - f.start), default=None)


def quoted_terms(texts: Iterable[str]) -> Counter[str]:
    """Phrases the reporter put in quotes (“超级工厂”): good user-dictionary words."""
    counts: Counter[str] = Counter()
    for text in texts:
        for match in re.finditer(r"[“「‘]([^”」’“「‘]{2,10})[”」’]", text):
            term = match.group(1)
            if re.fullmatch(r"[\u4e00-\u9fffA-Za-z0-9]+", term):
                counts[normalize(term)] += 1
    return counts
