"""The snapshot is the only state a question reads: a reload with a different dictionary
never changes how the live snapshot cuts or answers a question, before, during or after the
new snapshot is built, and a failed build leaves the live segmenter as it was.

The reload runs on its own thread through the real service; questions are asked on another
thread through ``NewsService.ask``.  The builder is a real :class:`Builder` that, once its
build is finished (the new segmenter made and published), waits until the asking thread has
answered every question once more — the moment when, before snapshots owned their words,
the old snapshot was cutting questions with the new dictionary."""

from __future__ import annotations

import asyncio
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests_paths import INTENTS, QA, SEEDS

from bot.content import lexicon as lexicon_module
from bot.errors import InputError
from bot.evaluate import load_questions
from bot.knowledge.build import Builder
from bot.knowledge.diff import diff
from bot.service import NewsService
from bot.text import tokenizer

WAIT_SECONDS = 120  # a hung thread fails the test instead of hanging the suite
# A real paraphrase the shipped rules lack (A declines, B answers from 一来一回…) …
PARAPHRASE = "企业要是去外地做检测，一趟下来得多久？"
# … and a word across 居民|受益: cut with it, A's index (cut without it) misses the answer.
STRADDLING = "去年城市更新让多少户居民受益？"
EXTRA_RULES = "version: 1\nsynonyms:\n  一来一回: [一趟下来]\n  受益: [民受益]\n"


