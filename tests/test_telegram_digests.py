"""Digests on Telegram, end to end: the real ``Application`` against FakeBotAPI over HTTP.

Real SQLite files in tmp_path, the production wiring (``build_application`` with the digests
feature), and time injected: the store and the scheduler read one fake wall clock that the
tests move, and the pacer runs on a virtual clock, so flood waits and per-chat gaps cost no
real time.  The one exception is the fan-out, which runs on the real pacer to measure what the
bot really sustains.  Every harness ends by checking that the fake refused nothing
(``rejected() == []``).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakebotapi import FakeBotAPI, parse_html, utf16_len
from polling_support import polling
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.config import Settings
from bot.content.model import FactKind
from bot.digest import (
    ChatMoved,
    ChatUnreachable,
    Digest,
    DigestEntry,
    DigestItem,
    ItemDetails,
    KeyFact,
    RetryLater,
    TopicGroup,
    TransientSendError,
    build_digest,
    catalog_for,
    new_subscriber_digest,
    plan_messages,
)
from bot.knowledge.build import Knowledge
from bot.service import NewsService
from bot.store import AsyncStore, Store
from bot.telegram.app import build_application
from bot.telegram.article_view import OPEN_ACTION
from bot.telegram.deps import BotOptions
from bot.telegram.digest_delivery import DigestOptions, send_error
from bot.telegram.digest_render import (
    MAX_ITEMS_PER_MESSAGE,
    AskRef,
    digest_layout,
    render_digest,
)
from bot.telegram.digests import Digests
from bot.telegram.ptb import App

ROOT = Path(__file__).resolve().parent.parent
SEEDS, INTENTS = ROOT / "seeds", ROOT / "intents"
BOT = "newsbot_test_bot"
GROUP = -1001234567890
ADMIN = 5005
START = datetime(2024, 3, 1, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai: today's 08:00 has passed
DUE = datetime(2024, 3, 2, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai the next day
TITLE = "《益阳：鱼米之乡量产高端“工业大米”》"
QUESTION = "艾华集团投资了多少钱？"

JSON = dict[str, Any]


class WallClock:
    """The wall clock of the store and the scheduler; tests move it."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class VirtualPace:
    """The pacer's clock and sleep: sleeping moves the clock at once."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        self.slept += max(0.0, seconds)
        await asyncio.sleep(0)


@dataclass
class Harness:
    fake: FakeBotAPI
    app: App
    store: AsyncStore
    digests: Digests
    clock: WallClock
    pace: VirtualPace = field(default_factory=VirtualPace)

    async def reply(
        self, text: str, *, chat_id: int = 1001, count: int = 1, **kwargs: Any
    ) -> JSON:
        """Push a message, wait for ``count`` new bot messages in the chat; the last one."""
        before = len(self.fake.sent_messages(chat_id))
        self.fake.push_message(text, chat_id=chat_id, **kwargs)
        messages = await self.fake.wait_for_messages(chat_id, before + count)
        return messages[before + count - 1]

    async def toast(self, message: JSON, label: str, **kwargs: Any) -> str:
        """Press a button, wait for its callback answer; the toast text."""
        before = len(self.fake.calls("answerCallbackQuery"))
        self.fake.push_callback(message, data_of(message, label), **kwargs)
        calls = await self.fake.wait_for_calls("answerCallbackQuery", before + 1)
        return str(calls[before].get("text", ""))

    def digests_in(self, chat_id: int) -> list[JSON]:
        return [m for m in self.fake.sent_messages(chat_id) if is_digest(m)]

    async def first_tick(self) -> None:
        """Wait until the tick the job queue runs right after start has completed."""
        runtime = self.digests.runtime
        await self.fake.wait_for(lambda: runtime.ticks_completed >= 1, what="the first tick")

    async def ticks(self, count: int) -> None:
        """Wait until the job queue has completed ``count`` more ticks."""
        runtime = self.digests.runtime
        target = runtime.ticks_completed + count
        await self.fake.wait_for(lambda: runtime.ticks_completed >= target, what="ticks")


def is_digest(message: JSON) -> bool:
    return str(message.get("text", "")).startswith(("📰 订阅摘要", "📰 Your digest"))


def labels(message: JSON) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


def data_of(message: JSON, label: str) -> str:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    found = [b["callback_data"] for row in rows for b in row if b["text"] == label]
    assert found, f"no button {label!r} in {labels(message)}"
    return str(found[0])


def article_ids(message: JSON) -> list[str]:
    """The articles a digest message listed, read back from its 阅读 buttons."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    out = []
    for row in rows:
        for button in row:
            action, article, page, _check = str(button["callback_data"]).split(":")
            assert action == OPEN_ACTION and page == "0"
            out.append(article)
    return out


