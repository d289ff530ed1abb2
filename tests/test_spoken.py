"""Spoken forms: a colloquial question is read like the written one (intents/spoken.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests_paths import INTENTS

from bot.errors import RuleError
from bot.knowledge.build import Knowledge
from bot.nlu.understand import understand
from bot.rules.loader import load_rules
from bot.rules.spoken import SpokenForms


@pytest.fixture(scope="module")
def spoken() -> SpokenForms:
    return load_rules(INTENTS).spoken


@pytest.mark.parametrize(
    ("message", "written"),
    [
        ("信维电科啥时候成立的啊？", "信维电科什么时候成立的?"),
        ("为啥叫工业大米", "为什么叫工业大米"),
        ("公司老大是谁呀", "公司负责人是谁"),
        ("这个中心是干啥的呗", "这个中心是做什么的"),
        ("咋样申请呀，要多少钱嘛", "怎么样申请,要多少钱"),
    ],
)
def test_spoken_forms_are_written_out(spoken: SpokenForms, message: str, written: str) -> None:
    from bot.text.normalize import normalize

    assert spoken.rewrite(normalize(message)) == written


def test_longest_form_wins_and_a_form_kept_whole_stays(spoken: SpokenForms) -> None:
    # 老大难 maps to itself: it is not 老大 (the boss) + 难
    assert spoken.rewrite("老大难问题咋解决") == "老大难问题怎么解决"


def test_particles_only_go_at_a_clause_end(spoken: SpokenForms) -> None:
    # 呀 inside a word stays; a message of nothing but particles is kept as typed
    assert spoken.rewrite("呀诺达景区在哪") == "呀诺达景区在哪"
    assert spoken.rewrite("哈哈") == "哈哈"


def test_colloquial_question_is_classified_like_the_written_one(knowledge: Knowledge) -> None:
    spoken = understand("益阳电容器检测中心啥时候建成的啊", knowledge)
    written = understand("益阳电容器检测中心什么时候建成的", knowledge)
    assert spoken.classification.intent is not None
    assert spoken.classification.intent == written.classification.intent
    assert spoken.terms == written.terms
    assert spoken.raw == "益阳电容器检测中心啥时候建成的啊"  # the reader's words are kept


def test_bad_spoken_table_is_reported_with_its_line(tmp_path: Path) -> None:
    for path in INTENTS.glob("*.yaml"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "spoken.yaml").write_text(
        "version: 1\nspoken:\n  forms:\n    啥: 什么\n    咋: []\n"
        "  particles: [啊, 呀呀]\n  colour: red\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleError) as caught:
        load_rules(tmp_path)
    text = str(caught.value)
    assert "spoken.yaml:5: spoken form '咋' must map to a non-empty string" in text
    assert "spoken.yaml:6: a particle must be one character, not '呀呀'" in text
    assert "spoken.yaml:7: unknown spoken key 'colour'" in text
