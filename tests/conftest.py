"""Shared fixtures: the repository's seeds and intents, one Knowledge per session.

Building a Knowledge costs about a second (jieba's dictionary), so the shipped page is
built once per session into a temporary cache directory and shared read-only.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests_paths import INTENTS, SECOND_PAGE, SEEDS

from bot.answer.engine import Answerer
from bot.knowledge.build import Knowledge, build_knowledge
from bot.service import NewsService
from bot.text import tokenizer


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("newsbot-cache")
    previous = os.environ.get("NEWSBOT_CACHE")
    os.environ["NEWSBOT_CACHE"] = str(path)  # subprocesses (CLI tests) share it
    tokenizer.configure(path / "jieba")
    yield path
    if previous is None:
        os.environ.pop("NEWSBOT_CACHE", None)
    else:
        os.environ["NEWSBOT_CACHE"] = previous


@pytest.fixture(scope="session")
def knowledge(cache_dir: Path) -> Knowledge:
    return build_knowledge(SEEDS, INTENTS, cache_dir)


@pytest.fixture(scope="session")
def answerer(knowledge: Knowledge) -> Answerer:
    return Answerer(knowledge)


@pytest.fixture(scope="session")
def news(knowledge: Knowledge, answerer: Answerer) -> NewsService:
    """The service every front end asks through, over the session's snapshot."""
    return NewsService.serving(knowledge, answerer)


@pytest.fixture(scope="session")
def second_knowledge(cache_dir: Path) -> Knowledge:
    return build_knowledge(SECOND_PAGE, INTENTS, cache_dir)