def make_settings(fake: FakeBotAPI, tmp_path: Path, cache: Path) -> Settings:
    return Settings(
        seeds=SEEDS,
        intents=INTENTS,
        db=tmp_path / "bot.sqlite3",
        cache_dir=cache,
        admins=frozenset({4242}),
        api_url=fake.base_url,
        file_url=fake.base_file_url,
        token=fake.token,
    )


@pytest.fixture(scope="module")
def service(cache_dir: Path) -> NewsService:
    news = NewsService(SEEDS, INTENTS, cache_dir)
    news.load()
    return news


@asynccontextmanager
async def running(
    fake: FakeBotAPI,
    service: NewsService,
    settings: Settings,
    clock: WallClock,
    *,
    tick: timedelta = timedelta(hours=1),
    real_pace: bool = False,
) -> AsyncIterator[Harness]:
    """The bot as ``newsbot run`` wires it (digests feature included), polling the fake."""
    pace = VirtualPace()
    options = DigestOptions(tick_interval=tick, clock=clock)
    if not real_pace:
        options = replace(options, monotonic=pace.monotonic, sleep=pace.sleep)
    store = AsyncStore(Store(settings.db, clock=clock))
    digests = Digests(settings, service, store, options)
    app = build_application(
        settings,
        service,
        store=store,
        features=[digests.feature()],
        options=BotOptions(flood_limit=0),
    )
    try:
        async with polling(app):
            yield Harness(fake, app, store, digests, clock, pace)
    finally:
        await store.aclose()


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server
        assert server.rejected() == []


@pytest.fixture
async def bot(
    fake: FakeBotAPI, service: NewsService, tmp_path: Path, cache_dir: Path
) -> AsyncIterator[Harness]:
    settings = make_settings(fake, tmp_path, cache_dir)
    async with running(fake, service, settings, WallClock()) as harness:
        await harness.first_tick()  # nothing was due
        yield harness


def electronics(service: NewsService) -> list[DigestItem]:
    return list(new_subscriber_digest(service.knowledge, "electronics").items)


# --- subscribe, /digest, restart ------------------------------------------------------------


async def test_subscribe_then_digest_then_nothing_then_restart(
    fake: FakeBotAPI, service: NewsService, tmp_path: Path, cache_dir: Path
) -> None:
    settings = make_settings(fake, tmp_path, cache_dir)
    clock = WallClock()
    expected = electronics(service)
    async with running(fake, service, settings, clock) as bot:
        menu = [c["command"] for c in fake.commands()]
        assert menu.count("topics") == 1
        assert {"subscribe", "unsubscribe", "digest", "settime", "timezone"} <= set(menu)
        assert fake.commands(language_code="en")[0]["description"]
        done = await bot.reply("/subscribe 电子元器件")
        assert "已订阅「电子元器件」" in done["text"]
        assert "每天 08:00（Asia/Shanghai）" in done["text"] and "3月2日 08:00" in done["text"]
        await bot.reply("/digest")
        (digest,) = bot.digests_in(1001)
        assert digest["text"].startswith("📰 订阅摘要\n\n【电子元器件】")
        assert (
            TITLE in digest["text"] and "《三张「名片」稳底盘，益阳向新更从容》" in digest["text"]
        )
        assert "<b>1. 《益阳：鱼米之乡量产高端“工业大米”》 2026年1月23日</b>" in digest["html"]
        assert "年产值的" not in digest["text"]  # no clause with its figure cut out
        entries = new_subscriber_digest(service.knowledge, "electronics").entries
        assert article_ids(digest) == [entry.article_id for entry in entries]
        assert len(set(article_ids(digest))) == len(entries)  # each article once
        assert len(set(labels(digest))) == len(labels(digest))  # no two buttons alike
        assert all(len(data_of(digest, label).encode()) <= 64 for label in labels(digest))
        print(
            "DIGEST_AS_SENT",
            json.dumps({"text": digest["text"], "buttons": labels(digest)}, ensure_ascii=False),
        )
        again = await bot.reply("/digest")
        assert again["text"].startswith("你订阅的话题暂时没有新内容")
        ledger = await bot.store.delivered(1001)
        assert set(ledger) == {item.item_id for item in expected}
    async with running(fake, service, settings, clock) as bot:
        after = await bot.reply("/digest")
        assert after["text"].startswith("你订阅的话题暂时没有新内容")
        assert len(bot.digests_in(1001)) == 1  # the one before the restart
        await bot.first_tick()
        assert len(bot.digests_in(1001)) == 1


