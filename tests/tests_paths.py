"""Paths of the repository's data, importable by every test module."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
INTENTS = ROOT / "intents"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SECOND_PAGE = FIXTURES / "pages"
QA = Path(__file__).resolve().parent / "qa"
