"""The on-disk snapshot (bot/knowledge/ondisk): a start opens what the last build wrote.

What matters: an opened snapshot answers exactly as the built one (every table and every
answer compared), it is opened only for the very inputs it was built from, and a damaged or
foreign file costs a build, never a crash or a wrong answer.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import threading
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from tests_paths import INTENTS, SECOND_PAGE, SEEDS

from bot.answer.context import Conversation
from bot.answer.engine import Answerer
from bot.evaluate import load_questions
from bot.knowledge.build import Builder, Knowledge
from bot.knowledge.ondisk.keeper import SnapshotKeeper
from bot.knowledge.ondisk.write import FILE_NAME, snapshot_key

QUESTIONS = Path(__file__).resolve().parent / "qa" / "seed_page.yaml"
SECOND_QUESTIONS = Path(__file__).resolve().parent / "qa" / "second_page.yaml"


def _corpus(tmp_path: Path, *sources: Path) -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for source in sources:
        for file in source.iterdir():
            if file.is_file():
                shutil.copy2(file, seeds / file.name)
    return seeds


def _pair(seeds: Path, cache: Path) -> tuple[Knowledge, Knowledge]:
    """(the built snapshot, the one a second start opens from its file)."""
    built = Builder(seeds, INTENTS, cache).build()
    opened = Builder(seeds, INTENTS, cache).build()
    assert built.stored_heads is None and opened.stored_heads is not None
    return built, opened


def _same_mapping(built: Mapping[Any, Any], opened: Mapping[Any, Any]) -> None:
    assert len(opened) == len(built)
    assert list(opened) == list(built)
    for key, value in built.items():
        assert key in opened
        assert opened[key] == value
        assert opened.get(key) == value


def test_every_table_reads_back_as_built(tmp_path: Path) -> None:
    built, opened = _pair(_corpus(tmp_path, SEEDS, SECOND_PAGE), tmp_path / "cache")
    assert tuple(opened.articles) == built.articles
    assert [p.meta for p in opened.pages] == [p.meta for p in built.pages]
    assert [tuple(p.articles) for p in opened.pages] == [p.articles for p in built.pages]
    assert tuple(opened.heads) == built.heads
    assert opened.fact_count == built.fact_count
    assert (opened.version, opened.slots) == (built.version, built.slots)
    _same_mapping(built.by_id, opened.by_id)
    _same_mapping(built.normalised_texts, opened.normalised_texts)
    _same_mapping(built.normalised_titles, opened.normalised_titles)
    index, stored = built.index, opened.index
    for name in (
        "refs",
        "texts",
        "mentions",
        "paragraph_mentions",
        "paragraph_texts",
        "heads",
        "section_mentions",
        "article_mentions",
        "article_keys",
    ):
        _same_mapping(getattr(index, name), getattr(stored, name))
    assert set(stored.postings) == set(index.postings)
    for term, keys in index.postings.items():
        assert stored.postings[term] == keys
        assert stored.idf(term) == index.idf(term)
    assert (stored.size, stored.chars) == (index.size, index.chars)
    _same_mapping(built.entities.entities, opened.entities.entities)
    _same_mapping(built.entities.alias_to_key, opened.entities.alias_to_key)
    assert opened.entities.ordered_aliases == built.entities.ordered_aliases
    assert opened.entities.prefixes == built.entities.prefixes
    for name in ("by_sound", "by_mask", "by_bigram", "bigram_lengths"):
        _same_mapping(getattr(built.fuzzy, name), getattr(opened.fuzzy, name))
    assert opened.fuzzy.lengths == built.fuzzy.lengths
    assert opened.fuzzy.sound_heads == built.fuzzy.sound_heads
    assert opened.topics == built.topics
    assert opened.segmenter.words == built.segmenter.words
    assert opened.lexicons.fingerprint == built.lexicons.fingerprint


@pytest.mark.parametrize(
    ("sources", "questions"), [((SEEDS,), QUESTIONS), ((SECOND_PAGE,), SECOND_QUESTIONS)]
)
def test_opened_snapshot_answers_exactly_as_the_built_one(
    tmp_path: Path, sources: tuple[Path, ...], questions: Path
) -> None:
    built, opened = _pair(_corpus(tmp_path, *sources), tmp_path / "cache")
    first, second = Answerer(built), Answerer(opened)
    one, other = Conversation(), Conversation()
    items = load_questions(questions)
    assert len(items) > 30
    for item in items:
        assert repr(second.answer(item.question, other)) == repr(
            first.answer(item.question, one)
        ), item.question


def test_a_changed_page_or_other_rules_are_built_not_opened(tmp_path: Path) -> None:
    seeds, cache = _corpus(tmp_path, SEEDS), tmp_path / "cache"
    Builder(seeds, INTENTS, cache).build()
    page = next(p for p in sorted(seeds.iterdir()) if p.suffix == ".txt")
    page.write_text(page.read_text(encoding="utf-8") + "\n本报讯 新增的一段。\n", encoding="utf-8")
    rebuilt = Builder(seeds, INTENTS, cache).build()
    assert rebuilt.stored_heads is None  # built again …
    assert Builder(seeds, INTENTS, cache).build().stored_heads is not None  # … and kept
    rules = tmp_path / "intents"
    shutil.copytree(INTENTS, rules)
    synonyms = rules / "synonyms.yaml"
    synonyms.write_text(synonyms.read_text(encoding="utf-8") + "\n# 注释\n", encoding="utf-8")
    assert Builder(seeds, rules, cache).build().stored_heads is None


def test_the_key_covers_file_names_contents_and_the_directory_name(tmp_path: Path) -> None:
    seeds = _corpus(tmp_path, SEEDS)
    rules = Builder(seeds, INTENTS)._rules.read()
    key = snapshot_key(seeds, rules)
    assert snapshot_key(seeds, rules) == key
    renamed = tmp_path / "other-name"
    shutil.copytree(seeds, renamed)
    assert snapshot_key(renamed, rules) != key  # sources name their directory
    (seeds / "extra.yaml").write_text("date: 2026-01-02\n", encoding="utf-8")
    assert snapshot_key(seeds, rules) != key


@pytest.mark.parametrize("damage", ["garbage", "truncated", "foreign table", "bad row"])
def test_a_damaged_file_costs_a_build_not_a_crash(
    tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    seeds, cache = _corpus(tmp_path, SEEDS), tmp_path / "cache"
    built = Builder(seeds, INTENTS, cache).build()
    path = cache / FILE_NAME
    if damage == "garbage":
        path.write_bytes(b"not a database at all\n" * 100)
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:4096])
    else:
        connection = sqlite3.connect(path)
        if damage == "foreign table":
            connection.execute("DROP TABLE entities")
        else:
            connection.execute("UPDATE meta SET value = '[1, 2' WHERE name = 'heads'")
        connection.commit()
        connection.close()
    with caplog.at_level(logging.WARNING):
        again = Builder(seeds, INTENTS, cache).build()
    assert again.stored_heads is None
    assert again.articles == built.articles
    assert "damaged" in caplog.text or "not opened" in caplog.text
    assert Builder(seeds, INTENTS, cache).build().stored_heads is not None  # written anew


def test_a_file_of_another_key_is_not_opened(tmp_path: Path) -> None:
    seeds, cache = _corpus(tmp_path, SEEDS), tmp_path / "cache"
    Builder(seeds, INTENTS, cache).build()
    connection = sqlite3.connect(cache / FILE_NAME)
    connection.execute("UPDATE meta SET value = '\"0000\"' WHERE name = 'key'")
    connection.commit()
    connection.close()
    assert Builder(seeds, INTENTS, cache).build().stored_heads is None


def test_the_file_is_sqlite_data_not_pickle(tmp_path: Path) -> None:
    seeds, cache = _corpus(tmp_path, SEEDS), tmp_path / "cache"
    Builder(seeds, INTENTS, cache).build()
    assert (cache / FILE_NAME).read_bytes()[:16] == b"SQLite format 3\x00"
    assert not list(cache.glob(".snapshot-*"))  # no temporary file left behind


def test_an_unwritable_cache_still_serves(read_only_dir: Path) -> None:
    knowledge = Builder(SEEDS, INTENTS, read_only_dir).build()
    assert knowledge.articles and knowledge.stored_heads is None


def test_a_reload_after_opening_builds_only_when_something_changed(tmp_path: Path) -> None:
    seeds, cache = _corpus(tmp_path, SEEDS), tmp_path / "cache"
    Builder(seeds, INTENTS, cache).build()
    builder = Builder(seeds, INTENTS, cache)
    assert builder.build().stored_heads is not None
    assert builder.build().stored_heads is not None  # nothing changed: opened again
    assert not builder.extended
    shutil.copy2(next(SECOND_PAGE.glob("*.txt")), seeds / "zz_new_page.txt")
    grown = builder.build()  # a page added: laid over the opened file (tests/test_extend.py)
    assert builder.extended and builder.reindexed == len(grown.articles) - len(
        grown.pages[0].articles
    )
    assert any(a.file.endswith("zz_new_page.txt") for a in grown.articles)
    builder.flush()  # the file now holds the added page too
    (seeds / "zz_new_page.txt").unlink()
    shrunk = builder.build()  # a page removed: a full build
    assert not builder.extended and shrunk.stored_heads is None


def test_opened_snapshot_answers_from_several_threads(tmp_path: Path) -> None:
    _, opened = _pair(_corpus(tmp_path, SEEDS), tmp_path / "cache")
    answerer = Answerer(opened)
    questions = [item.question for item in load_questions(QUESTIONS)][:40]
    expected = [repr(answerer.answer(q)) for q in questions]
    failures: list[str] = []

    def ask() -> None:
        for question, answer in zip(questions, expected, strict=True):
            if repr(answerer.answer(question)) != answer:
                failures.append(question)

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_stored_builds_can_be_switched_off(tmp_path: Path) -> None:
    seeds, cache = _corpus(tmp_path, SEEDS), tmp_path / "cache"
    Builder(seeds, INTENTS, cache, stored=False).build()
    assert not (cache / FILE_NAME).exists()


def test_a_reload_writes_its_file_in_the_background(tmp_path: Path) -> None:
    seeds, cache = _corpus(tmp_path, SEEDS), tmp_path / "cache"
    builder = Builder(seeds, INTENTS, cache)
    knowledge = builder.build()
    rules = builder._rules.read()
    (cache / FILE_NAME).unlink()
    keeper = SnapshotKeeper(seeds, cache)
    writer = keeper.keep(knowledge, rules, keeper.key(rules), frozenset(), background=True)
    assert writer is not None
    writer.join()
    opened = Builder(seeds, INTENTS, cache).build()
    assert opened.stored_heads is not None and tuple(opened.articles) == knowledge.articles


def test_a_cache_directory_with_uri_characters_in_its_name(tmp_path: Path) -> None:
    seeds, cache = _corpus(tmp_path, SEEDS), tmp_path / "cache #1?x=y"
    Builder(seeds, INTENTS, cache).build()
    assert Builder(seeds, INTENTS, cache).build().stored_heads is not None


def test_an_opened_snapshot_with_other_articles_reads_their_heads(tmp_path: Path) -> None:
    _, opened = _pair(_corpus(tmp_path, SEEDS), tmp_path / "cache")
    fewer = replace(opened, articles=tuple(opened.articles)[1:])
    assert fewer.stored_heads is None
    assert [h.id for h in fewer.heads] == [a.id for a in opened.articles][1:]
    assert fewer.fact_count == sum(len(a.facts) for a in tuple(opened.articles)[1:])