async def test_topic_names_match_fuzzily_and_can_be_dropped(bot: Harness) -> None:
    assert "已订阅「城市更新」" in (await bot.reply("/subscribe 城市"))["text"]
    both = await bot.reply("/subscribe 城市 金融")
    assert "已经订阅了「城市更新」" in both["text"] and "已订阅「金融担保」" in both["text"]
    unknown = await bot.reply("/subscribe 火星殖民")
    assert (
        unknown["text"].startswith("没有找到话题「火星殖民」") and "电子元器件" in unknown["text"]
    )
    english = await bot.reply("/subscribe electronic", language_code="en")
    assert english["text"].startswith("✅ Subscribed to “Electronic components”")
    knowledge = bot.digests.service.knowledge
    pending = build_digest(knowledge, ["electronics", "urban", "finance"], {})
    plan = plan_messages(pending, digest_layout(knowledge.rules.responses, "en"))
    await bot.reply("/digest", language_code="en", count=len(plan))
    english_digests = bot.digests_in(1001)
    assert len(english_digests) == len(plan) and "[Electronic components]" in "".join(
        m["text"] for m in english_digests
    )
    assert english_digests[0]["text"].startswith("📰 Your digest")
    listing = await bot.reply("/subscriptions")
    assert "你订阅了：电子元器件、城市更新、金融担保" in listing["text"]
    assert "已取消订阅「城市更新」" in (await bot.reply("/unsubscribe urban"))["text"]
    assert "你没有订阅「城市更新」" in (await bot.reply("/unsubscribe 城市更新"))["text"]
    assert "用法：/unsubscribe" in (await bot.reply("/unsubscribe"))["text"]
    assert "已取消全部2个订阅" in (await bot.reply("/unsubscribe all"))["text"]
    assert (await bot.reply("/digest"))["text"].startswith("你还没有订阅任何话题")
    assert await bot.store.subscriptions(1001) == []


# --- the schedule ---------------------------------------------------------------------------


async def test_settime_one_minute_ahead_delivers_once_at_that_minute(
    fake: FakeBotAPI, service: NewsService, tmp_path: Path, cache_dir: Path
) -> None:
    settings = make_settings(fake, tmp_path, cache_dir)
    clock = WallClock()
    async with running(
        fake, service, settings, clock, tick=timedelta(milliseconds=20)
    ) as bot:  # the job queue ticks on its own; only the fake clock decides what is due
        await bot.reply("/subscribe 电子元器件")
        done = await bot.reply("/settime 09:01")
        assert "以后每天 09:01 发送摘要" in done["text"] and "3月1日 09:01" in done["text"]
        await bot.ticks(3)
        clock.now = START + timedelta(seconds=59)
        await bot.ticks(3)
        assert bot.digests_in(1001) == []  # not before its minute
        clock.now = START + timedelta(minutes=1)
        await fake.wait_for(lambda: len(bot.digests_in(1001)) == 1, what="the digest")
        clock.now = START + timedelta(minutes=5)
        await bot.ticks(5)
        assert len(bot.digests_in(1001)) == 1  # exactly once
        chat = await bot.store.get_chat(1001)
        assert chat is not None and chat.next_digest_at == START + timedelta(days=1, minutes=1)


async def test_a_digest_missed_while_down_is_sent_once_at_start(
    fake: FakeBotAPI, service: NewsService, tmp_path: Path, cache_dir: Path
) -> None:
    settings = make_settings(fake, tmp_path, cache_dir)
    clock = WallClock()
    async with running(fake, service, settings, clock) as bot:
        await bot.reply("/subscribe 城市更新")
    clock.now = DUE + timedelta(days=2, hours=3)  # down through three digest times
    async with running(fake, service, settings, clock) as bot:
        await bot.first_tick()  # right after start
        assert len(bot.digests_in(1001)) == 1
        report = await bot.digests.runtime.tick()
        assert report.chats_attempted == 0 and len(bot.digests_in(1001)) == 1


async def test_settime_and_timezone_edge_cases(bot: Harness) -> None:
    for bad in ("24:00", "7:5", "25:61", "7点", "12:00:00"):
        text = (await bot.reply(f"/settime {bad}"))["text"]
        assert f"「{bad}」不是有效的时间" in text and "用法：/settime HH:MM" in text, text
    assert "现在是每天 08:00（Asia/Shanghai）" in (await bot.reply("/settime"))["text"]
    assert "以后每天 07:05" in (await bot.reply("/settime 7:05"))["text"]
    assert "以后每天 07:30" in (await bot.reply("/settime ０７：３０"))["text"]
    english = await bot.reply("/settime 24:00", language_code="en")
    assert (
        english["text"].startswith("「24:00」 is not a valid time") and "Usage:" in english["text"]
    )
    unknown = await bot.reply("/timezone Mars/Olympus_Mons")
    assert "没有找到时区「Mars/Olympus_Mons」" in unknown["text"]
    assert "/timezone Asia/Shanghai" in unknown["text"]
    assert "用法：/timezone" in (await bot.reply("/timezone"))["text"]
    tokyo = await bot.reply("/timezone asia/tokyo")
    assert "时区已设为 Asia/Tokyo" in tokyo["text"]
    chat = await bot.store.get_chat(1001)
    assert chat is not None and (chat.timezone, chat.digest_time) == ("Asia/Tokyo", "07:30")
    await bot.reply("/subscribe 民生")
    assert "已暂停每日摘要" in (await bot.reply("/pause"))["text"]
    assert "每日摘要已暂停" in (await bot.reply("/subscriptions"))["text"]
    resumed = await bot.reply("/resume")
    assert "已恢复每日摘要" in resumed["text"] and "每天 07:30（Asia/Tokyo）" in resumed["text"]


