"""The analysis cache cannot crash a build or run code (issue 17, item 2).

Every test starts from cache files written by a real build of the shipped page, damages
them the way disks, editors and attackers do, and builds again with a fresh ``Builder``
(a restart): the build must succeed and index exactly what a build without a cache does.
The random byte-level variant is tests/test_cache_fuzz.py.
"""

from __future__ import annotations

import ast
import logging
import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from tests_paths import INTENTS, SEEDS

from bot.answer.engine import Answerer
from bot.knowledge import cachefile
from bot.knowledge.analysis import AnalysisCache
from bot.knowledge.build import Builder, Knowledge

QUESTIONS = (
    "艾华集团投资了多少钱布局薄膜电容器项目？",
    "奥士康的党委书记是谁？",
    "资阳区在全国十大新型PCB产业基地中排第几？",
    "信维电科在手订单金额有多少？",
    "和天电子的超级电容工厂建在哪里？",
    "特斯拉在益阳投资了多少？",
)


def indexed(knowledge: Knowledge) -> tuple[object, ...]:
    """What the analyses feed into: the index's terms, texts and mentions per sentence."""
    index = knowledge.index
    return index.postings, index.texts, index.mentions, index.size


def answers(knowledge: Knowledge) -> list[dict[str, object]]:
    answerer = Answerer(knowledge)
    return [answerer.answer(q).as_dict() for q in QUESTIONS]


@pytest.fixture(scope="module")
def uncached() -> tuple[Knowledge, list[dict[str, object]]]:
    """What a build without any cache serves."""
    knowledge = Builder(SEEDS, INTENTS, None).build()
    return knowledge, answers(knowledge)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache directory filled by a real build."""
    cache = tmp_path_factory.mktemp("pristine-cache")
    Builder(SEEDS, INTENTS, cache, stored=False).build()
    assert list((cache / "analysis").iterdir())
    return cache


def damaged_copy(pristine: Path, tmp_path: Path, damage: Callable[[bytes], bytes]) -> Path:
    """A copy of the pristine cache with every analysis entry replaced by ``damage(entry)``."""
    cache = tmp_path / "cache"
    shutil.copytree(pristine, cache)
    for entry in (cache / "analysis").iterdir():
        entry.write_bytes(damage(entry.read_bytes()))
    return cache


class Payload:
    """Unpickling this calls Path.touch(marker): stands for ``os.system`` in a crafted entry."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Callable[..., object], tuple[object, ...]]:
        return (Path.touch, (self.marker,))


def flip(position: float) -> Callable[[bytes], bytes]:
    def damage(data: bytes) -> bytes:
        at = int(len(data) * position)
        return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]

    return damage


DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "empty": lambda data: b"",
    "truncated": lambda data: data[: len(data) // 2],
    "header only": lambda data: data[: data.find(b"\n") + 1],
    "flipped header": flip(0.05),
    "flipped body": flip(0.6),
    "last byte flipped": flip(0.999999),
    "inserted byte": lambda data: data[:100] + b"\x00" + data[100:],
    "invalid utf-8": lambda data: data[:-8] + b"\xff\xfe\xfa" + data[-5:],
    "old pickle protocol": lambda data: b"\x80\x09" + data,
    "pickle of a missing module": lambda data: b"cno_such_module\nThing\n.",
    "other format version": lambda data: data.replace(b"/1 ", b"/9 ", 1),
    "json without header": lambda data: data[data.find(b"\n") + 1 :],
    "deeply nested json": lambda data: b"[" * 100_000 + b"]" * 100_000,
    "random bytes": lambda data: os.urandom(len(data)),
}


