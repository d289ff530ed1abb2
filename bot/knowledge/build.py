"""Build a Knowledge snapshot from a seeds directory and an intents directory.

Build, check, swap: a snapshot is complete and valid before anyone sees it, so a reload
with a broken file leaves the running bot on its old snapshot.  Tokenising is cached per
article, so rebuilding after one page changed re-tokenises only that page.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import logging
import time
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.loader import LoadResult, Page, PageCache, load_seeds
from bot.content.model import Article
from bot.errors import ContentError, InputError, Problem, RuleError
from bot.knowledge.analysis import (
    ENTITY_PREFIX,
    AnalysisCache,
    Lexicons,
    TextAnalysis,
    cache_key,
    resolve_mentions,
)
from bot.knowledge.entities import (
    EntityKind,
    EntityMemo,
    EntityTable,
    build_entities,
    quoted_terms,
)
from bot.knowledge.fuzzy import FuzzyIndex
from bot.knowledge.index import SENTENCES_PER_SLOT, SentenceIndex, build_index, patch_index
from bot.knowledge.matcher import PhraseMatcher
from bot.knowledge.parallel import analyse_many
from bot.knowledge.topics import TopicTags, tag_sections
from bot.rules.loader import load_rules, rule_files
from bot.rules.model import Rules
from bot.text import tokenizer
from bot.text.normalize import normalize

logger = logging.getLogger(__name__)

# Organisation words that ``该…`` / ``这家…`` refer back to.
COREF_SUFFIXES = ("研究院", "中心", "集团", "公司", "企业", "平台", "基金", "海关", "大学")
# A reload patches the previous index when at most this many articles (or this share of
# them) changed; beyond that a fresh build is about as fast.
PATCH_MIN_ARTICLES = 16
PATCH_SHARE = 0.2


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
class _Previous:
    """What the last successful build made, for the next build to reuse where its inputs
    are unchanged (everything here is per article, keyed by article id)."""

    rules_fingerprint: str
    knowledge: Knowledge
    quoted: frozenset[str]
    content_keys: dict[str, Hashable]
    analyses: dict[str, TextAnalysis]
    mentions: dict[str, tuple[tuple[str, ...], ...]]
    topics: dict[str, tuple[tuple[str, ...], ...]]
    chars: dict[str, str]  # article id → its distinct characters
    char_counts: Counter[str]


@dataclass
class Builder:
    """Builds snapshots; keeps caches and article slots across reloads.

    A reload after a few articles changed redoes only what depends on them: parsing and
    tokenising (cached per page and per article), the entity inventory (reused when the
    names it is made of are unchanged), mentions and topic tags (per article), and the
    index (patched rather than rebuilt).  The result is the snapshot a cold build of the
    same files gives; ``tests/test_build.py`` checks that.
    """

    seeds: Path
    intents: Path
    cache_dir: Path | None = None
    _cache: AnalysisCache = field(init=False)
    _pages: PageCache = field(default_factory=PageCache, init=False)
    _slots: dict[str, int] = field(default_factory=dict, init=False)
    _current_keys: list[str] = field(default_factory=list, init=False)
    _entity_memo: EntityMemo = field(default_factory=EntityMemo, init=False)
    _texts: dict[Hashable, str] = field(default_factory=dict, init=False)
    _quoted: dict[Hashable, frozenset[str]] = field(default_factory=dict, init=False)
    _cache_keys: dict[Hashable, str] = field(default_factory=dict, init=False)
    _cache_keys_for: Lexicons | None = field(default=None, init=False)
    _previous: _Previous | None = field(default=None, init=False)
    _rules_read: tuple[Hashable, Rules] | None = field(default=None, init=False)
    patched: bool = field(default=False, init=False)  # the last build patched the index
    reindexed: int = field(default=0, init=False)  # articles the last build (re)indexed

    def __post_init__(self) -> None:
        self._cache = AnalysisCache(self.cache_dir / "analysis" if self.cache_dir else None)

    def build(self) -> Knowledge:
        """Load, validate and index everything; raise InputError listing every problem."""
        started = time.perf_counter()
        problems: list[Problem] = []
        rules: Rules | None = None
        try:
            rules = self._rules()
        except RuleError as exc:
            problems.extend(exc.problems)
        loaded: LoadResult = load_seeds(self.seeds, self._pages)
        tokenizer.boundary_words()  # parsing an edited page later needs it here too
        problems.extend(loaded.problems)
        if problems or rules is None:
            raise InputError(problems)
        collecting = gc.isenabled()
        gc.disable()  # a build allocates millions of objects: no collection passes meanwhile
        try:
            knowledge = self._assemble(loaded, rules, started)
        finally:
            if collecting:
                gc.enable()
        self._cache.retain(self._current_keys)
        _settle()
        return knowledge

    def _rules(self) -> Rules:
        """The rules, parsed again only when a rule file was added, removed or changed (the
        files are small: hashing them costs far less than parsing the YAML)."""
        try:
            stamp: Hashable = tuple(
                (p.name, hashlib.sha1(p.read_bytes(), usedforsecurity=False).digest())
                for p in rule_files(self.intents)
            )
        except OSError:
            stamp = None
        if stamp is not None and self._rules_read is not None and self._rules_read[0] == stamp:
            return self._rules_read[1]
        rules = load_rules(self.intents)
        self._rules_read = (stamp, rules) if stamp is not None else None
        return rules

    def _assemble(self, loaded: LoadResult, rules: Rules, started: float) -> Knowledge:
        articles = loaded.articles
        if not articles:
            raise ContentError([Problem(str(self.seeds), 0, "no articles to serve")])
        previous = self._previous
        if previous is not None and previous.rules_fingerprint != rules.fingerprint:
            previous = None
        keys = [_content_key(a) for a in articles]
        texts = [self._normalised(a, k) for a, k in zip(articles, keys, strict=True)]
        entities = build_entities(
            articles, rules.synonyms, texts, rules.synonym_kinds, self._entity_memo, keys
        )
        quoted = frozenset().union(
            *(self._quoted_in(a, k) for a, k in zip(articles, keys, strict=True))
        )
        same_names = (
            previous is not None
            and entities is previous.knowledge.entities
            and quoted == previous.quoted
        )
        if previous is not None and same_names:
            lexicons, fuzzy = previous.knowledge.lexicons, previous.knowledge.fuzzy
        else:
            lexicons = _lexicons(rules, entities, quoted)
            fuzzy = FuzzyIndex.build(entities.alias_to_key, _person_names(entities))
        tokenizer.set_user_words(_user_words(lexicons))
        hits_before, misses_before = self._cache.hits, self._cache.misses
        analyses = self._analyses(articles, keys, texts, lexicons)
        mentions = {}
        for article, key in zip(articles, keys, strict=True):
            analysis = analyses[article.id]
            if (
                previous is not None
                and same_names
                and previous.content_keys.get(article.id) == key
                and previous.analyses.get(article.id) is analysis
            ):
                mentions[article.id] = previous.mentions[article.id]
            else:
                mentions[article.id] = resolve_mentions(
                    article, analysis, entities.alias_to_key, COREF_SUFFIXES
                )
        slots = self._assign_slots(articles)
        unchanged = {
            a.id
            for a, k in zip(articles, keys, strict=True)
            if previous is not None
            and previous.content_keys.get(a.id) == k
            and previous.analyses.get(a.id) is analyses[a.id]
            and previous.mentions.get(a.id) == mentions[a.id]
        }
        known_topics = {i: previous.topics[i] for i in unchanged} if previous else None
        topics = tag_sections(articles, rules.topics, rules.synonyms, known_topics)
        index, chars, char_counts = self._index(
            articles, analyses, mentions, slots, unchanged, rules, previous
        )
        version = _version(articles, rules)
        elapsed = time.perf_counter() - started
        logger.info(
            "knowledge %s built: %d articles, %d sentences in %.2fs (%d articles re-indexed)",
            version,
            len(articles),
            index.size,
            elapsed,
            len(articles) - len(unchanged),
        )
        knowledge = Knowledge(
            articles=articles,
            pages=loaded.pages,
            rules=rules,
            entities=entities,
            index=index,
            topics=topics,
            lexicons=lexicons,
            fuzzy=fuzzy,
            version=version,
            built_at=dt.datetime.now(dt.UTC),
            build_seconds=elapsed,
            cache_hits=self._cache.hits - hits_before,
            cache_misses=self._cache.misses - misses_before,
            by_id={a.id: a for a in articles},
            slots=slots,
        )
        self._previous = _Previous(
            rules.fingerprint,
            knowledge,
            quoted,
            {a.id: k for a, k in zip(articles, keys, strict=True)},
            analyses,
            mentions,
            {
                a.id: tuple(topics.by_section[(a.id, i)] for i in range(len(a.sections)))
                for a in articles
            },
            chars,
            char_counts,
        )
        self._retain(keys)
        return knowledge

    def _normalised(self, article: Article, key: Hashable) -> str:
        text = self._texts.get(key)
        if text is None:
            text = self._texts[key] = normalize(article.text)
        return text

    def _quoted_in(self, article: Article, key: Hashable) -> frozenset[str]:
        found = self._quoted.get(key)
        if found is None:
            found = self._quoted[key] = frozenset(quoted_terms(p.text for p in article.paragraphs))
        return found

    def _analyses(
        self,
        articles: Sequence[Article],
        keys: Sequence[Hashable],
        texts: Sequence[str],
        lexicons: Lexicons,
    ) -> dict[str, TextAnalysis]:
        """Each article's tokens: from the cache, else analysed (in parallel when many)."""
        if lexicons is not self._cache_keys_for:
            self._cache_keys.clear()  # they depend on the user words and synonyms
            self._cache_keys_for = lexicons
        analyses: dict[str, TextAnalysis] = {}
        self._current_keys = []
        todo: list[tuple[Article, str]] = []
        for article, key, text in zip(articles, keys, texts, strict=True):
            analysis_key = self._cache_keys.get(key)
            if analysis_key is None:
                analysis_key = self._cache_keys[key] = cache_key(article, lexicons, text)
            self._current_keys.append(analysis_key)
            analysis = self._cache.get(analysis_key)
            if analysis is None:
                todo.append((article, analysis_key))
            else:
                analyses[article.id] = analysis
        fresh = analyse_many([a for a, _ in todo], [k for _, k in todo], lexicons)
        for (article, _), analysis in zip(todo, fresh, strict=True):
            analyses[article.id] = self._cache.put(analysis)
        return analyses

    def _index(
        self,
        articles: Sequence[Article],
        analyses: Mapping[str, TextAnalysis],
        mentions: Mapping[str, tuple[tuple[str, ...], ...]],
        slots: Mapping[str, int],
        unchanged: set[str],
        rules: Rules,
        previous: _Previous | None,
    ) -> tuple[SentenceIndex, dict[str, str], Counter[str]]:
        """Patch the previous index when few articles changed, else build it afresh."""
        changed = [a for a in articles if a.id not in unchanged]
        reference = rules.thresholds.idf_reference_sentences
        self.reindexed = len(changed)
        self.patched = False
        if previous is not None and len(changed) <= max(
            PATCH_MIN_ARTICLES, PATCH_SHARE * len(articles)
        ):
            current = {a.id for a in articles}
            removed = [
                i for i in previous.knowledge.by_id if i not in current or i not in unchanged
            ]
            chars = {i: c for i, c in previous.chars.items() if i in current and i in unchanged}
            counts = Counter(previous.char_counts)
            for article_id in removed:
                counts.subtract(previous.chars[article_id])
            for article in changed:
                chars[article.id] = _chars(analyses[article.id])
                counts.update(chars[article.id])
            counts = +counts  # drop characters no article uses any more
            self.patched = True
            index = patch_index(
                previous.knowledge.index,
                {i: (self._slots[i], _indexed_terms(previous, i)) for i in removed},
                changed,
                analyses,
                mentions,
                slots,
                frozenset(counts),
            )
            return index, chars, counts
        index = build_index(articles, analyses, mentions, slots, reference)
        chars = {a.id: _chars(analyses[a.id]) for a in articles}
        counts = Counter(c for found in chars.values() for c in found)
        return index, chars, counts

    def _retain(self, keys: Sequence[Hashable]) -> None:
        """Forget what belongs to articles that are gone."""
        wanted = set(keys)
        self._texts = {k: v for k, v in self._texts.items() if k in wanted}
        self._quoted = {k: v for k, v in self._quoted.items() if k in wanted}
        self._cache_keys = {k: v for k, v in self._cache_keys.items() if k in wanted}
        self._entity_memo.retain(wanted)

    def _assign_slots(self, articles: Sequence[Article]) -> dict[str, int]:
        """Stable slots: an article keeps its sentence keys across reloads."""
        next_slot = max(self._slots.values(), default=-1) + 1
        for article in articles:
            if article.id not in self._slots:
                self._slots[article.id] = next_slot
                next_slot += 1
        return {a.id: self._slots[a.id] for a in articles}


