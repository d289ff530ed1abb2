"""Copies of the shipped rules with one threshold changed, for tests that need another value."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests_paths import INTENTS


def rules_listing(directory: Path, per_page: int) -> Path:
    """The shipped rules in ``directory`` with lists of ``per_page`` articles a page
    (``max_listed_articles``, commented out — at its default — in answering.yaml)."""
    shutil.copytree(INTENTS, directory, dirs_exist_ok=True)
    answering = directory / "answering.yaml"
    text = answering.read_text(encoding="utf-8")
    changed = text.replace("# max_listed_articles: 20", f"max_listed_articles: {per_page}")
    assert changed != text, "answering.yaml no longer lists max_listed_articles"
    answering.write_text(changed, encoding="utf-8")
    return directory