@pytest.mark.parametrize("name", sorted(DAMAGE))
def test_a_damaged_cache_is_a_miss_and_the_build_is_unchanged(
    name: str,
    pristine: Path,
    tmp_path: Path,
    uncached: tuple[Knowledge, list[dict[str, object]]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    cache = damaged_copy(pristine, tmp_path, DAMAGE[name])
    entries = len(list((cache / "analysis").iterdir()))
    with caplog.at_level(logging.WARNING, logger="bot.knowledge.analysis"):
        knowledge = Builder(
            SEEDS, INTENTS, cache, stored=False
        ).build()  # a restart on the damaged cache
    assert knowledge.cache_hits == 0 and knowledge.cache_misses == entries
    assert indexed(knowledge) == indexed(uncached[0])
    assert answers(knowledge) == uncached[1]
    warnings = [r for r in caplog.records if "unusable" in r.getMessage()]
    assert len(warnings) == entries  # one line per damaged entry, naming it
    again = Builder(SEEDS, INTENTS, cache, stored=False).build()  # the misses rewrote the entries
    assert (again.cache_hits, again.cache_misses) == (entries, 0)


def test_a_crafted_pickle_in_the_cache_runs_nothing(
    pristine: Path, tmp_path: Path, uncached: tuple[Knowledge, list[dict[str, object]]]
) -> None:
    marker = tmp_path / "code-ran"
    crafted = pickle.dumps(Payload(marker))
    cache = damaged_copy(pristine, tmp_path, lambda data: crafted)
    for key in [p.stem for p in (cache / "analysis").iterdir()]:
        (cache / "analysis" / f"{key}.pickle").write_bytes(crafted)  # the old file names too
    knowledge = Builder(SEEDS, INTENTS, cache, stored=False).build()
    assert not marker.exists()
    assert indexed(knowledge) == indexed(uncached[0])
    assert not list((cache / "analysis").glob("*.pickle"))  # old entries are swept away


def test_no_module_of_the_bot_imports_a_code_running_format() -> None:
    """No pickle (nor marshal, shelve) anywhere in bot/: nothing on disk can become code."""
    package = Path(cachefile.__file__).parents[1]
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not {n.split(".")[0] for n in names} & {"pickle", "marshal", "shelve"}, path


def test_an_unreadable_entry_is_logged_once(
    pristine: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = damaged_copy(pristine, tmp_path, flip(0.5))
    store = AnalysisCache(cache / "analysis")
    key = next((cache / "analysis").iterdir()).stem
    with caplog.at_level(logging.WARNING, logger="bot.knowledge.analysis"):
        assert store.get(key) is None
        assert store.get(key) is None
    assert [r.getMessage() for r in caplog.records] == [
        f"analysis cache entry {key}.json unusable (checksum mismatch): a miss"
    ]
    assert store.misses == 2


def test_an_entry_stored_under_another_key_is_a_miss(pristine: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    shutil.copytree(pristine, cache)
    first, second = sorted((cache / "analysis").iterdir())[:2]
    shutil.copy(first, second)  # an entry copied over another one
    store = AnalysisCache(cache / "analysis")
    assert store.get(second.stem) is None
    found = store.get(first.stem)
    assert found is not None and found.cache_key == first.stem


def test_entries_round_trip_exactly(tmp_path: Path) -> None:
    fresh = AnalysisCache(None)
    builder = Builder(SEEDS, INTENTS, tmp_path, stored=False)
    builder.build()
    written = builder._tokens.cache.memory  # what the build analysed and wrote
    assert written
    store = AnalysisCache(tmp_path / "analysis")
    for key, analysis in written.items():
        assert store.get(key) == analysis
    assert store.hits == len(written) and not fresh.memory


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b'{"key": "k"}',
        b'{"key":"k","content_hash":1,"texts":[],"words":[],"terms":[],"hits":[]}',
        b'{"key":"k","content_hash":"h","texts":["a"],"words":["w"],"terms":[[-1]],"hits":[[]]}',
        b'{"key":"k","content_hash":"h","texts":["a"],"words":["w"],"terms":[[5]],"hits":[[]]}',
        b'{"key":"k","content_hash":"h","texts":["a"],"words":["w"],"terms":[[0.0]],"hits":[[]]}',
        b'{"key":"k","content_hash":"h","texts":["a"],"words":["w"],"terms":["0"],"hits":[[]]}',
        b'{"key":"k","content_hash":"h","texts":["a"],"words":["w"],"terms":[{}],"hits":[[]]}',
        b'{"key":"k","content_hash":"h","texts":["a"],"words":["w"],"terms":[[0]],"hits":[]}',
        b'{"key":"k","content_hash":"h","texts":[1],"words":["w"],"terms":[[0]],"hits":[[]]}',
        b'{"key":"k","content_hash":"h","texts":["a"],"words":[["w"]],"terms":[[0]],"hits":[[]]}',
        b'{"key":"k","content_hash":"h","texts":"a","words":"w","terms":[[0]],"hits":[[]]}',
    ],
)
def test_well_checksummed_nonsense_is_refused(body: bytes) -> None:
    """Shapes only someone writing the cache on purpose produces: refused, never misread."""
    header = b"newsbot-analysis/1 " + cachefile._digest(body) + b"\n"
    with pytest.raises(cachefile.CacheEntryError):
        cachefile.decode(header + body, "k")
