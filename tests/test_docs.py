"""The README documents everything a user can type: every ``newsbot`` subcommand, every bot
command the production wiring registers, and every environment variable newsbot reads (and
``deploy/.env.example`` lists them too).  A command added without documentation fails here."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest
from telegram.ext import CommandHandler

from bot.cli import build_parser
from bot.config import ENVIRONMENT, Settings
from bot.service import NewsService
from bot.store import AsyncStore, Store
from bot.telegram.app import build_application
from bot.telegram.runner import optional_features

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def subcommands() -> list[str]:
    parser = build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert actions, "newsbot has no subcommands"
    return sorted(actions[0].choices)


def test_every_cli_subcommand_is_documented() -> None:
    names = subcommands()
    assert {"ask", "chat", "check", "eval", "run"} <= set(names)
    missing = [n for n in names if not re.search(rf"`(\.venv/bin/)?newsbot {n}\b", README)]
    assert not missing, f"README lacks `newsbot …` entries for {missing}"


def test_every_run_option_is_documented() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    run = sub.choices["run"]
    options = {
        opt for action in run._actions for opt in action.option_strings if opt.startswith("--")
    }
    ignored = {"--help", "--seeds", "--intents", "--db", "--cache-dir", "--api-url"}
    ignored.add("--log-level")  # global options, documented with their environment variables
    missing = sorted(o for o in options - ignored if o not in README)
    assert not missing, f"README lacks newsbot run options {missing}"


def test_every_eval_option_is_documented() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    options = {
        opt
        for action in sub.choices["eval"]._actions
        for opt in action.option_strings
        if opt.startswith("--")
    }
    assert {"--all", "--manifest", "--show-holdout"} <= options
    ignored = {"--help", "--seeds", "--intents", "--db", "--cache-dir", "--log-level"}
    missing = sorted(o for o in options - ignored if o not in README)
    assert not missing, f"README lacks newsbot eval options {missing}"
    assert "newsbot eval --all`" in README  # as `.venv/bin/newsbot eval --all` in the table


async def registered_bot_commands(tmp_path: Path, cache_dir: Path) -> list[str]:
    """What ``newsbot run`` registers: the built-in commands plus every optional feature."""
    settings = Settings(
        seeds=ROOT / "seeds",
        intents=ROOT / "intents",
        db=tmp_path / "bot.sqlite3",
        cache_dir=cache_dir,
        token="123:docs",
    )
    service = NewsService(settings.seeds, settings.intents, cache_dir)
    service.load()
    store = AsyncStore(Store(settings.db))
    try:
        args = argparse.Namespace(watch=True, health_port=None)
        features = optional_features(args, settings, service, store)
        app = build_application(settings, service, store=store, features=features)
        return sorted(
            command
            for handlers in app.handlers.values()
            for handler in handlers
            if isinstance(handler, CommandHandler)
            for command in handler.commands
        )
    finally:
        await store.aclose()


@pytest.mark.asyncio
async def test_every_bot_command_is_documented(tmp_path: Path, cache_dir: Path) -> None:
    commands = await registered_bot_commands(tmp_path, cache_dir)
    assert {"start", "help", "ask", "reload", "subscribe"} <= set(commands)
    missing = [c for c in commands if not re.search(rf"`/{c}\b", README)]
    assert not missing, f"README lacks bot commands {missing}"


@pytest.mark.parametrize("name", sorted(ENVIRONMENT))
def test_every_environment_variable_is_documented(name: str) -> None:
    assert f"`{name}`" in README
    example = (ROOT / "deploy" / ".env.example").read_text(encoding="utf-8")
    assert re.search(rf"^#?\s*{name}=", example, re.M), f"deploy/.env.example lacks {name}"


def test_environment_variables_read_by_the_code_are_in_the_table() -> None:
    """A variable read with ``os.environ`` somewhere in ``bot/`` but missing from
    :data:`ENVIRONMENT` would be undocumented."""
    read: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        read |= set(re.findall(r"\"(NEWSBOT_[A-Z_]+|TELEGRAM_BOT_[A-Z_]+)\"", text))
    assert read, "found no environment variables in bot/"
    assert read <= set(ENVIRONMENT), f"not in ENVIRONMENT: {sorted(read - set(ENVIRONMENT))}"


def test_readme_test_command_is_what_ci_runs() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
    assert "make test" in README


def test_the_readme_shows_the_screenshots_it_links() -> None:
    """Each picture the README links exists and is a PNG (tools/screenshots.py)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = re.findall(r"\]\((docs/screenshots/[\w-]+\.png)\)", readme)
    assert {Path(p).stem for p in linked} >= {"conversation", "digest", "settings"}
    for path in linked:
        assert (ROOT / path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", path