def _settle() -> None:
    """Collect the build's garbage once, then freeze what survives: a snapshot lives until
    the next reload, and without this every full collection would walk its millions of
    objects again — a second-long pause at 1,000 pages, on whatever thread allocates.
    Frozen objects are still freed when the snapshot is dropped (reference counting)."""
    gc.collect()
    gc.freeze()


def _content_key(article: Article) -> str:
    """Everything about an article that tokens, names, topics and the index depend on, as
    a short digest (it is hashed often: a name used in a thousand articles is keyed by all
    of theirs)."""
    parts = (
        article.id,
        article.content_hash,
        article.column,
        article.byline,
        tuple(s.heading for s in article.sections),
        tuple(len(p.sentences) for p in article.paragraphs),
    )
    return hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()[:20]


def _chars(analysis: TextAnalysis) -> str:
    """The distinct characters of an article's indexed sentences, as one string (a set per
    article would cost ~50 KB each; this costs ~1 KB)."""
    return "".join(sorted(set("".join(analysis.texts[:SENTENCES_PER_SLOT]))))


def _indexed_terms(previous: _Previous, article_id: str) -> set[str]:
    """The posting lists an article of the previous snapshot is in."""
    analysis = previous.analyses[article_id]
    terms = {t for sentence in analysis.terms[:SENTENCES_PER_SLOT] for t in sentence}
    terms |= {
        ENTITY_PREFIX + key
        for sentence in previous.mentions[article_id][:SENTENCES_PER_SLOT]
        for key in sentence
    }
    return terms


def build_knowledge(seeds: Path, intents: Path, cache_dir: Path | None = None) -> Knowledge:
    return Builder(seeds, intents, cache_dir).build()


def _lexicons(rules: Rules, entities: EntityTable, quoted: frozenset[str]) -> Lexicons:
    concept_pairs = []
    for canonical, variants in rules.synonyms.items():
        for word in (canonical, *variants):
            concept_pairs.append((word, canonical))
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
