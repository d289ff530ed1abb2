"""Adding pages to a snapshot opened from its file, reading only the added pages.

An editor adds a day's pages to an archive the bot opened from its snapshot file; a full
build would parse, cut and index every page again (a minute at a thousand pages).  Here
only the added pages are parsed, cut, named and indexed; they become a layer over the
stored snapshot (:mod:`bot.knowledge.layered`), and the file for the next start is the
stored one with that layer written into it.

What this does not do, and a full build does: cut the older pages again for the names the
added pages bring (a name first given a fact today is found in today's pages and in
questions, not in a passing mention of it last month), and take back an alias the archive
gave an entity.  So it runs only when the stored pages are unchanged and the rules are the
same; anything else — an edited or removed page, new rules, names the new pages join in a
way the stored table keeps apart — is a full build, as before.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bot.content import lexicon as lexicon_module
from bot.content.loader import (
    LoadResult,
    Page,
    PageCache,
    label_for,
    load_seeds,
    page_files,
    source_hash,
)
from bot.content.model import Article
from bot.errors import ContentError
from bot.knowledge.analysis import Lexicons, resolve_mentions
from bot.knowledge.entities import build_entities, quoted_terms
from bot.knowledge.entity_merge import NamesConflict, merge_entities
from bot.knowledge.entity_model import Entity, EntityTable
from bot.knowledge.fuzzy import FuzzyIndex
from bot.knowledge.index import SentenceIndex, build_index
from bot.knowledge.inputs import (
    COREF_SUFFIXES,
    content_key,
    person_names,
    user_words,
)
from bot.knowledge.layered import JoinedArticles, JoinedNames, Layered, LayeredPostings
from bot.knowledge.ondisk.views import Rows, StoredArticles
from bot.knowledge.snapshot import Knowledge
from bot.knowledge.tokens import ArticleTokens
from bot.knowledge.topics import TopicTags, tag_sections
from bot.rules.model import Rules
from bot.text import tokenizer
from bot.text.normalize import normalize

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Added:
    """The snapshot with the added pages, and what the stored file lacks of it."""

    knowledge: Knowledge
    # all laid over the stored snapshot since it was opened (every page added since):
    articles: tuple[Article, ...]  # the added pages' articles
    index: SentenceIndex  # their sentences alone
    entities: Mapping[str, Entity]  # new and changed entities, by key
    fuzzy: FuzzyIndex  # the name-table rows that are new or grew
    quoted: frozenset[str]  # every quoted phrase, the stored ones too


def stored_pages(base: Knowledge, seeds: Path, verified: PageCache) -> PageCache | None:
    """A page cache holding ``base``'s pages for the files they were parsed from, when every
    stored page is still its file (checked by content; ``verified`` remembers the files
    checked before, by size and time), else None."""
    files = page_files(seeds)
    if len(files) <= len(base.pages):
        return None
    cache = PageCache()
    for page, path in zip(base.pages, files, strict=False):
        label = label_for(seeds, path)
        known = verified.get(path, label)
        if known is not page:
            try:
                if source_hash(path) != page.source_hash:
                    return None
            except ContentError:
                return None
            verified.put(path, label, page)
        cache.put(path, label, page)
    return cache


def extend(
    base: Knowledge,
    seeds: Path,
    rules: Rules,
    quoted: frozenset[str],
    tokens: ArticleTokens,
    verified: PageCache,
) -> Added | None:
    """``base`` with the pages added to ``seeds`` since it was built, or None when only a
    full build can give the right snapshot (then nothing has changed)."""
    started = time.perf_counter()
    cache = stored_pages(base, seeds, verified)
    if cache is None:
        return None
    with lexicon_module.active(rules.lexicon):
        loaded = load_seeds(seeds, cache, rules.lexicon)
        pages = _added_pages(base, loaded)
        if pages is None:
            return None
        articles = tuple(a for p in pages for a in p.articles)
        if any(a.id in base.by_id for a in articles) or len({a.id for a in articles}) < len(
            articles
        ):
            return None
        texts = [normalize(a.text) for a in articles]
        own = build_entities(articles, rules.synonyms, texts, rules.synonym_kinds)
        try:
            entities, layer = merge_entities(base.entities, own)
        except NamesConflict as exc:
            logger.info("added pages need a full build: %s", exc)
            return None
        quoted = quoted | frozenset(quoted_terms(p.text for a in articles for p in a.paragraphs))
        lexicons = _grown_lexicons(base.lexicons, base.entities, entities, quoted)
        segmenter = base.segmenter.with_words(user_words(lexicons))
        with tokenizer.active(segmenter):
            keys = [content_key(a) for a in articles]
            analyses = tokens.analyses(articles, keys, texts, lexicons)
            mentions = {
                a.id: resolve_mentions(a, analyses[a.id], entities.alias_to_key, COREF_SUFFIXES)
                for a in articles
            }
            first = max(base.slots.values(), default=-1) + 1
            slots = {a.id: first + i for i, a in enumerate(articles)}
            reference = rules.thresholds.idf_reference_sentences
            index = build_index(articles, analyses, mentions, slots, reference)
            topics = tag_sections(articles, rules.topics, rules.synonyms)
            fuzzy = _new_names(base, entities, layer)
    elapsed = time.perf_counter() - started
    knowledge = Knowledge(
        articles=JoinedArticles(base.articles, articles),
        pages=(*base.pages, *pages),
        rules=rules,
        entities=entities,
        index=_joined_index(base.index, index),
        topics=_joined_topics(base.topics, topics),
        lexicons=lexicons,
        fuzzy=_joined_fuzzy(base.fuzzy, fuzzy),
        version=_version(base.version, articles),
        built_at=dt.datetime.now(dt.UTC),
        build_seconds=elapsed,
        segmenter=segmenter,
        cache_hits=tokens.cache.hits,
        cache_misses=len(articles),
        by_id=Layered({a.id: a for a in articles}, base.by_id, disjoint=True),
        slots={**base.slots, **slots},
        normalised_texts=Layered(
            {a.id: t for a, t in zip(articles, texts, strict=True)},
            base.normalised_texts,
            disjoint=True,
        ),
        normalised_titles={
            **base.normalised_titles,
            **{a.id: normalize(a.title) for a in articles},
        },
    )
    logger.info(
        "knowledge %s: %d pages (%d articles) added to the stored snapshot in %.2fs",
        knowledge.version,
        len(pages),
        len(articles),
        elapsed,
    )
    return _layer_of(knowledge, quoted)


def _layer_of(knowledge: Knowledge, quoted: frozenset[str]) -> Added:
    """Everything laid over the stored snapshot since it was opened (every day's pages
    added since, not only today's: the file is written from the stored one each time)."""
    index, entities, fuzzy = knowledge.index, knowledge.entities.entities, knowledge.fuzzy
    assert isinstance(knowledge.articles, JoinedArticles) and isinstance(entities, Layered)
    assert isinstance(index.postings, LayeredPostings)
    assert isinstance(fuzzy.by_sound, JoinedNames) and isinstance(fuzzy.by_mask, JoinedNames)
    assert isinstance(fuzzy.by_bigram, JoinedNames)

    def top(table: Mapping[Any, Any]) -> Mapping[Any, Any]:
        return table.top if isinstance(table, Layered) else table

    layer = SentenceIndex(
        refs=top(index.refs),
        texts=top(index.texts),
        mentions=top(index.mentions),
        postings=index.postings.top,
        paragraph_mentions=top(index.paragraph_mentions),
        paragraph_texts=top(index.paragraph_texts),
        heads=top(index.heads),
        chars=index.chars,
        section_mentions=top(index.section_mentions),
        article_mentions=top(index.article_mentions),
        article_keys=top(index.article_keys),
    )
    names = FuzzyIndex(fuzzy.by_sound.top, fuzzy.by_mask.top, fuzzy.by_bigram.top, ())
    return Added(knowledge, knowledge.articles.added, layer, entities.top, names, quoted)


def stored_rows(knowledge: Knowledge) -> Rows | None:
    """The file connection of a snapshot opened from its file (or of the one it extends)."""
    articles = knowledge.articles
    if isinstance(articles, JoinedArticles):
        articles = articles.base
    return articles.rows if isinstance(articles, StoredArticles) else None


def _added_pages(base: Knowledge, loaded: LoadResult) -> tuple[Page, ...] | None:
    """The pages after the stored ones, when the stored ones come first and unchanged."""
    if loaded.problems or len(loaded.pages) <= len(base.pages):
        return None  # a full build reports the problems, file by file
    if any(new is not old for new, old in zip(loaded.pages, base.pages, strict=False)):
        return None
    return loaded.pages[len(base.pages) :]


def _grown_lexicons(
    lexicons: Lexicons, stored: EntityTable, entities: EntityTable, quoted: frozenset[str]
) -> Lexicons:
    """The stored snapshot's lexicons with the added names and quoted phrases: what
    ``make_lexicons`` gives for the merged table (the rules are the same), without matching
    tables of every name made again."""
    names = [(a, a) for a in entities.alias_to_key if a not in stored.alias_to_key]
    return replace(
        lexicons,
        aliases=lexicons.aliases.with_phrases(names),
        user_words=lexicons.user_words.with_phrases([*names, *((q, q) for q in quoted)]),
    )


def _new_names(base: Knowledge, entities: EntityTable, layer: Mapping[str, Entity]) -> FuzzyIndex:
    """The fuzzy tables of the names the stored snapshot does not have."""
    names = [a for e in layer.values() for a in e.aliases if a not in base.entities.alias_to_key]
    table = EntityTable(layer, entities.alias_to_key)
    short = [a for a in person_names(table) if a not in base.entities.alias_to_key]
    return FuzzyIndex.build(names, short)


def _joined_index(stored: SentenceIndex, added: SentenceIndex) -> SentenceIndex:
    return SentenceIndex(
        refs=Layered(added.refs, stored.refs, disjoint=True),
        texts=Layered(added.texts, stored.texts, disjoint=True),
        mentions=Layered(added.mentions, stored.mentions, disjoint=True),
        postings=LayeredPostings(added.postings, stored.postings),
        paragraph_mentions=Layered(
            added.paragraph_mentions, stored.paragraph_mentions, disjoint=True
        ),
        paragraph_texts=Layered(added.paragraph_texts, stored.paragraph_texts, disjoint=True),
        heads=Layered(added.heads, stored.heads, disjoint=True),
        chars=stored.chars | added.chars,
        section_mentions=Layered(added.section_mentions, stored.section_mentions, disjoint=True),
        article_mentions=Layered(added.article_mentions, stored.article_mentions, disjoint=True),
        article_keys=Layered(added.article_keys, stored.article_keys, disjoint=True),
        size=stored.size + added.size,
        reference_sentences=stored.reference_sentences,
    )


def _joined_topics(stored: TopicTags, added: TopicTags) -> TopicTags:
    by_topic = dict(stored.by_topic)
    for topic, sections in added.by_topic.items():
        by_topic[topic] = (*by_topic.get(topic, ()), *sections)
    return TopicTags(
        {**stored.by_section, **added.by_section},
        by_topic,
        {**stored.by_article, **added.by_article},
    )


def _joined_fuzzy(stored: FuzzyIndex, added: FuzzyIndex) -> FuzzyIndex:
    lengths = dict(stored.bigram_lengths)
    for gram, found in added.bigram_lengths.items():
        lengths[gram] = lengths.get(gram, frozenset()) | found
    return FuzzyIndex(
        by_sound=JoinedNames(added.by_sound, stored.by_sound),
        by_mask=JoinedNames(added.by_mask, stored.by_mask),
        by_bigram=JoinedNames(added.by_bigram, stored.by_bigram),
        lengths=tuple(sorted({*stored.lengths, *added.lengths}, reverse=True)),
        sound_heads=stored.sound_heads | added.sound_heads,
        bigram_lengths=lengths,
    )


def _version(stored: str, articles: Sequence[Article]) -> str:
    digest = hashlib.sha256(stored.encode())
    for article in articles:
        digest.update(article.content_hash.encode())
    return digest.hexdigest()[:12]
