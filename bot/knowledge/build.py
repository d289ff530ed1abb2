"""Build a Knowledge snapshot from a seeds directory and an intents directory.

Build, check, swap: a snapshot is complete and valid before anyone sees it, so a reload
with a broken file leaves the running bot on its old snapshot.  Tokenising is cached per
article, so rebuilding after one page changed re-tokenises only that page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.loader import LoadResult, Page, PageCache, load_seeds
from bot.content.model import Article
from bot.errors import ContentError, InputError, Problem, RuleError
from bot.knowledge.analysis import (
    AnalysisCache,
    Lexicons,
    TextAnalysis,
    cache_key,
    resolve_mentions,
)
from bot.knowledge.entities import EntityKind, EntityTable, build_entities, quoted_terms
from bot.knowledge.fuzzy import FuzzyIndex
from bot.knowledge.index import SentenceIndex, build_index
from bot.knowledge.matcher import PhraseMatcher
from bot.knowledge.parallel import analyse_many
from bot.knowledge.topics import TopicTags, tag_sections
from bot.rules.loader import load_rules
from bot.rules.model import Rules
from bot.text import tokenizer
from bot.text.normalize import normalize

logger = logging.getLogger(__name__)

# Organisation words that ``该…`` / ``这家…`` refer back to.
COREF_SUFFIXES = ("研究院", "中心", "集团", "公司", "企业", "平台", "基金", "海关", "大学")


@dataclass(frozen=True, slots=True)
class Knowledge:
    """Everything the answerer needs, immutable; reload builds a new one and swaps it in."""

    articles: tuple[Article, ...]
    pages: tuple[Page, ...]
    rules: Rules
    entities: EntityTable
    index: SentenceIndex
    topics: TopicTags
    lexicons: Lexicons
    fuzzy: FuzzyIndex
    version: str
    built_at: dt.datetime
    build_seconds: float
    cache_hits: int = 0
    cache_misses: int = 0
    by_id: Mapping[str, Article] = field(default_factory=dict)
    slots: Mapping[str, int] = field(default_factory=dict)

    def article(self, article_id: str) -> Article | None:
        return self.by_id.get(article_id)

    @property
    def fact_count(self) -> int:
        return sum(len(a.facts) for a in self.articles)


@dataclass
class Builder:
    """Builds snapshots; keeps the analysis cache and article slots across reloads."""

    seeds: Path
    intents: Path
    cache_dir: Path | None = None
    _cache: AnalysisCache = field(init=False)
    _pages: PageCache = field(default_factory=PageCache, init=False)
    _slots: dict[str, int] = field(default_factory=dict, init=False)
    _current_keys: list[str] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self._cache = AnalysisCache(self.cache_dir / "analysis" if self.cache_dir else None)

    def build(self) -> Knowledge:
        """Load, validate and index everything; raise InputError listing every problem."""
        started = time.perf_counter()
        problems: list[Problem] = []
        rules: Rules | None = None
        try:
            rules = load_rules(self.intents)
        except RuleError as exc:
            problems.extend(exc.problems)
        loaded: LoadResult = load_seeds(self.seeds, self._pages)
        problems.extend(loaded.problems)
        if problems or rules is None:
            raise InputError(problems)
        knowledge = self._assemble(loaded, rules, started)
        self._cache.retain(self._current_keys)
        return knowledge

    def _assemble(self, loaded: LoadResult, rules: Rules, started: float) -> Knowledge:
        articles = loaded.articles
        if not articles:
            raise ContentError([Problem(str(self.seeds), 0, "no articles to serve")])
        texts = [normalize(a.text) for a in articles]
        entities = build_entities(articles, rules.synonyms, texts, rules.synonym_kinds)
        lexicons = _lexicons(rules, entities, articles)
        tokenizer.set_user_words(_user_words(lexicons))
        hits_before, misses_before = self._cache.hits, self._cache.misses
        analyses: dict[str, TextAnalysis] = {}
        self._current_keys = []
        todo: list[tuple[Article, str]] = []
        for article, text in zip(articles, texts, strict=True):
            key = cache_key(article, lexicons, text)
            self._current_keys.append(key)
            analysis = self._cache.get(key)
            if analysis is None:
                todo.append((article, key))
            else:
                analyses[article.id] = analysis
        fresh = analyse_many([a for a, _ in todo], [k for _, k in todo], lexicons)
        for (article, _), analysis in zip(todo, fresh, strict=True):
            self._cache.put(analysis)
            analyses[article.id] = analysis
        mentions = {
            a.id: resolve_mentions(a, analyses[a.id], entities.alias_to_key, COREF_SUFFIXES)
            for a in articles
        }
        slots = self._assign_slots(articles)
        index = build_index(
            articles, analyses, mentions, slots, rules.thresholds.idf_reference_sentences
        )
        topics = tag_sections(articles, rules.topics, rules.synonyms)
        version = _version(articles, rules)
        elapsed = time.perf_counter() - started
        logger.info(
            "knowledge %s built: %d articles, %d sentences in %.2fs",
            version,
            len(articles),
            index.size,
            elapsed,
        )
        return Knowledge(
            articles=articles,
            pages=loaded.pages,
            rules=rules,
            entities=entities,
            index=index,
            topics=topics,
            lexicons=lexicons,
            fuzzy=FuzzyIndex.build(entities.alias_to_key, _person_names(entities)),
            version=version,
            built_at=dt.datetime.now(dt.UTC),
            build_seconds=elapsed,
            cache_hits=self._cache.hits - hits_before,
            cache_misses=self._cache.misses - misses_before,
            by_id={a.id: a for a in articles},
            slots=slots,
        )

    def _assign_slots(self, articles: Sequence[Article]) -> dict[str, int]:
        """Stable slots: an article keeps its sentence keys across reloads."""
        next_slot = max(self._slots.values(), default=-1) + 1
        for article in articles:
            if article.id not in self._slots:
                self._slots[article.id] = next_slot
                next_slot += 1
        return {a.id: self._slots[a.id] for a in articles}


def build_knowledge(seeds: Path, intents: Path, cache_dir: Path | None = None) -> Knowledge:
    return Builder(seeds, intents, cache_dir).build()


def _lexicons(rules: Rules, entities: EntityTable, articles: Sequence[Article]) -> Lexicons:
    concept_pairs = []
    for canonical, variants in rules.synonyms.items():
        for word in (canonical, *variants):
            concept_pairs.append((word, canonical))
    quoted = quoted_terms(p.text for a in articles for p in a.paragraphs)
    user = {w for w, _ in concept_pairs} | set(entities.alias_to_key) | set(quoted)
    digest = hashlib.sha256()
    for word in sorted(rules.language.stopwords):
        digest.update(word.encode() + b"\x00")
    for word, canonical in sorted(concept_pairs):
        digest.update(f"{word}={canonical}\x00".encode())
    return Lexicons(
        concepts=PhraseMatcher(concept_pairs),
        aliases=PhraseMatcher((a, a) for a in entities.alias_to_key),
        user_words=PhraseMatcher((w, w) for w in user),
        stopwords=rules.language.stopwords,
        fingerprint=digest.hexdigest()[:16],
    )


def _user_words(lexicons: Lexicons) -> list[str]:
    return sorted(w for w in lexicons.user_words.phrases() if len(w) >= 2)


def _person_names(entities: EntityTable) -> list[str]:
    """Two-character names matched by sound too: people (陈旌) and short company names that
    are not ordinary words (三安, 信维)."""
    return [
        a
        for e in entities.entities.values()
        for a in e.aliases
        if e.kind is EntityKind.PERSON
        or (e.kind is EntityKind.PLACE and len(a) == 2)
        or (e.kind is EntityKind.ORG and len(a) == 2 and not tokenizer.is_word(a))
    ]


def _version(articles: Sequence[Article], rules: Rules) -> str:
    digest = hashlib.sha256(rules.fingerprint.encode())
    for article in articles:
        digest.update(article.content_hash.encode())
    return digest.hexdigest()[:12]
