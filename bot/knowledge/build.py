"""Build a Knowledge snapshot from a seeds directory and an intents directory.

Build, check, swap: a snapshot is complete and valid before anyone sees it, so a reload
with a broken file leaves the running bot on its old snapshot.  Tokenising is cached per
article, so rebuilding after one page changed re-tokenises only that page.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import threading
import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.content import lexicon as lexicon_module
from bot.content.loader import LoadResult, PageCache, load_seeds
from bot.content.model import Article
from bot.errors import ContentError, InputError, Problem, RuleError
from bot.knowledge.analysis import (
    Lexicons,
    resolve_mentions,
)
from bot.knowledge.entities import EntityMemo, EntityTable, build_entities, quoted_terms
from bot.knowledge.extend import extend, stored_rows
from bot.knowledge.fuzzy import FuzzyIndex
from bot.knowledge.incremental import PATCH_MIN_ARTICLES, PATCH_SHARE, Previous, make_index
from bot.knowledge.inputs import (
    COREF_SUFFIXES,
    content_key,
    make_lexicons,
    person_names,
    user_words,
    version_of,
)
from bot.knowledge.ondisk.keeper import SnapshotKeeper, stored_quoted
from bot.knowledge.rulesread import RulesReader
from bot.knowledge.snapshot import Knowledge
from bot.knowledge.tokens import ArticleTokens
from bot.knowledge.topics import tag_sections
from bot.rules.model import Rules
from bot.text import tokenizer
from bot.text.normalize import normalize
from bot.text.tokenizer import Segmenter

__all__ = ["PATCH_MIN_ARTICLES", "PATCH_SHARE", "Builder", "Knowledge", "build_knowledge"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Names:
    """What a build found out about names, before anything is tokenised."""

    entities: EntityTable
    quoted: frozenset[str]
    same: bool  # the same names as the previous build's
    lexicons: Lexicons
    fuzzy: FuzzyIndex
    segmenter: Segmenter


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
    # keep each built snapshot in ``cache_dir/snapshot.sqlite`` and open it at the next start
    # when pages, rules and code are unchanged (bot.knowledge.ondisk)
    stored: bool = True
    _tokens: ArticleTokens = field(init=False)
    _rules: RulesReader = field(init=False)
    _keeper: SnapshotKeeper = field(init=False)
    _pages: PageCache = field(default_factory=PageCache, init=False)
    _slots: dict[str, int] = field(default_factory=dict, init=False)
    _entity_memo: EntityMemo = field(default_factory=EntityMemo, init=False)
    _texts: dict[Hashable, str] = field(default_factory=dict, init=False)
    _quoted: dict[Hashable, frozenset[str]] = field(default_factory=dict, init=False)
    _previous: Previous | None = field(default=None, init=False)
    _lexicon_seen: str = field(default="", init=False)  # what the caches were parsed with
    patched: bool = field(default=False, init=False)  # the last build patched the index
    extended: bool = field(default=False, init=False)  # the last build added pages to a file's
    # the live snapshot when it was opened from its file (or made from one by adding pages):
    # what pages added next are laid over, without a full build (bot.knowledge.extend)
    _opened: Knowledge | None = field(default=None, init=False)
    _opened_quoted: frozenset[str] = field(default=frozenset(), init=False)
    _verified: PageCache = field(default_factory=PageCache, init=False)
    _writer: threading.Thread | None = field(default=None, init=False)
    reindexed: int = field(default=0, init=False)  # articles the last build (re)indexed

    def __post_init__(self) -> None:
        self._tokens = ArticleTokens(self.cache_dir / "analysis" if self.cache_dir else None)
        self._rules = RulesReader(self.intents)
        self._keeper = SnapshotKeeper(self.seeds, self.cache_dir if self.stored else None)

    def build(self) -> Knowledge:
        """Load, validate and index everything; raise InputError listing every problem."""
        started = time.perf_counter()
        problems: list[Problem] = []
        rules: Rules | None = None
        try:
            rules = self._rules.read()
        except RuleError as exc:
            problems.extend(exc.problems)
        if rules is None:  # only the seeds' problems are wanted, parsed with any lexicon
            problems.extend(load_seeds(self.seeds, None).problems)
            raise InputError(problems)
        key = self._keeper.key(rules)
        opened = self._open_stored(rules, key)
        reloading = self._previous is not None or self._opened is not None
        self.extended = False
        if opened is not None:
            return opened
        extended = self._extend_opened(rules, key)
        if extended is not None:
            return extended
        self._opened = None
        if rules.lexicon.fingerprint != self._lexicon_seen:
            # pages, facts and names were found with the old word lists: start afresh
            self._pages, self._entity_memo = PageCache(), EntityMemo()
            self._lexicon_seen = rules.lexicon.fingerprint
        with lexicon_module.active(rules.lexicon):
            loaded: LoadResult = load_seeds(self.seeds, self._pages, rules.lexicon)
            tokenizer.boundary_words()  # parsing an edited page later needs it here too
            problems.extend(loaded.problems)
            if problems:
                raise InputError(problems)
            collecting = gc.isenabled()
            gc.disable()  # a build allocates millions of objects: no collections meanwhile
            try:
                knowledge = self._assemble(loaded, rules, started)
            finally:
                if collecting:
                    gc.enable()
        self._tokens.retain_cache()
        self._store(knowledge, rules, key, reloading)
        _settle()
        self._publish(knowledge)
        return knowledge

    def flush(self) -> None:
        """Wait until the file for the next start is written (it is written in the
        background after pages were added)."""
        if self._writer is not None:
            self._writer.join()
            self._writer = None

    @staticmethod
    def _publish(knowledge: Knowledge) -> None:
        # unbound callers (code not answering through a snapshot yet) follow the last build
        tokenizer.publish(knowledge.segmenter)
        lexicon_module.publish(knowledge.rules.lexicon)

    def _open_stored(self, rules: Rules, key: str | None) -> Knowledge | None:
        """The stored snapshot, when this builder has not built one yet."""
        if self._previous is not None:
            return None
        with lexicon_module.active(rules.lexicon):
            knowledge = self._keeper.open(rules, key)
        if knowledge is not None:
            self.reindexed, self.patched = 0, False
            rows = stored_rows(knowledge)
            self._opened = knowledge
            self._opened_quoted = stored_quoted(rows) if rows else frozenset()
            self._publish(knowledge)
        return knowledge

    def _extend_opened(self, rules: Rules, key: str | None) -> Knowledge | None:
        """The opened snapshot with the pages added since, when that is all that changed."""
        base = self._opened
        if base is None or base.rules.fingerprint != rules.fingerprint:
            return None
        if base.rules.lexicon.fingerprint != rules.lexicon.fingerprint:
            return None
        rows = stored_rows(base)
        if rows is None:
            return None
        added = extend(base, self.seeds, rules, self._opened_quoted, self._tokens, self._verified)
        if added is None:
            return None
        knowledge = added.knowledge
        self._opened, self._opened_quoted = knowledge, added.quoted
        self.reindexed, self.patched, self.extended = len(added.articles), False, True
        if self.stored:
            self._writer = self._keeper.append(rows, added, rules, key)
        self._publish(knowledge)
        return knowledge

    def _store(self, knowledge: Knowledge, rules: Rules, key: str | None, reloading: bool) -> None:
        """Write the file for the next start: at a reload in the background (the bot serves
        the new snapshot meanwhile; writing a large archive takes seconds)."""
        if self._previous is not None:
            quoted = self._previous.quoted
            self._keeper.keep(knowledge, rules, key, quoted, background=reloading)

    def _assemble(self, loaded: LoadResult, rules: Rules, started: float) -> Knowledge:
        articles = loaded.articles
        if not articles:
            raise ContentError([Problem(str(self.seeds), 0, "no articles to serve")])
        previous = self._previous
        if previous is not None and previous.rules_fingerprint != rules.fingerprint:
            previous = None
        keys = [content_key(a) for a in articles]
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
            lexicons = make_lexicons(rules, entities, quoted)
            fuzzy = FuzzyIndex.build(entities.alias_to_key, person_names(entities))
        segmenter = self._segmenter(user_words(lexicons))
        names = _Names(entities, quoted, same_names, lexicons, fuzzy, segmenter)
        with tokenizer.active(segmenter):
            return self._finish(loaded, rules, started, previous, keys, texts, names)

    def _segmenter(self, words: Sequence[str]) -> Segmenter:
        """The new snapshot's segmenter; the last one (this builder's, else the current one)
        when the words are the same.  Segmenters are never changed once made, so a build
        that fails leaves the live snapshot's as it was."""
        last = self._previous.knowledge.segmenter if self._previous else tokenizer.current()
        return last.with_words(words)

    def _finish(
        self,
        loaded: LoadResult,
        rules: Rules,
        started: float,
        previous: Previous | None,
        keys: Sequence[str],
        texts: Sequence[str],
        names: _Names,
    ) -> Knowledge:
        """Tokens, mentions, topics and the index, with the new segmenter bound."""
        articles = loaded.articles
        entities, quoted, same_names = names.entities, names.quoted, names.same
        lexicons, fuzzy, segmenter = names.lexicons, names.fuzzy, names.segmenter
        cache = self._tokens.cache
        hits_before, misses_before = cache.hits, cache.misses
        analyses = self._tokens.analyses(articles, keys, texts, lexicons)
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
        index, chars, char_counts, self.patched = make_index(
            self._slots, articles, analyses, mentions, slots, unchanged, rules, previous
        )
        self.reindexed = len(articles) - len(unchanged)
        version = version_of(articles, rules)
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
            segmenter=segmenter,
            cache_hits=cache.hits - hits_before,
            cache_misses=cache.misses - misses_before,
            by_id={a.id: a for a in articles},
            slots=slots,
            normalised_texts={a.id: t for a, t in zip(articles, texts, strict=True)},
            normalised_titles={a.id: normalize(a.title) for a in articles},
        )
        self._previous = Previous(
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

    def _retain(self, keys: Sequence[Hashable]) -> None:
        """Forget what belongs to articles that are gone."""
        wanted = set(keys)
        self._texts = {k: v for k, v in self._texts.items() if k in wanted}
        self._quoted = {k: v for k, v in self._quoted.items() if k in wanted}
        self._tokens.retain(wanted)
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


def build_knowledge(seeds: Path, intents: Path, cache_dir: Path | None = None) -> Knowledge:
    return Builder(seeds, intents, cache_dir).build()
