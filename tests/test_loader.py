"""Malformed content and rules are reported as file:line: message, never as a crash."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from tests_paths import FIXTURES, INTENTS, SEEDS

from bot.check import run_check
from bot.content.loader import MAX_PAGE_BYTES, load_seeds

BAD = FIXTURES / "bad"
CASES = yaml.safe_load((BAD / "cases.yaml").read_text(encoding="utf-8"))


def workspace(tmp_path: Path) -> tuple[Path, Path]:
    seeds = tmp_path / "seeds"
    intents = tmp_path / "intents"
    shutil.copytree(SEEDS, seeds)
    shutil.copytree(INTENTS, intents)
    return seeds, intents


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_bad_input_is_reported_with_file_and_line(case: dict[str, object], tmp_path: Path) -> None:
    seeds, intents = workspace(tmp_path)
    target = seeds if case["into"] == "seeds" else intents
    shutil.copy(BAD / str(case["file"]), target / str(case["file"]))
    if case.get("with"):
        shutil.copy(BAD / str(case["with"]), target / str(case["with"]))
    report, problems = run_check(seeds, intents)
    if case.get("ok"):
        assert problems == []
        return
    label = f"{target.name}/{case['file']}"
    matching = [p for p in problems if p.file == label]
    assert matching, f"no problem reported for {label}: {problems}"
    assert any(p.line == case["line"] and str(case["message"]) in p.message for p in matching), (
        matching
    )
    assert report["errors"]


def test_there_are_at_least_twenty_bad_inputs() -> None:
    assert sum(1 for c in CASES if not c.get("ok")) >= 20


def test_oversized_page_is_refused_without_reading_it(tmp_path: Path) -> None:
    seeds, _ = workspace(tmp_path)
    big = seeds / "huge.txt"
    with big.open("wb") as handle:  # 50 MB, sparse: written in one seek
        handle.seek(50 * 1024 * 1024 - 1)
        handle.write(b"\n")
    result = load_seeds(seeds)
    assert any(p.file == "seeds/huge.txt" and "too large" in p.message for p in result.problems)
    assert big.stat().st_size > MAX_PAGE_BYTES
    assert len(result.articles) == 6  # the good page still loads


def test_missing_directories(tmp_path: Path) -> None:
    _, problems = run_check(tmp_path / "nope", tmp_path / "nada")
    assert {p.message for p in problems} >= {
        "seeds directory does not exist",
        "intents directory does not exist",
    }


def test_empty_seeds_directory(tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    result = load_seeds(tmp_path / "seeds")
    assert result.problems[0].message.startswith("no pages")
