"""Reloads are incremental and exact: after pages are edited, added or removed, a Builder
that reuses its previous snapshot produces the same snapshot as a cold build of the same
files — same entities, topics and index — while re-indexing only what changed."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.knowledge.build import Builder, Knowledge
from bot.knowledge.index import SENTENCES_PER_SLOT, SentenceIndex

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def seeds(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "seeds"
    directory.mkdir()
    for source in (ROOT / "seeds", FIXTURES / "pages"):
        for path in source.iterdir():
            if path.suffix in (".txt", ".md", ".yaml"):
                shutil.copy(path, directory / path.name)
    yield directory


def canonical(index: SentenceIndex) -> dict[str, Any]:
    """The index with sentence keys as (article id, position): slots may differ."""

    def key(k: int) -> tuple[str, int]:
        return (index.refs[k].article_id, k % SENTENCES_PER_SLOT)

    return {
        "refs": {key(k): (r.section, r.paragraph, r.index) for k, r in index.refs.items()},
        "texts": {key(k): t for k, t in index.texts.items()},
        "mentions": {key(k): m for k, m in index.mentions.items()},
        "postings": {t: sorted(map(key, keys)) for t, keys in index.postings.items()},
        "paragraph_mentions": dict(index.paragraph_mentions),
        "paragraph_texts": dict(index.paragraph_texts),
        "heads": dict(index.heads),
        "chars": index.chars,
        "section_mentions": dict(index.section_mentions),
        "article_mentions": dict(index.article_mentions),
        "article_keys": {a: [key(k) for k in ks] for a, ks in index.article_keys.items()},
        "size": index.size,
    }


def assert_same(incremental: Knowledge, cold: Knowledge) -> None:
    assert incremental.version == cold.version
    assert [a.id for a in incremental.articles] == [a.id for a in cold.articles]
    assert incremental.entities == cold.entities
    assert incremental.topics == cold.topics
    assert incremental.fuzzy == cold.fuzzy
    assert canonical(incremental.index) == canonical(cold.index)


def cold_build(seeds: Path, cache: Path) -> Knowledge:
    return Builder(seeds, ROOT / "intents", cache).build()


def test_editing_an_article_patches_the_index(seeds: Path, cache_dir: Path) -> None:
    builder = Builder(seeds, ROOT / "intents", cache_dir)
    first = builder.build()
    assert not builder.patched and builder.reindexed == len(first.articles)
    page = seeds / "000_1137eb7e6b31fe41.txt"
    page.write_text(page.read_text(encoding="utf-8") + "\n记者还了解到，新产线将于年内投产。\n")
    second = builder.build()
    assert builder.patched and builder.reindexed == 1
    assert second.entities is first.entities  # no name changed: the inventory is reused
    assert_same(second, cold_build(seeds, cache_dir))


def test_adding_and_removing_pages_gives_the_cold_snapshot(seeds: Path, cache_dir: Path) -> None:
    builder = Builder(seeds, ROOT / "intents", cache_dir)
    builder.build()
    for path in (FIXTURES / "pages3").iterdir():
        if path.name.startswith("0") and path.suffix in (".txt", ".yaml"):
            shutil.copy(path, seeds / path.name)
            break
    added = builder.build()
    assert builder.patched
    assert_same(added, cold_build(seeds, cache_dir))
    removed_page = next(p for p in sorted(seeds.glob("*.txt")) if not p.name.startswith("000"))
    removed_page.unlink()
    removed_page.with_suffix(".yaml").unlink(missing_ok=True)
    after = builder.build()
    assert builder.patched
    assert_same(after, cold_build(seeds, cache_dir))


def test_unchanged_reload_reindexes_nothing(seeds: Path, cache_dir: Path) -> None:
    builder = Builder(seeds, ROOT / "intents", cache_dir)
    first = builder.build()
    again = builder.build()
    assert builder.reindexed == 0
    assert again.index.postings == first.index.postings
    assert again.entities is first.entities and again.lexicons is first.lexicons
