"""``intents/lexicon.yaml`` is a validated rule file: every list is required and typed, and
each mistake is reported as ``file:line`` with what is wrong, like the other rule files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests_paths import INTENTS, SEEDS

from bot.check import render, run_check
from bot.content.lexicon import BUNDLED_LEXICON, lexicon
from bot.errors import RuleError
from bot.rules.lexicon import FIELDS, load_lexicon_file
from bot.rules.loader import load_rules


@pytest.fixture
def intents(tmp_path: Path) -> Path:
    directory = tmp_path / "intents"
    shutil.copytree(INTENTS, directory)
    return directory


def edit(intents: Path, old: str, new: str) -> None:
    path = intents / "lexicon.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(intents: Path) -> list[str]:
    with pytest.raises(RuleError) as caught:
        load_rules(intents)
    return [str(p) for p in caught.value.problems]


def line_of(intents: Path, text: str) -> int:
    lines = (intents / "lexicon.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def test_the_shipped_lexicon_is_complete_and_is_the_rules_one() -> None:
    rules = load_rules(INTENTS)
    assert rules.lexicon == load_lexicon_file(BUNDLED_LEXICON)
    assert rules.lexicon.source == "intents/lexicon.yaml:5"
    assert "户" in rules.lexicon.measure_words and "人次" in rules.lexicon.people_measures
    assert rules.lexicon.plan_periods["十四五"] == (2021, 2025)
    assert "陈" in rules.lexicon.surnames and "欧阳" in rules.lexicon.double_surnames
    assert "intents/lexicon.yaml" in rules.files
    assert lexicon().fingerprint == rules.lexicon.fingerprint  # what unbound code reads


def test_a_missing_list_names_the_section_line(intents: Path) -> None:
    edit(intents, "  rank_scopes:", "  rank_scopes_typo:")
    found = problems(intents)
    assert "intents/lexicon.yaml:5: lexicon is missing 'rank_scopes'" in found
    at = line_of(intents, "rank_scopes_typo")
    assert f"intents/lexicon.yaml:{at}: unknown lexicon key 'rank_scopes_typo'" in found


def test_wrong_types_empty_lists_and_duplicates_are_located(intents: Path) -> None:
    edit(intents, "time_now: [现在, 如今, 目前, 现今, 眼下, 当前]", "time_now: []")
    edit(intents, "amount_nouns: [收入, 支出, 开支]", "amount_nouns: [收入, 支出, 收入]")
    edit(intents, "relative_years: {今年: 0,", "relative_years: {今年: soon,")
    edit(intents, "十四五: [2021, 2025]", "十四五: [2025, 2021]")
    edit(intents, "staff_roles: [记者, 通讯员]", "staff_roles: 记者")
    found = problems(intents)
    expected = [
        ("time_now:", "lexicon time_now must not be empty"),
        ("amount_nouns:", "lexicon amount_nouns: '收入' is listed twice"),
        ("relative_years:", "lexicon relative_years: '今年' must be a whole number"),
        ("十四五: [2025", "lexicon plan_periods: '十四五' must be [first year, last year]"),
        ("staff_roles:", "lexicon staff_roles must be a list, got text"),
    ]
    for text, message in expected:
        assert f"intents/lexicon.yaml:{line_of(intents, text)}: {message}" in found


def test_a_rules_directory_needs_exactly_one_lexicon(intents: Path) -> None:
    (intents / "lexicon.yaml").rename(intents / "words.yml.off")
    assert any("no file has a 'lexicon' section" in p for p in problems(intents))
    (intents / "words.yml.off").rename(intents / "lexicon.yaml")
    shutil.copy(intents / "lexicon.yaml", intents / "more.yaml")
    found = problems(intents)
    assert "intents/more.yaml:5: lexicon is defined twice (first at intents/lexicon.yaml:5)" in (
        found
    )


def test_check_reports_the_lexicon_and_its_errors(intents: Path) -> None:
    report, found = run_check(SEEDS, INTENTS)
    assert not found
    assert report["rules"]["lexicon"] == {
        "source": "intents/lexicon.yaml:5",
        "lists": len(FIELDS),
        "words": report["rules"]["lexicon"]["words"],
    }
    assert report["rules"]["lexicon"]["words"] > 500
    assert f"lexicon: {len(FIELDS)} word lists" in render(report)
    edit(intents, "  surnames: ", "  surnames_missing: ")
    report, found = run_check(SEEDS, intents)
    assert any(p.message == "lexicon is missing 'surnames'" and p.line == 5 for p in found)
    assert "rules" not in report and report["articles"]  # pages still parsed and listed
