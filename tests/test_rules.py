"""The rules in intents/ are valid, each example classifies to its own intent."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from tests_paths import INTENTS

from bot.check import shared_keywords
from bot.errors import RuleError
from bot.nlu.classify import classify
from bot.rules.loader import REQUIRED_RESPONSES, load_rules
from bot.rules.model import IntentKind, Rules
from bot.rules.regexsafety import UnsafePattern, check_pattern
from bot.text.normalize import normalize


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules(INTENTS)


def test_every_example_classifies_to_its_intent(rules: Rules) -> None:
    wrong = []
    for intent in rules.intents:
        for example in intent.examples:
            got = classify(normalize(example), rules).intent
            if got is None or got.id != intent.id:
                wrong.append(
                    f"{intent.file}:{intent.line} {example!r} → "
                    f"{got.id if got else None}, expected {intent.id}"
                )
    assert not wrong, "\n".join(wrong)


def test_shared_keywords_are_reported(rules: Rules) -> None:
    for problem in shared_keywords(rules):
        warnings.warn(f"{problem}", stacklevel=1)  # pragma: no cover - only if YAML drifts
    assert shared_keywords(rules) == []


def test_shared_keyword_warning_names_both_intents(tmp_path: Path) -> None:
    for path in INTENTS.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "version: 1\nintents:\n  - id: ask_cost\n    kind: question\n"
        "    answer: money\n    keywords: [多少钱]\n    examples: [多少钱]\n",
        encoding="utf-8",
    )
    found = shared_keywords(load_rules(tmp_path))
    assert any("ask_cost" in p.message and "ask_money" in p.message for p in found)


def test_required_intent_kinds_and_answer_types(rules: Rules) -> None:
    ids = {i.id for i in rules.intents}
    assert {"greet", "thanks", "help", "who_are_you", "bye"} <= ids
    assert {"list_articles", "summarize_article", "list_topics"} <= ids
    answers = {i.answer.value for i in rules.intents if i.kind is IntentKind.QUESTION and i.answer}
    assert {
        "money",
        "count",
        "percent",
        "date",
        "person",
        "org",
        "place",
        "rank",
        "reason",
        "method",
        "definition",
    } <= answers


def test_topics_and_responses(rules: Rules) -> None:
    assert {t.zh for t in rules.topics} >= {
        "电子元器件",
        "产业政策",
        "民生",
        "城市更新",
        "金融担保",
        "海关外贸",
        "科技创新",
    }
    assert all(t.id.isascii() and len(t.id.encode()) <= 24 for t in rules.topics)
    for key in REQUIRED_RESPONSES:
        assert rules.responses.has(key)
    assert rules.responses.text("who_are_you", "en", count=3) != rules.responses.text(
        "who_are_you", "zh", count=3
    )


def test_synonyms_are_normalised(rules: Rules) -> None:
    assert "多层陶瓷电容器" in rules.synonyms["mlcc"]
    assert "信维" in rules.synonyms["信维电科"]


def test_response_values_are_not_format_strings_for_user_text(rules: Rules) -> None:
    text = rules.responses.text("decline_near_miss", "zh", entity="{0}%s{__class__}")
    assert "{0}%s{__class__}" in text


@pytest.mark.parametrize("pattern", ["(a+)+$", "(.*)*", "(x|xy)+(\\d+)+", "((ab)*)+"])
def test_catastrophic_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(UnsafePattern):
        check_pattern(pattern)


def test_rule_errors_carry_every_problem(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("version: 1\nintents:\n  - id: Bad-Id\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("version: 1\nbogus: []\n", encoding="utf-8")
    with pytest.raises(RuleError) as caught:
        load_rules(tmp_path)
    text = str(caught.value)
    assert "a.yaml:3" in text
    assert "b.yaml:2: unknown section 'bogus'" in text
