"""Writing a built snapshot to one SQLite file, for the next start to open instead of build.

Why SQLite: one file that a rename swaps whole, rows read by key without loading the rest,
no code on the load path (pickle runs what the file says), and readable with any SQLite
tool.  Per-sentence tables (texts, mentions, places, posting lists) stay on disk and are
read when a question needs them; the small tables a question reads whole (entities, topic
tags, which terms exist) are JSON in ``meta``.  docs/scaling.md has the measurements.

The file is written under a temporary name and renamed when complete, so a crash while
writing leaves the previous file (or none), never half of one; a process still reading
the old file keeps reading it (the rename does not touch an open file).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from bot.content.model import Article
from bot.knowledge.entity_model import Entity
from bot.knowledge.index import SentenceIndex
from bot.knowledge.ondisk.codec import encode
from bot.knowledge.snapshot import Knowledge
from bot.rules.model import Rules

logger = logging.getLogger(__name__)

FORMAT = "newsbot-snapshot/1"
FILE_NAME = "snapshot.sqlite"
SEPARATOR = "\x1f"  # between the entity keys of a mention set (keys never hold it)

SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles (position INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
                       body TEXT NOT NULL, normalised TEXT NOT NULL);
CREATE TABLE sentences (key INTEGER PRIMARY KEY, article_id TEXT NOT NULL,
                        section INTEGER NOT NULL, paragraph INTEGER NOT NULL,
                        idx INTEGER NOT NULL, text TEXT NOT NULL, mentions TEXT NOT NULL);
CREATE TABLE paragraphs (article_id TEXT NOT NULL, section INTEGER NOT NULL,
                         paragraph INTEGER NOT NULL, text TEXT, mentions TEXT,
                         PRIMARY KEY (article_id, section, paragraph));
CREATE TABLE sections (article_id TEXT NOT NULL, section INTEGER NOT NULL,
                       head TEXT, mentions TEXT, PRIMARY KEY (article_id, section));
CREATE TABLE postings (term TEXT PRIMARY KEY, keys BLOB NOT NULL);
CREATE TABLE entities (key TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE sounds (key TEXT PRIMARY KEY, names TEXT NOT NULL);
CREATE TABLE masks (key TEXT PRIMARY KEY, names TEXT NOT NULL);
CREATE TABLE bigrams (gram TEXT NOT NULL, length INTEGER NOT NULL, names TEXT NOT NULL,
                      PRIMARY KEY (gram, length));
"""


@cache
def code_fingerprint() -> str:
    """A digest of the bot's own files: a snapshot built by other code (another parser,
    other facts) must not be opened by this one."""
    root = Path(__file__).resolve().parents[2]
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".yaml", ".txt", ".json") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def snapshot_key(seeds: Path, rules: Rules) -> str:
    """What a snapshot was built from: the store format, the code, the rules and every file
    of the seeds directory (pages and sidecars), by content."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (
        FORMAT,
        code_fingerprint(),
        rules.fingerprint,
        rules.lexicon.fingerprint,
        seeds.name,
    ):
        digest.update(part.encode() + b"\0")
    for path in sorted(seeds.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            digest.update(path.name.encode() + b"\0")
            digest.update(hashlib.blake2b(path.read_bytes(), digest_size=16).digest())
    return digest.hexdigest()


def mention_text(keys: Iterable[str]) -> str:
    return SEPARATOR.join(sorted(keys))


def write_snapshot(
    knowledge: Knowledge, directory: Path, key: str, quoted: frozenset[str]
) -> Path:
    """Write ``knowledge`` as ``directory/snapshot.sqlite`` (replacing the last one)."""

    def fill(connection: sqlite3.Connection) -> None:
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        connection.executescript(SCHEMA)
        _fill(connection, knowledge, key, quoted)

    target = replace_file(directory, fill)
    logger.info("snapshot %s written to %s", knowledge.version, target)
    return target


def replace_file(directory: Path, fill: Callable[[sqlite3.Connection], None]) -> Path:
    """``directory/snapshot.sqlite`` made by ``fill`` under a temporary name and renamed when
    complete: a crash leaves the previous file (or none), never half of one."""
    directory.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".snapshot-", suffix=".tmp", dir=directory)
    os.close(handle)
    target = directory / FILE_NAME
    try:
        connection = sqlite3.connect(temporary)
        try:
            fill(connection)
            connection.commit()
        finally:
            connection.close()
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def meta_rows(k: Knowledge, key: str, quoted: frozenset[str]) -> Iterator[tuple[str, str]]:
    """The ``meta`` table's rows: what a question reads whole, as JSON."""
    index = k.index
    meta: dict[str, Any] = {
        "format": FORMAT,
        "key": key,
        "version": k.version,
        "built_at": k.built_at.isoformat(),
        "build_seconds": k.build_seconds,
        "size": index.size,
        "reference_sentences": index.reference_sentences,
        "chars": "".join(sorted(index.chars)),
        "fact_count": k.fact_count,
        "quoted": sorted(quoted),
        "slots": k.slots,
        "titles": k.normalised_titles,
        "article_mentions": {i: sorted(m) for i, m in index.article_mentions.items()},
        "article_keys": dict(index.article_keys),
        "alias_to_key": encode(k.entities.alias_to_key),
        "prefixes": sorted(k.entities.prefixes),
        "ordered_aliases": k.entities.ordered_aliases,
        "fuzzy_lengths": k.fuzzy.lengths,
        "sound_heads": encode(k.fuzzy.sound_heads),
        "bigram_lengths": encode(k.fuzzy.bigram_lengths),
        "topics": encode(k.topics),
        "heads": encode(k.heads),
        "pages": [[encode(p.meta), p.source_hash, len(p.articles)] for p in k.pages],
    }
    return ((name, json.dumps(value, ensure_ascii=False)) for name, value in meta.items())


