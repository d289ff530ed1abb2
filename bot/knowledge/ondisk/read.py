"""Opening a stored snapshot: a Knowledge whose per-sentence tables and articles stay on disk.

What is read at open is what every question may touch as a whole — entities, the fuzzy
name index, topic tags, which terms exist and how often, article ids and titles; the rest
(articles, sentence texts, mentions, paragraphs, posting lists) is read by key through
:mod:`bot.knowledge.ondisk.views`.  The lexicons and the segmenter are made again from the
rules and the stored names (a tenth of a second), so nothing of them is stored.

A file that is missing, of another format or key, or unreadable in any way opens as
``None``: the caller builds from the pages instead (and writes a new file).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import sqlite3
import typing
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

from bot.content.loader import Page
from bot.content.model import Article, ArticleHead, PageMeta
from bot.knowledge.entity_model import Entity, EntityTable
from bot.knowledge.fuzzy import FuzzyIndex
from bot.knowledge.index import SentenceIndex, SentenceRef
from bot.knowledge.inputs import make_lexicons, user_words
from bot.knowledge.ondisk.codec import CodecError, decode, decoder
from bot.knowledge.ondisk.lazy import DecodedOnUse, ValuesOnRead
from bot.knowledge.ondisk.views import (
    ArticlesById,
    Rows,
    StoredArticles,
    StoredMap,
    StoredPostings,
)
from bot.knowledge.ondisk.write import FILE_NAME, FORMAT, SEPARATOR
from bot.knowledge.snapshot import Knowledge
from bot.knowledge.topics import TopicTags
from bot.rules.model import Rules
from bot.text import tokenizer

logger = logging.getLogger(__name__)


class SnapshotFileError(ValueError):
    """A stored snapshot that cannot be used (of another key, format, or damaged)."""


def open_snapshot(directory: Path, key: str, rules: Rules) -> Knowledge | None:
    """The snapshot stored in ``directory`` if it was built from ``key``'s inputs, else None."""
    path = directory / FILE_NAME
    if not path.is_file():
        return None
    try:
        # read-only; as a URI, so that a directory name holding ? or # is still a path
        uri = path.resolve().as_uri() + "?mode=ro"
        connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
    except sqlite3.Error as exc:
        logger.warning("stored snapshot %s not opened: %s", path, exc)
        return None
    rows = Rows(connection)
    try:
        return _knowledge(rows, key, rules)
    except SnapshotFileError as exc:
        logger.info("stored snapshot %s not used: %s", path, exc)
    except (sqlite3.Error, CodecError, ValueError, KeyError, TypeError, IndexError) as exc:
        logger.warning("stored snapshot %s is damaged (%s): building instead", path, exc)
    rows.close()
    return None


def _mentions(text: str) -> frozenset[str]:
    return frozenset(text.split(SEPARATOR)) if text else frozenset()


def _knowledge(rows: Rows, key: str, rules: Rules) -> Knowledge:
    meta = dict(rows.all("meta"))
    if json.loads(meta.get("format", "null")) != FORMAT:
        raise SnapshotFileError("another format")
    if json.loads(meta["key"]) != key:
        raise SnapshotFileError("built from other pages, rules or code")
    value: dict[str, Any] = {name: json.loads(text) for name, text in meta.items()}
    entities = _entities(rows, value)
    lexicons = make_lexicons(rules, entities, frozenset(value["quoted"]))
    segmenter = tokenizer.current().with_words(user_words(lexicons))
    ids = [row[0] for row in rows.all("article_ids")]
    positions = {article_id: i for i, article_id in enumerate(ids)}
    article_type = decoder(Article)
    articles = StoredArticles(
        rows,
        lambda body: article_type(json.loads(body)),
        len(ids),
        heads=decode(tuple[ArticleHead, ...], value["heads"]),
        fact_count=int(value["fact_count"]),
    )
    by_id = ArticlesById(articles, positions)
    return Knowledge(
        articles=articles,
        pages=_pages(value["pages"], articles),
        rules=rules,
        entities=entities,
        index=_index(rows, value),
        topics=_topics(value["topics"]),
        lexicons=lexicons,
        fuzzy=_fuzzy(rows, value),
        version=value["version"],
        built_at=dt.datetime.fromisoformat(value["built_at"]),
        build_seconds=float(value["build_seconds"]),
        segmenter=segmenter,
        by_id=by_id,
        slots=dict(value["slots"]),
        normalised_texts=StoredMap(rows, "normalised", _first, cache=64),
        normalised_titles=dict(value["titles"]),
    )


