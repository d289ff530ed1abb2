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


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory in which the test process cannot create files.

    Mode bits bind ordinary users only, so as root (CI containers) sysfs stands in: it refuses
    new files to everybody.  Checked before use, so the test never passes vacuously.
    """
    if os.geteuid() == 0:
        directory = Path("/sys")
    else:
        directory = tmp_path / "read-only"
        directory.mkdir()
        directory.chmod(0o555)
    with pytest.raises(OSError):
        os.close(os.open(directory / "newsbot-probe", os.O_WRONLY | os.O_CREAT, 0o644))
    yield directory
    if directory != Path("/sys"):
        directory.chmod(0o755)
