"""The command-line contract: `newsbot ask --json`, `chat --jsonl`, `check --json`, `eval`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from tests_paths import INTENTS, QA, ROOT, SECOND_PAGE, SEEDS

from bot.cli import SUBCOMMANDS, build_parser, main

CONTRACT = {
    "question",
    "answered",
    "intent",
    "confidence",
    "summary",
    "quote",
    "source",
    "suggestions",
}


def run(
    *args: str,
    stdin: str | None = None,
    cache: Path | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **(env or {})}
    if cache is not None:
        environment["NEWSBOT_CACHE"] = str(cache)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        text=True,
        capture_output=True,
        cwd=ROOT,
        env=environment,
        timeout=120,
        check=False,
    )


def test_ask_json(cache_dir: Path) -> None:
    result = run("ask", "--json", "艾华集团投资了多少钱？", cache=cache_dir)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == CONTRACT
    assert "4.56亿元" in data["quote"]


def test_ask_batch_answers_each_line_alone(cache_dir: Path) -> None:
    lines = "和天电子的董事长是谁？\n他们一年营收多少？\n\n红烧肉怎么做？\n"
    result = run("ask", "--json", "-", stdin=lines, cache=cache_dir)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 4
    assert all(set(o) == CONTRACT for o in out)
    assert out[0]["answered"] and not out[3]["answered"]
    alone = json.loads(run("ask", "--json", "他们一年营收多少？", cache=cache_dir).stdout)
    assert out[1] == alone  # no context carried over from the line before


def test_chat_jsonl_keeps_context(cache_dir: Path) -> None:
    lines = "和天电子的董事长是谁？\n他们一年营收多少？\n"
    result = run("chat", "--jsonl", stdin=lines, cache=cache_dir)
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["answered"] for o in out] == [True, True]
    assert "年营收不到2亿元" in out[1]["quote"]


def test_global_options_before_or_after_the_command(cache_dir: Path) -> None:
    before = run(
        "--seeds", str(SECOND_PAGE), "ask", "--json", "赣晟磁材董事长是谁？", cache=cache_dir
    )
    after = run(
        "ask", "--json", "赣晟磁材董事长是谁？", "--seeds", str(SECOND_PAGE), cache=cache_dir
    )
    assert json.loads(before.stdout)["quote"] == json.loads(after.stdout)["quote"]
    assert "王建国" in json.loads(before.stdout)["summary"]


def test_environment_selects_seeds(cache_dir: Path) -> None:
    result = run(
        "ask",
        "--json",
        "赣晟磁材董事长是谁？",
        cache=cache_dir,
        env={"NEWSBOT_SEEDS": str(SECOND_PAGE)},
    )
    assert "王建国" in json.loads(result.stdout)["summary"]


def test_check_json_shape(cache_dir: Path) -> None:
    result = run("check", "--json", cache=cache_dir)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["errors"] == []
    article = report["articles"][0]
    assert {
        "id",
        "title",
        "kicker",
        "subtitle",
        "byline",
        "date",
        "file",
        "sections",
        "facts",
    } <= set(article)
    assert {"heading", "paragraphs"} <= set(article["sections"][0])
    assert {"text", "line"} <= set(article["sections"][0]["paragraphs"][0])
    assert {"kind", "text", "value", "unit", "sentence"} <= set(article["facts"][0])


def test_check_reports_file_and_line_and_exits_1(tmp_path: Path, cache_dir: Path) -> None:
    intents = tmp_path / "intents"
    shutil.copytree(INTENTS, intents)
    (intents / "broken.yaml").write_text("version: 1\nintents: [\n", encoding="utf-8")
    result = run("--intents", str(intents), "check", cache=cache_dir)
    assert result.returncode == 1
    assert "intents/broken.yaml:3: YAML syntax error" in result.stdout
    assert "Traceback" not in result.stderr
    as_json = run("--intents", str(intents), "check", "--json", cache=cache_dir)
    assert json.loads(as_json.stdout)["errors"][0]["file"] == "intents/broken.yaml"


def test_eval_thresholds_set_the_exit_status(cache_dir: Path) -> None:
    ok = run(
        "eval",
        str(QA / "seed_page.yaml"),
        "--min-answerable",
        "0.9",
        "--min-declined",
        "0.9",
        cache=cache_dir,
    )
    assert ok.returncode == 0, ok.stdout[-2000:]
    strict = run(
        "eval", str(QA / "seed_page.yaml"), "--min-answerable", "1.0", "--json", cache=cache_dir
    )
    assert strict.returncode == 1
    assert json.loads(strict.stdout)["groups"]["direct"]["total"] > 0


def test_run_without_token_exits_2(cache_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        text=True,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_admins_setting_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    os.environ["NEWSBOT_ADMINS"] = "12,abc"
    try:
        assert main(["check"]) == 2
    finally:
        del os.environ["NEWSBOT_ADMINS"]
    assert "NEWSBOT_ADMINS" in capsys.readouterr().err


def test_every_subcommand_has_help() -> None:
    parser = build_parser()
    helps = parser.format_help()
    for command in SUBCOMMANDS:
        assert command in helps
    assert SEEDS.is_dir()
