"""Pages added to a snapshot opened from its file: only they are parsed and indexed, the
answers are a cold build's, and the next start opens the file with them in it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_build import canonical

from bot.answer.engine import Answerer
from bot.evaluate import load_questions
from bot.knowledge.analysis import ENTITY_PREFIX
from bot.knowledge.build import Builder, Knowledge
from bot.knowledge.layered import JoinedArticles
from bot.knowledge.ondisk.views import StoredArticles

ROOT = Path(__file__).resolve().parent.parent
BLIND = Path(__file__).resolve().parent / "fixtures" / "blind"
QUESTIONS = Path(__file__).resolve().parent / "qa" / "blind"
FIRST, ADDED, THIRD = "101_nongcun", "104_wenlv", "108_keji"


def copy_page(name: str, seeds: Path) -> None:
    for path in (BLIND / name).iterdir():
        shutil.copy(path, seeds / path.name)


@pytest.fixture
def seeds(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "seeds"
    directory.mkdir()
    for path in (ROOT / "seeds").iterdir():
        if path.suffix in (".txt", ".yaml"):
            shutil.copy(path, directory / path.name)
    copy_page(FIRST, directory)
    yield directory


def opened(seeds: Path, cache: Path) -> Builder:
    """A builder at a restart: the snapshot the last run wrote, opened from its file."""
    Builder(seeds, ROOT / "intents", cache).build()
    builder = Builder(seeds, ROOT / "intents", cache)
    assert isinstance(builder.build().articles, StoredArticles)
    return builder


def replies(knowledge: Knowledge, names: tuple[str, ...]) -> list[tuple[object, ...]]:
    answerer = Answerer(knowledge)
    found = []
    for name in names:
        for item in load_questions(QUESTIONS / f"{name}.yaml"):
            answer = answerer.answer(item.question)
            found.append((item.question, answer.answered, answer.summary, answer.quote))
    return found


def cold(seeds: Path) -> Knowledge:
    return Builder(seeds, ROOT / "intents", None, stored=False).build()


def test_a_page_added_to_an_opened_snapshot_is_the_cold_snapshot(
    seeds: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    builder = opened(seeds, cache)
    copy_page(ADDED, seeds)
    added = builder.build()
    assert builder.extended and not builder.patched
    assert isinstance(added.articles, JoinedArticles)
    full = cold(seeds)
    assert builder.reindexed == len(full.articles) - len(added.articles.base)
    assert [a.id for a in added.articles] == [a.id for a in full.articles]
    assert [h.title for h in added.heads] == [h.title for h in full.heads]
    assert added.fact_count == full.fact_count
    assert dict(added.entities.alias_to_key) == dict(full.entities.alias_to_key)
    assert dict(added.entities.entities) == dict(full.entities.entities)
    assert added.topics == full.topics
    ours, theirs = canonical(added.index), canonical(full.index)
    new_ids = {a.id for a in added.articles.added}
    for table in ("refs", "texts", "paragraph_texts", "heads", "chars", "size", "article_keys"):
        assert ours[table] == theirs[table], table
    for term, keys in theirs["postings"].items():
        if not term.startswith(ENTITY_PREFIX):
            assert ours["postings"][term] == keys, term
    # Mentions: the added pages' are a cold build's; an older page's are what it had, and a
    # cold build may also find in it a name the added pages bring (extend.py says why).
    for table in ("mentions", "paragraph_mentions", "section_mentions", "article_mentions"):
        for place, found in theirs[table].items():
            article_id = place[0] if isinstance(place, tuple) else place
            if article_id in new_ids:
                assert ours[table][place] == found, (table, place)
            else:
                assert ours[table][place] <= found, (table, place)
    assert replies(added, (FIRST, ADDED)) == replies(full, (FIRST, ADDED))


def test_the_next_start_opens_the_file_with_the_added_pages(seeds: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    builder = opened(seeds, cache)
    copy_page(ADDED, seeds)
    added = builder.build()
    copy_page(THIRD, seeds)
    again = builder.build()  # a second day: laid over the same stored snapshot
    assert builder.extended
    assert isinstance(again.articles, JoinedArticles)
    assert len(again.articles.added) == len(again.articles) - len(added.articles.base)
    builder.flush()
    restart = Builder(seeds, ROOT / "intents", cache)
    reopened = restart.build()
    assert isinstance(reopened.articles, StoredArticles)
    assert [a.id for a in reopened.articles] == [a.id for a in again.articles]
    assert canonical(reopened.index) == canonical(again.index)
    assert dict(reopened.entities.entities) == dict(again.entities.entities)
    assert reopened.fuzzy.lengths == again.fuzzy.lengths
    names = (FIRST, ADDED, THIRD)
    assert replies(reopened, names) == replies(again, names) == replies(cold(seeds), names)


def test_an_edited_stored_page_is_a_full_build(seeds: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    builder = opened(seeds, cache)
    copy_page(ADDED, seeds)
    page = seeds / f"{FIRST}.txt"
    page.write_text(page.read_text(encoding="utf-8") + "\n记者还了解到，新厂房将于年内完工。\n")
    rebuilt = builder.build()
    assert not builder.extended
    assert isinstance(rebuilt.articles, tuple)
    assert canonical(rebuilt.index) == canonical(cold(seeds).index)


def test_a_page_sorted_before_the_stored_ones_is_a_full_build(seeds: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    builder = opened(seeds, cache)
    for path in (BLIND / ADDED).iterdir():
        shutil.copy(path, seeds / f"0{path.name}")  # before the shipped page in file order
    rebuilt = builder.build()
    assert not builder.extended
    assert [a.id for a in rebuilt.articles] == [a.id for a in cold(seeds).articles]