# --- /topics toggles ------------------------------------------------------------------------


async def test_topics_toggle_and_redraw(bot: Harness) -> None:
    listing = await bot.reply("/topics")
    assert listing["text"].startswith("可以订阅的话题")
    assert "电子元器件" in labels(listing) and not any("✓" in x for x in labels(listing))
    assert "已订阅「电子元器件」" in await bot.toast(listing, "电子元器件")
    assert await bot.store.subscriptions(1001) == ["electronics"]
    await redrawn(bot, listing, "✓ 电子元器件", present=True)  # the toast comes first
    current = bot.fake.message(1001, listing["message_id"])
    assert current is not None and "✓ 电子元器件" in labels(current)
    current["chat"] = listing["chat"]
    assert "已取消订阅「电子元器件」" in await bot.toast(current, "✓ 电子元器件")
    assert await bot.store.subscriptions(1001) == []
    await redrawn(bot, listing, "✓ 电子元器件", present=False)
    current = bot.fake.message(1001, listing["message_id"])
    assert current is not None and "✓ 电子元器件" not in labels(current)
    # A redraw Telegram calls "not modified" (two quick presses) is not an error.
    bot.fake.fail_next("editMessageReplyMarkup", "400-not-modified")
    assert "已订阅「城市更新」" in await bot.toast(current, "城市更新")
    assert await bot.store.subscriptions(1001) == ["urban"]
    english = await bot.reply("/topics", language_code="en")
    assert "Urban renewal" in labels(english) or "✓ Urban renewal" in labels(english)
    assert len(bot.fake.sent_messages(1001)) == 2  # no error message anywhere


async def redrawn(bot: Harness, message: JSON, label: str, *, present: bool) -> None:
    """Wait for the keyboard redraw that follows a toggle's toast."""

    def done() -> bool:
        current = bot.fake.message(1001, message["message_id"])
        return current is not None and (label in labels(current)) == present

    await bot.fake.wait_for(done, what=f"keyboard redraw ({label!r} present={present})")


# --- groups ---------------------------------------------------------------------------------


async def test_group_changes_need_a_chat_admin_and_anyone_may_read(bot: Harness) -> None:
    group: JSON = {"chat_id": GROUP, "chat_type": "supergroup", "chat_title": "读报群"}
    bot.fake.set_chat_admins(GROUP, [ADMIN])
    refused = await bot.reply(f"/subscribe@{BOT} 电子元器件", user_id=1001, **group)
    assert "只有管理员" in refused["text"]
    assert await bot.store.subscriptions(GROUP) == []
    done = await bot.reply(f"/subscribe@{BOT} 电子元器件", user_id=ADMIN, **group)
    assert "已订阅「电子元器件」" in done["text"]
    listing = await bot.reply(f"/subscriptions@{BOT}", user_id=1001, **group)
    assert "你订阅了：电子元器件" in listing["text"]
    changes = (
        ("settime", "07:00"),
        ("timezone", "Asia/Tokyo"),
        ("pause", ""),
        ("unsubscribe", "all"),
    )
    for name, argument in changes:
        refused = await bot.reply(f"/{name}@{BOT} {argument}", user_id=1001, **group)
        assert "只有管理员" in refused["text"], name
    pending = await bot.reply(f"/digest@{BOT}", user_id=1001, **group)
    assert "只有管理员可以用 /digest 立即发送" in pending["text"]
    assert bot.digests_in(GROUP) == []
    before = len(bot.fake.sent_messages(GROUP))
    bot.fake.push_message(f"/digest@{BOT}", user_id=ADMIN, **group)
    await bot.fake.wait_for(lambda: len(bot.digests_in(GROUP)) == 1, what="group digest")
    assert len(bot.fake.sent_messages(GROUP)) == before + 1
    nothing = await bot.reply(f"/digest@{BOT}", user_id=1001, **group)
    assert nothing["text"].startswith("你订阅的话题暂时没有新内容")
    chat = await bot.store.get_chat(GROUP)
    assert chat is not None and (chat.digest_time, chat.paused) == ("08:00", False)


