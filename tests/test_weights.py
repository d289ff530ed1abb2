"""intents/scoring.yaml: every weight named, validated with file:line, and actually read."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from tests_paths import INTENTS

from bot.errors import RuleError
from bot.knowledge.build import Knowledge
from bot.nlu.understand import understand
from bot.rules.loader import load_rules
from bot.rules.weights import WEIGHT_NAMES
from bot.yamlsource import type_name


def rules_with(tmp_path: Path, old: str, new: str) -> list[str]:
    """Load a copy of intents/ whose scoring.yaml has ``old`` replaced; the problems."""
    target = tmp_path / "intents"
    shutil.copytree(INTENTS, target)
    path = target / "scoring.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RuleError) as caught:
        load_rules(target)
    return [str(p) for p in caught.value.problems]


def line_of(text: str) -> int:
    lines = (INTENTS / "scoring.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def test_every_weight_is_in_the_shipped_yaml() -> None:
    scoring = load_rules(INTENTS).scoring
    assert {n for n in WEIGHT_NAMES if getattr(scoring, n) is not None} == WEIGHT_NAMES


def test_a_missing_weight_is_reported_at_the_section(tmp_path: Path) -> None:
    problems = rules_with(tmp_path, "  plan_fit: 0.7", "")
    assert problems == [
        f"intents/scoring.yaml:{line_of('scoring:')}: missing weight 'plan_fit' "
        "(see intents/scoring.yaml)"
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  plan_fit: 0.7", "  plan_fit: high", "weight 'plan_fit' must be a number, got {}"),
        ("  plan_fit: 0.7", "  plan_fit: -0.7", "weight 'plan_fit' must not be negative"),
        ("  neighbours: 6", "  neighbours: 6.5", "weight 'neighbours' must be a whole number"),
        ("  plan_fit: 0.7", "  plan_fit: 0.7\n  plan_fitt: 0.7", "unknown weight 'plan_fitt'"),
    ],
)
def test_a_bad_weight_is_reported_with_its_line(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    problems = rules_with(tmp_path, old, new)
    message = message.format(type_name("high"))
    changed = new.splitlines()[-1]
    line = line_of("  plan_fit: 0.7") + (1 if "plan_fitt" in new else 0)
    if "neighbours" in new:
        line = line_of(old)
    assert f"intents/scoring.yaml:{line}: {message}" in problems, (changed, problems)


def test_bad_cues_are_reported(tmp_path: Path) -> None:
    unsafe = rules_with(tmp_path / "a", "  method: [通过,", '  method: ["(a+)+", 通过,')
    assert any("unsafe cue pattern for 'method'" in p for p in unsafe)
    unknown = rules_with(tmp_path / "b", "  method: [", "  methods: [")
    assert any("unknown answer type 'methods' in cues" in p for p in unknown)
    assert any("missing cues for answer type 'method'" in p for p in unknown)


def test_weights_are_read_not_copied(knowledge: Knowledge) -> None:
    """A weight changed in the rules changes what the stages do (here: how long a
    follow-up may be, and whether a sentence with a cue word fits a reason)."""
    assert understand("研发团队呢？", knowledge).ellipsis
    short = replace(knowledge.rules.scoring, followup_max_chars=3)
    strict = replace(knowledge, rules=replace(knowledge.rules, scoring=short))
    assert not understand("研发团队呢？", strict).ellipsis
    assert re.search(knowledge.rules.scoring.cue("reason"), "这得益于政策支持")
