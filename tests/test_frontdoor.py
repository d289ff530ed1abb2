"""One way in: every front end asks through the one ``NewsService``, and features reach each
other only through seams the wiring module registers.

Structural checks read the source (an ``Answerer`` built by a front end, or a module imported
by name at run time, is invisible to a behaviour test until the two paths drift); behaviour
checks run the real service on real pages, the real console in a subprocess and the real
``Application`` against FakeBotAPI.
"""

from __future__ import annotations

import ast
import asyncio
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fakebotapi import FakeBotAPI
from polling_support import polling
from tests_paths import INTENTS, ROOT, SEEDS

from bot.config import Settings
from bot.knowledge.diff import KnowledgeDiff
from bot.service import NewsService
from bot.telegram.app import build_application
from bot.telegram.features import Feature

BOT = ROOT / "bot"
TELEGRAM = sorted((BOT / "telegram").rglob("*.py"))
FRONT_ENDS = [BOT / "cli.py", BOT / "console.py", BOT / "evaluate.py", *TELEGRAM]
MAX_MODULE_LINES = 300
EDIT = ("艾立华以3700元起家", "艾立华以3800元起家")


def calls_named(path: Path, name: str) -> list[int]:
    """Lines of ``path`` that call ``name(...)`` or ``something.name(...)``."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if called == name:
                lines.append(node.lineno)
    return lines


def test_no_front_end_builds_an_answerer() -> None:
    found = {
        str(path.relative_to(ROOT)): lines
        for path in FRONT_ENDS
        if (lines := calls_named(path, "Answerer"))
    }
    assert found == {}, "front ends must ask through NewsService"
    assert calls_named(BOT / "service.py", "Answerer")  # …which is where answerers are built


def test_no_module_is_imported_by_name_at_run_time() -> None:
    """The import graph must show every dependency (the admin feature used to find the
    digests feature with ``importlib.import_module``)."""
    hidden = {
        str(path.relative_to(ROOT)): lines
        for path in sorted(BOT.rglob("*.py"))
        if (lines := calls_named(path, "import_module") + calls_named(path, "__import__"))
    }
    assert hidden == {}


def test_digests_feature_modules_have_one_job_each() -> None:
    modules = sorted((BOT / "telegram" / "digests").glob("*.py"))
    assert {m.stem for m in modules} >= {"common", "topics", "schedule", "now", "feature"}
    sizes = {m.name: len(m.read_text(encoding="utf-8").splitlines()) for m in modules}
    assert max(sizes.values()) <= MAX_MODULE_LINES, sizes
    tree = ast.parse((BOT / "telegram" / "admin.py").read_text(encoding="utf-8"))
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    named = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and n.value]
    assert not [m for m in imported if m and "digest" in m]  # the admin feature knows none
    assert not [v for v in named if isinstance(v, str) and "bot.telegram.digest" in v]


def copy_seeds(tmp_path: Path) -> Path:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    return seeds


def edit_page(seeds: Path, old: str, new: str) -> None:
    page = next(seeds.glob("*.txt"))
    text = page.read_text(encoding="utf-8")
    assert old in text
    page.write_text(text.replace(old, new), encoding="utf-8")


async def test_content_listeners_hear_changes_only_until_removed(
    tmp_path: Path, cache_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    seeds = copy_seeds(tmp_path)
    service = NewsService(seeds, INTENTS, cache_dir)
    service.load()
    heard: list[tuple[KnowledgeDiff, Any]] = []

    async def broken(diff: KnowledgeDiff, previous: Any) -> None:
        raise RuntimeError("listener bug")

    async def listener(diff: KnowledgeDiff, previous: Any) -> None:
        heard.append((diff, previous))

    service.add_content_listener(broken)
    remove = service.add_content_listener(listener)
    unchanged = await service.reload()
    assert not unchanged.added and not unchanged.changed and heard == []

    before = service.knowledge
    edit_page(seeds, *EDIT)
    with caplog.at_level(logging.ERROR, logger="bot.service"):
        changed = await service.reload()  # the broken listener is logged; the reload stands
    assert heard == [(changed, before)] and changed.changed
    assert "a content listener failed" in caplog.text
    assert service.knowledge is not before
    assert "3800元" in (service.ask("艾立华以多少钱起家？").quote or "")

    remove()
    edit_page(seeds, *reversed(EDIT))
    assert (await service.reload()).changed and len(heard) == 1


async def test_the_wiring_registers_content_hooks_while_the_bot_runs(
    tmp_path: Path, cache_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A feature's ``on_content`` is told about any reload while the bot runs — as a
    background task — and is unregistered when the bot stops."""
    seeds = copy_seeds(tmp_path)
    service = NewsService(seeds, INTENTS, cache_dir)
    service.load()
    heard: list[KnowledgeDiff] = []
    told = asyncio.Event()

    async def on_content(diff: KnowledgeDiff, previous: Any) -> None:
        heard.append(diff)
        told.set()

    with FakeBotAPI() as fake:
        settings = Settings(
            seeds=seeds,
            intents=INTENTS,
            db=tmp_path / "bot.sqlite3",
            cache_dir=cache_dir,
            api_url=fake.base_url,
            file_url=fake.base_file_url,
            token=fake.token,
        )
        spy = Feature(name="spy", on_content=on_content)
        app = build_application(settings, service, features=[spy])
        async with polling(app):
            edit_page(seeds, *EDIT)
            diff = await service.reload()
            await asyncio.wait_for(told.wait(), 10)
            assert heard == [diff]
        with caplog.at_level(logging.WARNING, logger="bot.telegram.app"):
            edit_page(seeds, *reversed(EDIT))
            assert (await service.reload()).changed
        assert heard == [diff]  # stopped: unregistered, not even a "not told" warning
        assert "not told" not in caplog.text
        assert fake.rejected() == []


def test_top_answers_count_only_the_question_asked(news: NewsService) -> None:
    asked = news.metrics.value("questions_total")
    found = news.top_answers("和天电子的董事长是谁？", 3)
    assert found[0][0] == "和天电子的董事长是谁？" and "陈宏志" in found[0][1].summary
    assert 1 < len(found) <= 3 and all(answer.answered for _, answer in found)
    assert [q for q, _ in found[1:]] == list(found[0][1].suggestions[: len(found) - 1])
    assert news.metrics.value("questions_total") == asked + 1


def test_console_chat_is_one_service_conversation(cache_dir: Path) -> None:
    """The interactive console (stdin not a terminal): a follow-up uses the previous turn,
    ``/reset`` forgets it."""
    lines = "信维电科申请了多少专利？\n研发团队呢？\n/reset\n研发团队呢？\n/quit\n"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat"],
        input=lines,
        text=True,
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "NEWSBOT_CACHE": str(cache_dir)},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    turns = result.stdout.split("问> ")[1:]
    assert len(turns) == 5  # four inputs and the prompt /quit answered
    assert "80余项" in turns[0]
    assert "超300人的国际化团队" in turns[1]  # resolved against 信维电科
    assert "上下文已清空" in turns[2]
    assert "超300人的国际化团队" not in turns[3]  # the same words alone mean something else


def test_the_architecture_doc_names_real_files() -> None:
    """docs/architecture.md says where each change goes; a file it names must exist, except
    the ones it marks as planned."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"(?:bot|intents|tests)/[\w/<>.]+\.(?:py|yaml)", doc))
    planned = {"bot/answer/types/<type>.py", "intents/lexicon.yaml"}
    assert planned <= named
    assert sorted(p for p in named - planned if not (ROOT / p).exists()) == []