async def test_group_toggles_need_a_chat_admin(bot: Harness) -> None:
    """A separate group: PTB's rate limiter allows 20 requests a minute per group, and
    getChatMember counts."""
    group: JSON = {"chat_id": GROUP - 1, "chat_type": "supergroup", "chat_title": "读报群二"}
    bot.fake.set_chat_admins(GROUP - 1, [ADMIN])
    topics = await bot.reply(f"/topics@{BOT}", user_id=1001, **group)
    assert "只有管理员" in await bot.toast(topics, "城市更新", user_id=1001)
    assert await bot.store.subscriptions(GROUP - 1) == []
    assert "已订阅「城市更新」" in await bot.toast(topics, "城市更新", user_id=ADMIN)
    assert await bot.store.subscriptions(GROUP - 1) == ["urban"]


async def test_subscribe_button_under_an_answer_uses_the_same_rules(bot: Harness) -> None:
    answer = await bot.reply(QUESTION)
    toast = await bot.toast(answer, "订阅「电子元器件」")
    assert "已订阅「电子元器件」" in toast and "每天 08:00（Asia/Shanghai）" in toast
    assert await bot.store.subscriptions(1001) == ["electronics"]
    group: JSON = {"chat_id": GROUP, "chat_type": "supergroup", "chat_title": "读报群"}
    bot.fake.set_chat_admins(GROUP, [ADMIN])
    in_group = await bot.reply(f"@{BOT} {QUESTION}", **group)
    assert "管理员" in await bot.toast(in_group, "订阅「电子元器件」", user_id=1001)
    assert await bot.store.subscriptions(GROUP) == []


# --- the read button and the article pages -------------------------------------------------


async def test_read_button_opens_the_article_and_old_ask_buttons_still_answer(
    bot: Harness,
) -> None:
    await bot.reply("/subscribe 电子元器件")
    await bot.reply("/digest")
    (digest,) = bot.digests_in(1001)
    second = labels(digest)[1]
    assert second == "2. 阅读《三张「名片」稳底盘，益阳向新更从容》"
    before = len(bot.fake.sent_messages(1001))
    bot.fake.push_callback(digest, data_of(digest, second))
    (page,) = (await bot.fake.wait_for_messages(1001, before + 1))[before:]
    assert page["text"].startswith("《三张「名片」稳底盘，益阳向新更从容》 2026年1月23日\n\n")
    assert "本身就是一种战略定力" in page["text"]  # the article's own text, not a summary
    assert page.get("reply_markup") is None  # one page, no link in this sidecar: no buttons
    changed = data_of(digest, second)[:-6] + "000000"  # the article changed since
    for stale in ("dr:ffffffffff:0:abcdef", changed, "dr:x", "dp:" + second[:3]):
        bot.fake.push_callback(digest, stale, check_button=False)
    # a digest sent before entries carried ask-about-it buttons: they still ask their question
    item = new_subscriber_digest(bot.digests.service.knowledge, "electronics").items[1]
    bot.fake.push_callback(digest, AskRef.of(item).encode(), check_button=False)
    asked = (await bot.fake.wait_for_messages(1001, before + 2))[-1]
    assert asked["text"].startswith("问：" + item.question)
    calls = await bot.fake.wait_for_calls("answerCallbackQuery", 6)
    assert sum("失效" in str(c.get("text")) for c in calls) == 4
    assert len(bot.fake.sent_messages(1001)) == before + 2


LONG_PAGE = "\n\n".join(
    ["# 益阳电子元器件产业长卷"]
    + [
        f"第{n}段。益阳电子元器件企业加快技术改造，电容器和电路板产量稳步增长，"
        + "产业链上下游企业协同发展，研发投入持续加大，新产品不断走向全国和全球市场。" * 4
        for n in range(1, 31)
    ]
)