class PausingBuilder(Builder):
    """A real Builder that, when ``pause`` is set, stops after a finished build until
    ``go`` is set: the new snapshot exists and its words are published, but is not live."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.pause = False
        self.built = threading.Event()
        self.go = threading.Event()

    def build(self) -> Any:
        knowledge = super().build()
        if self.pause:
            self.built.set()
            if not self.go.wait(WAIT_SECONDS):
                raise TimeoutError("the test never released the build")
        return knowledge


def reply(service: NewsService, question: str) -> tuple[Any, ...]:
    a = service.ask(question)
    return (a.answered, a.intent, a.confidence, a.summary, a.quote, a.suggestions)


@pytest.fixture
def restore_published() -> Iterator[None]:
    """Builds here publish odd words; later tests that answer without a bound snapshot
    must see what they saw before."""
    segmenter, lexicon = tokenizer.current(), lexicon_module.lexicon()
    yield
    tokenizer.publish(segmenter)
    lexicon_module.publish(lexicon)


@pytest.fixture
def intents(tmp_path: Path) -> Path:
    directory = tmp_path / "intents"
    shutil.copytree(INTENTS, directory)
    return directory


def questions() -> list[str]:
    golden = [i.question for i in load_questions(QA / "seed_page.yaml") if not i.dialog]
    return [PARAPHRASE, STRADDLING, *golden[:24]]


def test_questions_in_flight_keep_their_snapshot_while_another_is_built_and_swapped(
    intents: Path, cache_dir: Path, restore_published: None
) -> None:
    builder = PausingBuilder(SEEDS, intents, cache_dir)
    service = NewsService(SEEDS, intents, builder=builder)
    old = service.load()
    asked = questions()
    before = {q: reply(service, q) for q in asked}
    cut_before = old.segmenter.cut(STRADDLING)

    (intents / "extra.yaml").write_text(EXTRA_RULES, encoding="utf-8")
    builder.pause = True
    answers: list[tuple[str, tuple[Any, ...], bool]] = []  # question, reply, B already built
    asked_while_paused = threading.Event()
    failures: list[BaseException] = []

    def ask_until_paused_pass_done() -> None:
        try:
            while True:
                built = builder.built.is_set()
                answers.extend((q, reply(service, q), built) for q in asked)
                if built:
                    asked_while_paused.set()
                    return
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
            asked_while_paused.set()

    def reload() -> None:
        try:
            asyncio.run(service.reload())
        except BaseException as exc:
            failures.append(exc)
            builder.built.set()

    asker = threading.Thread(target=ask_until_paused_pass_done, name="asker")
    reloader = threading.Thread(target=reload, name="reloader")
    asker.start()
    reloader.start()
    assert asked_while_paused.wait(WAIT_SECONDS)
    builder.go.set()
    reloader.join(WAIT_SECONDS)
    asker.join(WAIT_SECONDS)
    assert not failures, failures
    assert not reloader.is_alive() and not asker.is_alive()

    # every answer given while B was being built, or built and published but not live, is
    # exactly A's answer from before the reload started
    assert sum(1 for *_, built in answers if built) == len(asked)
    changed = [q for q, got, _ in answers if got != before[q]]
    assert changed == []
    assert old.segmenter.cut(STRADDLING) == cut_before  # A's segmenter was never touched

    new = service.knowledge
    assert new is not old and new.segmenter is not old.segmenter
    assert "民受益" in new.segmenter.cut(STRADDLING) and "民受益" not in cut_before
    assert "一趟下来" in new.segmenter.words and "一趟下来" not in old.segmenter.words

    # B's answers are a cold build's of the same files: they reflect B's dictionary
    cold = NewsService(SEEDS, intents, cache_dir)
    cold.load()
    after = {q: reply(service, q) for q in asked}
    assert after == {q: reply(cold, q) for q in asked}
    assert not before[PARAPHRASE][0] and after[PARAPHRASE][0]
    assert "一来一回" in after[PARAPHRASE][4]


def test_a_failed_build_leaves_the_live_segmenter_and_answers_alone(
    intents: Path, cache_dir: Path, restore_published: None
) -> None:
    service = NewsService(SEEDS, intents, cache_dir)
    live = service.load()
    before = reply(service, STRADDLING)
    words, published = live.segmenter.words, tokenizer.current()
    (intents / "extra.yaml").write_text(EXTRA_RULES, encoding="utf-8")
    (intents / "broken.yaml").write_text("version: 1\ntopics: nope\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        asyncio.run(service.reload())
    assert "broken.yaml:2" in str(caught.value)
    assert service.knowledge is live
    assert live.segmenter.words == words and "民受益" not in live.segmenter.words
    assert tokenizer.current() is published
    assert reply(service, STRADDLING) == before


def test_a_changed_lexicon_changes_the_new_snapshot_only(
    intents: Path, cache_dir: Path, restore_published: None
) -> None:
    builder = Builder(SEEDS, intents, cache_dir)
    old = builder.build()
    counted = {f.text for a in old.articles for f in a.facts if f.unit == "户"}
    assert counted  # the page counts households (户)
    path = intents / "lexicon.yaml"
    text = path.read_text(encoding="utf-8")
    without_hu = text.replace("个, 个人, 人, 台, 户,", "个, 个人, 人, 台,", 1)
    path.write_text(without_hu, encoding="utf-8")
    new = builder.build()
    assert "户" in old.lexicon.measure_words and "户" not in new.lexicon.measure_words
    assert not {f.text for a in new.articles for f in a.facts if f.unit == "户"}
    assert {f.text for a in old.articles for f in a.facts if f.unit == "户"} == counted
    change = diff(old, new)
    assert change.lexicon_changed and change.rules_changed
    assert "lexicon changed" in change.lines()[-2]
    with old.bound():
        assert "户" in lexicon_module.lexicon().measure_words
    with new.bound():
        assert lexicon_module.lexicon() is new.lexicon


def test_normalised_texts_are_the_snapshots(cache_dir: Path, restore_published: None) -> None:
    from bot.text.normalize import normalize

    service = NewsService(SEEDS, INTENTS, cache_dir)
    knowledge = service.load()
    ref = next(iter(knowledge.index.refs.values()))
    article = knowledge.by_id[ref.article_id]
    sentence = article.sections[ref.section].paragraphs[ref.paragraph].sentences[ref.index]
    assert knowledge.normalised(ref.key) == normalize(sentence.text)
    assert knowledge.normalised_text(article.id) == normalize(article.text)
    assert knowledge.normalised_title(article.id) == normalize(article.title)


def test_a_segmenter_made_from_another_cuts_like_a_fresh_one(knowledge: Any) -> None:
    """A reload derives the next segmenter from the last one's table (removing the words
    that went, adding the new ones); it must cut every text exactly as one made afresh."""
    words = sorted(knowledge.segmenter.words)
    dropped = set(words[::3])  # names of a removed page, and their prefixes' entries
    wanted = (set(words) - dropped) | {"一趟下来", "民受益", "城市更新让"}
    derived = knowledge.segmenter.with_words(wanted)
    fresh = tokenizer.Segmenter(wanted)
    assert derived.words == fresh.words and derived is not knowledge.segmenter
    texts = [*knowledge.index.texts.values(), PARAPHRASE, STRADDLING]
    assert [derived.cut(t) for t in texts] == [fresh.cut(t) for t in texts]
    assert [derived.cut_for_search(t) for t in texts] == [fresh.cut_for_search(t) for t in texts]
    assert any(derived.cut(t) != knowledge.segmenter.cut(t) for t in texts)
    assert knowledge.segmenter.with_words(words) is knowledge.segmenter
