"""The answer-type registry: every type has a module, golden examples and its YAML."""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import pytest
from tests_paths import QA, ROOT

from bot.answer.types import MODULES, all_kinds, kind_of, owner_of
from bot.content.model import FactKind
from bot.evaluate import load_questions
from bot.knowledge.build import Knowledge
from bot.nlu.understand import understand
from bot.rules.model import AnswerType
from bot.rules.weights import OPEN_TYPES

STAGE_DIRS = (ROOT / "bot" / "answer", ROOT / "bot" / "nlu")
# Float literals that are not weights: "no fit" and "a perfect fit", and the pool's numeric
# tolerance (bot/answer/pool.py: _EPSILON).
ALLOWED_FLOATS = frozenset({0.0, 1.0, 1e-9})
MAX_MODULE_LINES = 300
CONTENT_DIR = ROOT / "bot" / "content"
# Float literals in bot/content that are no weights, by module and the constant holding them:
# what Chinese numerals mean (半 = 0.5, 两三 = 2.0, 万 = 1e4, 亿 = 1e8 …), and how often a
# parser worker looks for its parent process (a timing, not a parsing threshold).  Every
# other number the parser decides with is in intents/lexicon.yaml (lexicon: parsing:).
CONTENT_CONSTANTS = {
    "bot/content/numbers.py": frozenset({"_VAGUE", "MAGNITUDES"}),
    "bot/content/loader.py": frozenset({"PARENT_POLL_SECONDS"}),
}


def stage_modules() -> list[Path]:
    return sorted(p for d in STAGE_DIRS for p in d.rglob("*.py"))


def golden_types(knowledge: Knowledge) -> dict[AnswerType, list[str]]:
    """Answer types of the answerable golden questions, read on their own."""
    found: dict[AnswerType, list[str]] = {}
    for path in sorted(QA.glob("*.yaml")):
        for item in load_questions(path):
            answer = understand(item.question, knowledge).answer_type
            if item.answerable and answer is not None:
                found.setdefault(answer, []).append(item.question)
    return found


def test_every_answer_type_has_one_module() -> None:
    type_files = {p.stem for p in (ROOT / "bot" / "answer" / "types").glob("*.py")}
    assert {m.__name__.rsplit(".", 1)[1] for m in MODULES} == type_files - {"__init__", "base"}
    assert {k.answer for k in all_kinds()} == set(AnswerType)
    assert all(kind_of(k.answer) is k for k in all_kinds())


@pytest.mark.parametrize("answer", list(AnswerType), ids=str)
def test_every_answer_type_is_asked_in_the_golden_files(
    knowledge: Knowledge, answer: AnswerType
) -> None:
    assert golden_types(knowledge).get(answer), f"no golden question asks for {answer}"


def test_open_types_are_cued_and_have_cue_words(knowledge: Knowledge) -> None:
    cued = {k.answer.value for k in all_kinds() if k.cued}
    assert cued == OPEN_TYPES
    assert cued <= knowledge.rules.scoring.cues.keys()
    assert not any(k.cued and k.fact_typed for k in all_kinds())


def test_every_fact_kind_is_summarised_by_one_type() -> None:
    for fact_kind in FactKind:
        owner = owner_of(fact_kind)
        assert owner is not None and fact_kind in owner.kinds


def test_no_literal_weights_in_the_stages() -> None:
    found = []
    for path in stage_modules():
        source = path.read_text(encoding="utf-8")
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type != tokenize.NUMBER or not any(c in token.string for c in ".eE"):
                continue
            if float(token.string) not in ALLOWED_FLOATS:
                found.append(f"{path.relative_to(ROOT)}:{token.start[0]}: {token.string}")
    assert found == [], "weights belong in intents/scoring.yaml"


def allowed_lines(path: Path, tree: ast.Module) -> set[int]:
    """Lines of the module-level constants of ``path`` that CONTENT_CONSTANTS allows."""
    names = CONTENT_CONSTANTS.get(path.relative_to(ROOT).as_posix(), frozenset())
    lines: set[int] = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        if any(isinstance(t, ast.Name) and t.id in names for t in targets):
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


def test_no_literal_weights_in_the_content_parser() -> None:
    found, allowed_seen = [], set()
    for path in sorted(CONTENT_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        allowed = allowed_lines(path, tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Constant) or type(node.value) is not float:
                continue
            if node.lineno in allowed:
                allowed_seen.add(path.relative_to(ROOT).as_posix())
            elif node.value not in ALLOWED_FLOATS:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    assert found == [], "weights and thresholds belong in intents/lexicon.yaml (parsing:)"
    assert allowed_seen == set(CONTENT_CONSTANTS)  # the allow-list names what is there


def test_stage_modules_stay_small() -> None:
    long = [
        f"{p.relative_to(ROOT)}: {n}"
        for p in stage_modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    ]
    assert long == []