async def test_a_long_article_is_paged_with_previous_next_and_its_link(
    fake: FakeBotAPI, tmp_path: Path, cache_dir: Path
) -> None:
    seeds = tmp_path / "long" / "seeds"
    seeds.mkdir(parents=True)
    (seeds / "201_long.txt").write_text(LONG_PAGE + "\n", encoding="utf-8")
    (seeds / "201_long.yaml").write_text(
        "version: 1\ndate: 2026-02-01\nurl: https://example.com/201_long.html\n",
        encoding="utf-8",
    )
    service = NewsService(seeds, INTENTS, cache_dir)
    service.load()
    (article,) = service.knowledge.articles
    assert article.url == "https://example.com/201_long.html"
    settings = replace(make_settings(fake, tmp_path, cache_dir), seeds=seeds)
    async with running(fake, service, settings, WallClock()) as bot:
        await bot.reply("/subscribe 电子元器件")
        await bot.reply("/digest")
        (digest,) = bot.digests_in(1001)
        assert "原文：https://example.com/201_long.html" in digest["text"]
        before = len(fake.sent_messages(1001))
        fake.push_callback(digest, data_of(digest, labels(digest)[0]))
        (page,) = (await fake.wait_for_messages(1001, before + 1))[before:]
        heading = page["text"].split("\n", 1)[0]
        total = int(heading.rsplit("/", 1)[1].rstrip("页"))
        assert heading == f"《益阳电子元器件产业长卷》 2026年2月1日 第1/{total}页" and total >= 2
        assert labels(page) == ["下一页 ▶", "🔗 阅读原文"]
        shown = [page["text"]]
        for number in range(2, total + 1):
            await bot.toast(page, "下一页 ▶")
            page = await _edited(fake, page, f"第{number}/{total}页")
            shown.append(page["text"])
        assert labels(page) == ["◀ 上一页", "🔗 阅读原文"]
        link = page["reply_markup"]["inline_keyboard"][-1][0]
        assert link["url"] == "https://example.com/201_long.html"
        await bot.toast(page, "◀ 上一页")
        page = await _edited(fake, page, f"第{total - 1}/{total}页")
        assert all(utf16_len(text) <= 4096 for text in shown)
        body = "".join(text.split("\n\n", 1)[1] for text in shown)
        for n in range(1, 31):
            assert body.count(f"第{n}段。") == 1  # every paragraph on exactly one page
        assert len(fake.sent_messages(1001)) == before + 1  # pages turned in place
        print("ARTICLE_PAGES", json.dumps({"pages": total, "sizes": [len(t) for t in shown]}))


async def _edited(fake: FakeBotAPI, message: JSON, marker: str) -> JSON:
    """Wait until ``message`` has been edited to show ``marker``; its new version."""

    def current() -> JSON | None:
        chat_id = int(message["chat"]["id"])
        mine = [m for m in fake.sent_messages(chat_id) if m["message_id"] == message["message_id"]]
        return mine[0] if mine else None

    await fake.wait_for(
        lambda: marker in str((current() or {}).get("text", "")), what=f"page {marker}"
    )
    found = current()
    assert found is not None
    return found


# --- faults ---------------------------------------------------------------------------------


async def test_a_429_during_a_digest_send_still_delivers(bot: Harness) -> None:
    await bot.reply("/subscribe 电子元器件")
    bot.fake.fail_next("sendMessage", "429", retry_after=7)
    bot.fake.push_message("/digest")
    await bot.fake.wait_for(lambda: len(bot.digests_in(1001)) == 1, what="the digest")
    statuses = [r.status for r in bot.fake.requests if r.method == "sendMessage"]
    assert statuses[-2:] == [429, 200]
    assert bot.pace.slept >= 7  # the flood wait was honoured (on the virtual clock)
    assert len(bot.digests_in(1001)) == 1


async def test_a_blocked_chat_is_marked_inactive_and_keeps_its_topics(bot: Harness) -> None:
    await bot.reply("/subscribe 民生", chat_id=2002, user_id=2002)
    bot.fake.block(2002)
    bot.clock.now = DUE
    report = await bot.digests.runtime.tick()
    assert (report.inactive_marked, report.messages_sent) == (1, 0)
    chat = await bot.store.get_chat(2002)
    assert chat is not None and not chat.active and chat.next_digest_at is None
    assert await bot.store.subscriptions(2002) == ["livelihood"]
    bot.clock.now = DUE + timedelta(days=1)
    sends = len(bot.fake.calls("sendMessage"))
    assert (await bot.digests.runtime.tick()).chats_attempted == 0
    assert len(bot.fake.calls("sendMessage")) == sends
    bot.fake.unblock(2002)  # the user comes back: the chat is active again, digest owed
    listing = await bot.reply("/subscriptions", chat_id=2002, user_id=2002)
    assert "你订阅了：民生" in listing["text"]
    assert (await bot.digests.runtime.tick()).chats_completed == 1
    assert len(bot.digests_in(2002)) == 1


async def test_a_group_that_became_a_supergroup_gets_its_digest_at_the_new_id(
    bot: Harness,
) -> None:
    bot.fake.set_chat_admins(-400, [ADMIN])
    await bot.reply(f"/subscribe@{BOT} 海关", chat_id=-400, chat_type="group", user_id=ADMIN)
    bot.fake.migrate(-400, -1004000000000, notify=False)
    bot.clock.now = DUE
    report = await bot.digests.runtime.tick()
    assert (report.migrated, report.messages_sent) == (1, 1)
    assert len(bot.digests_in(-1004000000000)) == 1
    assert await bot.store.subscriptions(-1004000000000) == ["trade"]
    assert await bot.store.get_chat(-400) is None