def _fill(connection: sqlite3.Connection, k: Knowledge, key: str, quoted: frozenset[str]) -> None:
    connection.executemany("INSERT INTO meta VALUES (?, ?)", meta_rows(k, key, quoted))
    insert_articles(connection, k.articles, 0, k.normalised_texts)
    insert_sentences(connection, k.index)
    connection.executemany("INSERT INTO entities VALUES (?, ?)", entity_rows(k.entities.entities))
    fuzzy = k.fuzzy
    connection.executemany("INSERT INTO sounds VALUES (?, ?)", _joined(fuzzy.by_sound))
    connection.executemany("INSERT INTO masks VALUES (?, ?)", _joined(fuzzy.by_mask))
    connection.executemany("INSERT INTO bigrams VALUES (?, ?, ?)", bigram_rows(fuzzy.by_bigram))
    connection.executemany(
        "INSERT INTO postings VALUES (?, ?)",
        ((term, keys.tobytes()) for term, keys in k.index.postings.items()),
    )


def insert_articles(
    connection: sqlite3.Connection,
    articles: Iterable[Article],
    start: int,
    normalised: Mapping[str, str],
) -> None:
    """The articles, at positions from ``start`` on."""
    connection.executemany(
        "INSERT INTO articles VALUES (?, ?, ?, ?)",
        ((start + i, a.id, _json(encode(a)), normalised[a.id]) for i, a in enumerate(articles)),
    )


def insert_sentences(connection: sqlite3.Connection, index: SentenceIndex) -> None:
    """The sentences, paragraphs and sections of ``index`` (the whole snapshot's, or the
    added pages' alone)."""
    connection.executemany(
        "INSERT INTO sentences VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            (
                ref.key,
                ref.article_id,
                ref.section,
                ref.paragraph,
                ref.index,
                index.texts[ref.key],
                mention_text(index.mentions[ref.key]),
            )
            for ref in index.refs.values()
        ),
    )
    # in the built tables' own order, which the views iterate in
    places = dict.fromkeys([*index.paragraph_texts, *index.paragraph_mentions])
    connection.executemany(
        "INSERT INTO paragraphs VALUES (?, ?, ?, ?, ?)",
        (
            (
                *place,
                index.paragraph_texts.get(place),
                _mentions_or_none(index.paragraph_mentions, place),
            )
            for place in places
        ),
    )
    sections = dict.fromkeys([*index.heads, *index.section_mentions])
    connection.executemany(
        "INSERT INTO sections VALUES (?, ?, ?, ?)",
        (
            (*place, index.heads.get(place), _mentions_or_none(index.section_mentions, place))
            for place in sections
        ),
    )


def entity_rows(entities: Mapping[str, Entity]) -> Iterator[tuple[str, str]]:
    return ((key, _json(encode(entity))) for key, entity in entities.items())


def bigram_rows(
    by_bigram: Mapping[tuple[str, int], tuple[str, ...]],
) -> Iterator[tuple[str, int, str]]:
    return ((gram, length, SEPARATOR.join(found)) for (gram, length), found in by_bigram.items())


def _joined(names: Mapping[str, tuple[str, ...]]) -> Iterator[tuple[str, str]]:
    return ((key, SEPARATOR.join(found)) for key, found in names.items())


def joined_rows(
    names: Mapping[str, tuple[str, ...]], keys: Iterable[str]
) -> Iterator[tuple[str, str]]:
    """Rows of a name table for ``keys`` only (what the added pages changed)."""
    return ((key, SEPARATOR.join(names[key])) for key in keys)


def _mentions_or_none(table: Mapping[Any, frozenset[str]], place: Any) -> str | None:
    found = table.get(place)
    return None if found is None else mention_text(found)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
