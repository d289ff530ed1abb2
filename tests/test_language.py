"""Messages that are not questions about the page: empty lines, English, a follow-up with
nothing before it. None of them is ``answered: true`` with an arbitrary sentence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import run

from bot.answer.context import Conversation
from bot.answer.engine import Answerer


@pytest.mark.parametrize("message", ["", "   ", "\t"])
def test_an_empty_message_is_not_answered(answerer: Answerer, message: str) -> None:
    answer = answerer.answer(message)
    assert (answer.answered, answer.intent, answer.quote) == (False, "empty", None)


def test_a_latin_script_question_gets_an_english_hint_with_an_answerable_example(
    answerer: Answerer,
) -> None:
    answer = answerer.answer("What is this page about?")
    assert (answer.answered, answer.intent) == (False, "language_hint")
    assert answer.summary.startswith("Please ask in Chinese, e.g. 「")
    example = answer.summary.split("「", 1)[1].rstrip("」")
    assert answerer.answer(example).answered  # the example is one the bot answers


def test_help_in_english_is_still_help(answerer: Answerer) -> None:
    assert answerer.answer("help").intent == "help"


def test_a_follow_up_with_no_previous_turn_quotes_nothing(answerer: Answerer) -> None:
    answer = answerer.answer("那信维呢？", Conversation())
    assert (answer.answered, answer.quote, answer.source) == (False, None, None)
    assert "「信维电科」" in answer.summary
    assert answer.suggestions


def test_ask_json_lines_decline_empty_lines_and_bare_follow_ups(
    cache_dir: Path, tmp_path: Path
) -> None:
    """`newsbot ask --json -`: each line alone, so a bare follow-up has no previous turn."""
    lines = "\n  \n那信维呢？\n和天电子的董事长是谁？\n"
    result = run(
        "ask", "--json", "-", "--db", str(tmp_path / "db.sqlite3"), stdin=lines, cache=cache_dir
    )
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["answered"] for a in answers] == [False, False, False, True]
    assert answers[2]["quote"] is None