async def test_stopping_mid_fanout_leaves_the_rest_due_and_repeats_nothing(
    fake: FakeBotAPI, service: NewsService, tmp_path: Path, cache_dir: Path
) -> None:
    settings = make_settings(fake, tmp_path, cache_dir)
    clock = WallClock()
    chats = range(300_000, 300_060)
    async with running(fake, service, settings, clock, real_pace=True) as bot:
        for chat_id in chats:
            fake.add_chat(chat_id)
            await bot.store.upsert_chat(chat_id, "private", None, "zh")
            await bot.store.subscribe(chat_id, "trade")
        clock.now = DUE
        runtime = bot.digests.runtime
        running_tick = asyncio.create_task(runtime.tick())
        await fake.wait_for(lambda: sum(len(bot.digests_in(c)) for c in chats) >= 10)
        await runtime.stop()  # what ``newsbot run`` does on SIGTERM, after the updates
        first = await running_tick
        assert 10 <= first.messages_sent < len(chats) and first.failures > 0
        ticks = runtime.ticks_completed
        await runtime.start()  # the next start: the start-up tick sends the rest
        await fake.wait_for(lambda: runtime.ticks_completed > ticks, what="the start-up tick")
        got = [len(bot.digests_in(c)) for c in chats]
        assert got == [1] * len(chats)  # nothing lost, nothing twice


def test_telegram_errors_map_to_the_cores() -> None:
    later = send_error(RetryAfter(timedelta(seconds=12)))
    assert isinstance(later, RetryLater) and later.seconds == 12
    moved = send_error(ChatMigrated(-100777))
    assert isinstance(moved, ChatMoved) and moved.new_chat_id == -100777
    assert isinstance(send_error(Forbidden("bot was blocked by the user")), ChatUnreachable)
    assert isinstance(send_error(BadRequest("Chat not found")), ChatUnreachable)
    assert isinstance(send_error(TimedOut()), TransientSendError)
    assert isinstance(send_error(NetworkError("Bad Gateway")), TransientSendError)
    assert send_error(BadRequest("Can't parse entities")) is None  # a bug: not retried


# --- new-content notice ---------------------------------------------------------------------


async def test_reload_notice_is_sent_once(
    fake: FakeBotAPI, tmp_path: Path, cache_dir: Path
) -> None:
    seeds = tmp_path / "content" / "seeds"
    shutil.copytree(SEEDS, seeds)
    service = NewsService(seeds, INTENTS, cache_dir)
    service.load()
    settings = replace(make_settings(fake, tmp_path, cache_dir), seeds=seeds)
    async with running(fake, service, settings, WallClock()) as bot:
        await bot.reply("/subscribe 电子元器件")
        await bot.reply("/digest")
        page = next(seeds.glob("*.txt"))
        page.write_text(
            page.read_text(encoding="utf-8").replace("艾立华以3700元起家", "艾立华以3800元起家"),
            encoding="utf-8",
        )
        previous = service.knowledge
        before = len(bot.fake.sent_messages(1001))
        diff = await service.reload()  # any reload: the wiring registered the notice
        notice = (await bot.fake.wait_for_messages(1001, before + 1))[-1]
        assert notice["text"].startswith("新内容：你订阅的话题有1条新的或更新的报道")
        assert notice["entities"][0]["type"] == "bold"
        assert await bot.digests.runtime.announce(diff, previous) == 0  # never twice
        await bot.reply("/digest")
        changed = bot.digests_in(1001)[-1]
        assert len(bot.digests_in(1001)) == 2 and len(article_ids(changed)) == 1  # the edited one


# --- fan-out --------------------------------------------------------------------------------


