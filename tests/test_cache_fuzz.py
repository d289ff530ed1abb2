"""Random damage to real analysis-cache files never changes what the bot serves (issue 17).

The entries are the ones a real build of the shipped page writes.  Hypothesis flips bits,
truncates, inserts and deletes bytes; the damaged entry must read as a miss or as exactly
the entry that was written (a mutation can be a no-op), never as something else, and a
restart on a cache damaged that way must build and answer like a build with no cache.

`make test` runs NEWSBOT_FUZZ_EXAMPLES (default 300) entry reads and 15
whole builds; `make fuzz` sets 10,000 (and 250 builds).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_analysis_cache import answers, indexed
from tests_paths import INTENTS, SEEDS

from bot.knowledge.analysis import AnalysisCache, TextAnalysis
from bot.knowledge.build import Builder, Knowledge

EXAMPLES = int(os.environ.get("NEWSBOT_FUZZ_EXAMPLES", "300"))
BUILD_EXAMPLES = max(15, EXAMPLES // 40)  # ~1 s each: 15 in make test, 250 in make fuzz

# One edit: (kind, where as a share of the file, a bit or a length, bytes to insert)
edit = st.tuples(
    st.sampled_from(("flip", "truncate", "insert", "delete", "overwrite")),
    st.floats(min_value=0.0, max_value=1.0, allow_nan=False),
    st.integers(min_value=0, max_value=64),
    st.binary(min_size=1, max_size=8),
)
edits = st.lists(edit, min_size=1, max_size=4)


def damage(data: bytes, changes: list[tuple[str, float, int, bytes]]) -> bytes:
    for kind, where, amount, extra in changes:
        if not data:
            return extra if kind == "insert" else data
        at = min(int(where * len(data)), len(data) - 1)
        if kind == "flip":
            data = data[:at] + bytes([data[at] ^ (1 << (amount % 8))]) + data[at + 1 :]
        elif kind == "truncate":
            data = data[:at]
        elif kind == "insert":
            data = data[:at] + extra + data[at:]
        elif kind == "delete":
            data = data[:at] + data[at + 1 + amount :]
        else:
            data = data[:at] + extra + data[at + len(extra) :]
    return data


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, TextAnalysis]]:
    """A cache directory filled by a real build, and the analyses it holds."""
    cache = tmp_path_factory.mktemp("fuzz-cache")
    builder = Builder(SEEDS, INTENTS, cache, stored=False)
    builder.build()
    return cache, dict(builder._tokens.cache.memory)


@pytest.fixture(scope="module")
def uncached() -> tuple[tuple[object, ...], list[dict[str, object]]]:
    knowledge: Knowledge = Builder(SEEDS, INTENTS, None).build()
    return indexed(knowledge), answers(knowledge)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(which=st.integers(min_value=0, max_value=1_000), changes=edits)
def test_a_damaged_entry_reads_as_a_miss_or_as_written(
    written: tuple[Path, dict[str, TextAnalysis]],
    which: int,
    changes: list[tuple[str, float, int, bytes]],
) -> None:
    cache, analyses = written
    keys = sorted(analyses)
    key = keys[which % len(keys)]
    original = (cache / "analysis" / f"{key}.json").read_bytes()
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / f"{key}.json").write_bytes(damage(original, changes))
        found = AnalysisCache(Path(scratch)).get(key)
    event("miss" if found is None else "read as written")  # --hypothesis-show-statistics
    assert found is None or found == analyses[key]


@settings(
    max_examples=BUILD_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(changes=st.lists(edits, min_size=1, max_size=6))
def test_a_restart_on_a_damaged_cache_serves_what_no_cache_serves(
    written: tuple[Path, dict[str, TextAnalysis]],
    uncached: tuple[tuple[object, ...], list[dict[str, object]]],
    changes: list[list[tuple[str, float, int, bytes]]],
) -> None:
    cache, _ = written
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "cache"
        shutil.copytree(cache, copy)
        entries = sorted((copy / "analysis").iterdir())
        for entry, change in zip(entries, changes, strict=False):  # the first few damaged
            entry.write_bytes(damage(entry.read_bytes(), change))
        knowledge = Builder(SEEDS, INTENTS, copy, stored=False).build()
    assert knowledge.cache_hits + knowledge.cache_misses == len(entries)
    event(f"{knowledge.cache_misses} of {len(entries)} entries missed")
    assert indexed(knowledge) == uncached[0]
    assert answers(knowledge) == uncached[1]
