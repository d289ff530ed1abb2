"""The README's transcript is what a real ``newsbot chat --jsonl`` run prints, so it cannot drift.

tools/readme_transcript.py asks its fixed questions through a real chat process and renders
them; the block between the README's markers must be exactly that (regenerate with
``.venv/bin/python tools/readme_transcript.py`` after changing how the bot answers).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from tests_paths import ROOT

from bot.text.wellformed import check


def load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "readme_transcript", ROOT / "tools" / "readme_transcript.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TOOL = load_tool()


@pytest.fixture(scope="module")
def answers(cache_dir: Path) -> list[dict[str, Any]]:
    return list(TOOL.run_chat(TOOL.QUESTIONS, {"NEWSBOT_CACHE": str(cache_dir)}))


def test_the_readme_transcript_is_what_a_real_chat_run_prints(
    answers: list[dict[str, Any]],
) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert TOOL.readme_block(readme) == TOOL.render(answers), (
        "README transcript drifted: run .venv/bin/python tools/readme_transcript.py"
    )


def test_the_transcript_shows_answers_a_follow_up_and_a_decline(
    answers: list[dict[str, Any]],
) -> None:
    """The run is one conversation: the follow-up 他们… answers about the company asked before,
    the near-miss declines, and every summary printed is a whole clause."""
    assert [a["question"] for a in answers] == list(TOOL.QUESTIONS)
    assert [a["answered"] for a in answers] == [True] * 5 + [False]
    assert "2亿元" in answers[2]["summary"] and "营收" in answers[2]["quote"]
    assert answers[-1]["quote"] is None and answers[-1]["suggestions"]
    assert all(check(a["summary"]) == [] for a in answers)


def test_rewriting_replaces_only_the_marked_block() -> None:
    text = f"intro\n{TOOL.START}\nold\n{TOOL.END}\nrest\n"
    rewritten = TOOL.rewrite(text, "new\nlines")
    assert rewritten == f"intro\n{TOOL.START}\nnew\nlines\n{TOOL.END}\nrest\n"
    assert TOOL.readme_block(rewritten) == "new\nlines"