async def test_fanout_to_210_chats_with_429s_and_a_403(
    fake: FakeBotAPI, service: NewsService, tmp_path: Path, cache_dir: Path
) -> None:
    """Each active chat gets each of its items exactly once, at the real pace (30 msg/s)."""
    settings = make_settings(fake, tmp_path, cache_dir)
    clock = WallClock()
    topics = [t.id for t in service.knowledge.rules.topics]
    chats = {200_000 + n: [topics[n % len(topics)]] for n in range(210)}
    for chat_id, wanted in list(chats.items())[::10]:
        wanted.append(topics[(chat_id + 3) % len(topics)])
    blocked = 200_007
    async with running(fake, service, settings, clock, real_pace=True) as bot:
        for chat_id, wanted in chats.items():
            fake.add_chat(chat_id)
            await bot.store.upsert_chat(chat_id, "private", None, "zh")
            for topic in wanted:
                await bot.store.subscribe(chat_id, topic)
        fake.block(blocked)
        fake.fail_rate("sendMessage", "429", 0.015, seed=5, retry_after=1)
        clock.now = DUE
        started = time.perf_counter()
        report = await bot.digests.runtime.tick()
        elapsed = time.perf_counter() - started
        fake.clear_faults()
        expected = {
            chat_id: Counter(e.article_id for e in build_for(service.knowledge, wanted))
            for chat_id, wanted in chats.items()
        }
        duplicates = losses = 0
        for chat_id, want in expected.items():
            got = Counter(i for m in bot.digests_in(chat_id) for i in article_ids(m))
            if chat_id == blocked:
                assert not got
                continue
            duplicates += sum(n - 1 for n in got.values() if n > 1)
            losses += sum(1 for i in want if i not in got)
        throttled = sum(1 for r in fake.requests if r.method == "sendMessage" and r.status == 429)
        sent = sum(len(bot.digests_in(c)) for c in chats)
        figures = {
            "chats": len(chats),
            "active_chats": len(chats) - 1,
            "messages": sent,
            "entries": sum(sum(c.values()) for k, c in expected.items() if k != blocked),
            "429s": throttled,
            "seconds": round(elapsed, 2),
            "messages_per_second": round(sent / elapsed, 1),
            "duplicates": duplicates,
            "losses": losses,
            "report": report.as_dict(),
        }
        print("FANOUT", json.dumps(figures))
        assert (duplicates, losses) == (0, 0)
        assert throttled >= 1 and report.retries >= throttled
        assert report.inactive_marked == 1 and report.chats_completed == len(chats) - 1
        assert sent == report.messages_sent
        chat = await bot.store.get_chat(blocked)
        assert chat is not None and not chat.active and await bot.store.subscriptions(blocked)
        assert (await bot.digests.runtime.tick()).chats_attempted == 0  # nothing left due


def build_for(knowledge: Knowledge, topics: list[str]) -> tuple[DigestEntry, ...]:
    return build_digest(knowledge, topics, {}).entries


# --- the HTML layout ------------------------------------------------------------------------


HOSTILE = "<b>&amp;</b> 😀\u200b𝕏 \r\n\x07" + "问" * 30


def fake_item(n: int, size: int) -> DigestItem:
    return DigestItem(
        item_id=f"a{n:09d}:{n % 7}",
        item_hash="0" * 16,
        article_id=f"a{n:09d}",
        section_index=n % 7,
        article_title=(HOSTILE * 3)[:80],
        section_heading=(HOSTILE * 2)[: size % 60] or None,
        summary=(HOSTILE * 5)[:120],
        details=ItemDetails(
            tuple(
                KeyFact(str(FactKind.MONEY), "1亿元", (HOSTILE * 4)[:85]) for _ in range(size % 4)
            ),
            (HOSTILE * 2)[:60],
        ),
        topics=("electronics",),
        file="x.txt",
        line=n,
    )


@pytest.mark.parametrize(("count", "language"), [(1, "zh"), (60, "zh"), (333, "en")])
def test_html_layout_bounds_every_message(service: NewsService, count: int, language: str) -> None:
    knowledge = service.knowledge
    responses = knowledge.rules.responses
    topics = knowledge.rules.topics
    groups = tuple(
        TopicGroup(
            topic,
            tuple(DigestEntry.of_item(fake_item(n, n)) for n in range(count) if n % 3 == k),
        )
        for k, topic in enumerate(topics[:3])
    )
    digest = Digest(tuple(g for g in groups if g.items), knowledge.version, ("electronics",))
    plan = plan_messages(digest, digest_layout(responses, language), max_messages=None)
    assert len(plan.items) == count
    for message in plan:
        rendered = render_digest(message, responses, language)
        text, entities = parse_html(rendered.html)
        assert utf16_len(text) <= 4096
        assert len(entities) <= 100
        buttons = [
            b
            for row in (rendered.keyboard.inline_keyboard if rendered.keyboard else ())
            for b in row
        ]
        assert len(buttons) == len(message.entries) <= MAX_ITEMS_PER_MESSAGE
        assert len({b.text for b in buttons}) == len(buttons)  # hostile titles, distinct labels
        assert all(len(str(b.callback_data).encode()) <= 64 for b in buttons)


def test_real_digests_fit_and_carry_one_button_per_item(service: NewsService) -> None:
    knowledge = service.knowledge
    catalog = catalog_for(knowledge, service.snapshot.answerer)
    everything = [t.id for t in knowledge.rules.topics]
    digest = _digest(knowledge, everything)
    plan = plan_messages(digest, digest_layout(knowledge.rules.responses, "zh"))
    assert {i.item_id for i in plan.items} <= set(catalog.item_ids)
    for message in plan:
        rendered = render_digest(message, knowledge.rules.responses, "zh")
        assert [r.article_id for r in rendered.opens] == [e.article_id for e in message.entries]


def _digest(knowledge: Knowledge, topics: list[str]) -> Digest:
    return build_digest(knowledge, topics, {})
