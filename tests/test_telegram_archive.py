"""/articles over an archive of several days, through the real Application and a fake Bot
API: the list is paged (``/articles 2``, ◂ 较新 · 更早 ▸), newest page first, and an answer's
source line carries its page's date."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fakebotapi import FakeBotAPI
from hypothesis import given
from hypothesis import strategies as st
from rules_support import rules_listing
from test_telegram_e2e import Harness, labels, running
from tests_paths import FIXTURES

from bot.config import Settings
from bot.service import NewsService
from bot.telegram.handlers import list_page

ARCHIVE = FIXTURES / "archive"


@pytest.fixture(scope="module")
def paged_intents(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped rules with lists of three articles a page (the archive's 8: 3 pages)."""
    return rules_listing(tmp_path_factory.mktemp("intents"), per_page=3)


@pytest.fixture(scope="module")
def service(paged_intents: Path, cache_dir: Path) -> NewsService:
    news = NewsService(ARCHIVE, paged_intents, cache_dir)
    news.load()
    return news


@pytest.fixture
async def bot(
    service: NewsService, paged_intents: Path, tmp_path: Path, cache_dir: Path
) -> AsyncIterator[Harness]:
    with FakeBotAPI() as fake:
        settings = Settings(
            seeds=ARCHIVE,
            intents=paged_intents,
            db=tmp_path / "bot.sqlite3",
            cache_dir=cache_dir,
            admins=frozenset({4242}),
            api_url=fake.base_url,
            file_url=fake.base_file_url,
            token=fake.token,
        )
        async with running(fake, service, settings) as harness:
            yield harness
        assert fake.rejected() == []


async def test_articles_are_paged_newest_first(bot: Harness) -> None:
    first = await bot.reply("/articles")
    assert first["text"].startswith("共有8篇报道，最新的3篇")
    assert labels(first) == [
        "1. 地铁3号线开始铺轨",
        "2. 城区新增公共充电桩1500个",
        "3. 老旧小区今年加装电梯120部",
        "更早 ▸",
    ]
    second = await bot.press(first, "更早 ▸")
    assert second["text"].startswith("共有8篇报道（第2/3页）")
    assert "4. 《地铁3号线首座车站完成装修》" in second["text"]
    assert labels(second)[0] == "4. 地铁3号线首座车站完成装修"
    assert labels(second)[-2:] == ["◂ 较新", "更早 ▸"]
    back = await bot.press(second, "◂ 较新")
    assert back["text"] == first["text"]
    third = await bot.reply("/articles 3")
    assert third["text"].startswith("共有8篇报道（第3/3页）")
    assert labels(third)[-1] == "◂ 较新"  # the last page: nothing older
    odd = await bot.reply("/articles 第二页")
    assert odd["text"].startswith("共有8篇报道（第2/3页）")


async def test_an_answer_shows_its_pages_date(bot: Harness) -> None:
    answer = await bot.reply("3月2日的报道说地铁3号线土建完成了多少？")
    assert "78%" in answer["text"]
    assert "2026年3月2日" in answer["text"]


@pytest.mark.parametrize(
    ("args", "page"),
    [(None, 1), ([], 1), (["2"], 2), (["２"], 2), (["第二页"], 2), (["十二"], 12), (["x"], 1)],
)
def test_list_page_argument(args: list[str] | None, page: int) -> None:
    assert list_page(args) == page


@given(st.lists(st.text(max_size=12), max_size=3))
def test_any_list_page_argument_is_a_page(args: list[str]) -> None:
    assert 1 <= list_page(args) < 1_000_000