def _entities(rows: Rows, value: Mapping[str, Any]) -> EntityTable:
    """Aliases in memory (every question is matched against all of them), entities read by
    key when a question names one."""
    entity = decoder(Entity)
    return EntityTable(
        entities=StoredMap(rows, "entity", lambda row: entity(json.loads(row[0])), cache=8192),
        alias_to_key=decode(dict[str, str], value["alias_to_key"]),
        prefixes=frozenset(value["prefixes"]),
        ordered_aliases=tuple(value["ordered_aliases"]),
    )


def _fuzzy(rows: Rows, value: Mapping[str, Any]) -> FuzzyIndex:
    """The name index for typing slips, its tables read by key (a name with one character
    masked is looked up a few times per question, among millions of masks)."""

    return FuzzyIndex(
        by_sound=StoredMap(rows, "sound", _names),
        by_mask=StoredMap(rows, "mask", _names),
        by_bigram=StoredMap(
            rows, "bigram", _names, key_params=tuple, key_of=lambda row: (row[0], row[1])
        ),
        lengths=tuple(value["fuzzy_lengths"]),
        sound_heads=decode(frozenset[tuple[str, int]], value["sound_heads"]),
        bigram_lengths=ValuesOnRead(dict(value["bigram_lengths"]), decoder(frozenset[int])),
    )


def _topics(raw: Any) -> TopicTags:
    """Topic tags decoded when read: an answer reads its article's topics (a value of a
    table keyed by text, decoded alone), a digest the rest (decoded whole when first read);
    a tenth of a second of every start at a thousand pages."""
    hints = typing.get_type_hints(TopicTags)
    fields = [f.name for f in dataclasses.fields(TopicTags)]
    if type(raw) is not list or len(raw) != len(fields):
        raise CodecError("TopicTags: expected one value per field")
    tables: list[Mapping[Any, Any]] = []
    for name, part in zip(fields, raw, strict=True):
        key, value = typing.get_args(hints[name])
        if key is str:  # pairs with text keys: a dict in one call, values decoded when read
            tables.append(ValuesOnRead(dict(part), decoder(value)))
        else:
            tables.append(DecodedOnUse(partial(decode, hints[name], part)))
    return TopicTags(*tables)


def _pages(raw: list[Any], articles: StoredArticles) -> tuple[Page, ...]:
    meta_type = decoder(PageMeta)
    pages, start = [], 0
    for meta, source_hash, count in raw:
        pages.append(Page(meta_type(meta), articles.window(start, count), source_hash))
        start += count
    if start != len(articles):
        raise SnapshotFileError("pages do not hold every article")
    return tuple(pages)


def _index(rows: Rows, value: Mapping[str, Any]) -> SentenceIndex:
    def place(row: tuple[Any, ...]) -> tuple[str, int, int]:
        return (row[0], row[1], row[2])

    def section(row: tuple[Any, ...]) -> tuple[str, int]:
        return (row[0], row[1])

    def ref(row: tuple[Any, ...]) -> SentenceRef:
        return SentenceRef(row[0], row[1], row[2], row[3], row[4])

    def mentions(row: tuple[Any, ...]) -> frozenset[str]:
        return _mentions(row[0])

    return SentenceIndex(
        refs=StoredMap(rows, "ref", ref, cache=16384),
        texts=StoredMap(rows, "text", _first),
        mentions=StoredMap(rows, "mentions", mentions),
        postings=StoredPostings(rows, dict(rows.all("frequencies"))),
        paragraph_mentions=StoredMap(
            rows, "paragraph_mentions", mentions, key_params=tuple, key_of=place
        ),
        paragraph_texts=StoredMap(rows, "paragraph_text", _first, key_params=tuple, key_of=place),
        heads=StoredMap(rows, "head", _first, key_params=tuple, key_of=section),
        chars=frozenset(value["chars"]),
        section_mentions=StoredMap(
            rows, "section_mentions", mentions, key_params=tuple, key_of=section
        ),
        article_mentions=ValuesOnRead(value["article_mentions"], decoder(frozenset[str])),
        article_keys=ValuesOnRead(value["article_keys"], decoder(tuple[int, ...])),
        size=int(value["size"]),
        reference_sentences=int(value["reference_sentences"]),
    )


def _first(row: tuple[Any, ...]) -> Any:
    return row[0]


def _names(row: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple(row[0].split(SEPARATOR))


__all__ = ["SnapshotFileError", "open_snapshot"]
