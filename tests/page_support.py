"""One invented page built into a real snapshot, for tests of a single answering rule."""

from __future__ import annotations

from pathlib import Path

from tests_paths import INTENTS

from bot.answer.engine import Answerer
from bot.answer.model import Answer
from bot.knowledge.build import Builder, Knowledge


def page_knowledge(directory: Path, cache_dir: Path, page: str) -> Knowledge:
    """The snapshot of ``page`` written as the only file of ``directory``."""
    (directory / "001_page.txt").write_text(page, encoding="utf-8")
    return Builder(directory, INTENTS, cache_dir).build()


def answers(directory: Path, cache_dir: Path, page: str, *questions: str) -> list[Answer]:
    """The answers to ``questions`` (each on its own, no conversation) over ``page``."""
    knowledge = page_knowledge(directory, cache_dir, page)
    with knowledge.bound():
        answerer = Answerer(knowledge)
        return [answerer.answer(q) for q in questions]
