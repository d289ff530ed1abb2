"""What a newcomer meets, through the real Application (digests feature included) against
FakeBotAPI: /help listing every command by section (admin ones only for admins), the
/settings screen and its buttons, the RSS-bot aliases, and ``/start sub_<topic>`` links.
Every test ends with the fake having refused nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fakebotapi import FakeBotAPI
from test_telegram_digests import (
    DUE,
    Harness,
    WallClock,
    data_of,
    fake,
    labels,
    make_settings,
    running,
    service,
)

from bot.service import NewsService

__all__ = ["fake", "service"]  # fixtures shared with the digests tests

JSON = dict[str, Any]
ADMIN = 4242  # in make_settings' admins


@pytest.fixture
async def bot(
    fake: FakeBotAPI, service: NewsService, tmp_path: Path, cache_dir: Path
) -> AsyncIterator[Harness]:
    settings = make_settings(fake, tmp_path, cache_dir)
    async with running(fake, service, settings, WallClock()) as harness:
        await harness.first_tick()
        yield harness


async def test_help_lists_every_command_by_section(bot: Harness) -> None:
    text = (await bot.reply("/help"))["text"]
    sections = ["提问", "订阅", "设置"]
    assert all(f"\n{s}\n" in text for s in sections)
    assert text.index("\n提问\n") < text.index("\n订阅\n") < text.index("\n设置\n")
    for command in ("/ask", "/articles", "/topics", "/digest", "/settings", "/settime"):
        assert command in text
    assert "/subscribe /sub — " in text and "/unsubscribe /unsub — " in text
    assert "/subscriptions /list — " in text
    assert "/reload" not in text and "管理（仅管理员）" not in text  # not for readers
    menu = [c["command"] for c in bot.fake.commands()]
    assert "sub" not in menu and "list" not in menu and "settings" in menu  # menu stays short
    english = (await bot.reply("/help", language_code="en"))["text"]
    assert "\nSubscriptions\n" in english and "/subscribe /sub — Subscribe" in english


async def test_aliases_work_like_their_commands(bot: Harness) -> None:
    assert "✅ 已订阅「城市更新」" in (await bot.reply("/sub 城市更新"))["text"]
    assert "城市更新" in (await bot.reply("/list"))["text"]
    assert "城市更新" in (await bot.reply("/unsub 城市更新"))["text"]
    assert await bot.store.subscriptions(1001) == []


async def press(bot: Harness, screen: JSON, label: str) -> tuple[str, JSON]:
    """Press a settings button; wait for its toast and the redraw; (toast, screen now)."""
    edits = len(bot.fake.calls("editMessageText"))
    toast = await bot.toast(screen, label)
    await bot.fake.wait_for_calls("editMessageText", edits + 1)
    (now,) = [m for m in bot.fake.sent_messages(1001) if m["message_id"] == screen["message_id"]]
    return toast, now


async def test_settings_screen_changes_each_setting_in_place(bot: Harness) -> None:
    screen = await bot.reply("/settings")
    assert screen["text"].startswith("⚙️ 摘要设置\n时间：每天 08:00（Asia/Shanghai）")
    assert "✓ 08:00" in labels(screen) and "✓ Shanghai" in labels(screen)
    assert all(len(data_of(screen, label).encode()) <= 64 for label in labels(screen))
    count = len(bot.fake.sent_messages(1001))
    toast, screen = await press(bot, screen, "21:00")
    assert toast == "✅ 已保存"
    assert len(bot.fake.sent_messages(1001)) == count  # redrawn in place, no new message
    assert "每天 21:00" in screen["text"] and "✓ 21:00" in labels(screen)
    for label in ("London", "English", "⏸ 暂停摘要"):
        _, screen = await press(bot, screen, label)
    chat = await bot.store.get_chat(1001)
    assert chat is not None
    assert (chat.digest_time, chat.timezone, chat.language, chat.paused) == (
        "21:00",
        "Europe/London",
        "en",
        True,
    )
    assert "状态：已暂停" in screen["text"] and "✓ English" in labels(screen)
    await press(bot, screen, "▶️ 恢复摘要")
    chat = await bot.store.get_chat(1001)
    assert chat is not None and not chat.paused


async def test_settings_in_a_group_need_a_chat_admin(bot: Harness) -> None:
    group = -1009876543210
    bot.fake.set_chat_admins(group, {ADMIN})
    screen = await bot.reply("/settings", chat_id=group, chat_type="supergroup", user_id=7)
    toast = await bot.toast(screen, "21:00", user_id=7)
    assert toast == "在群里只有管理员可以更改订阅和摘要设置。"
    chat = await bot.store.get_chat(group)
    assert chat is not None and chat.digest_time == "08:00"


async def test_start_links_subscribe_and_unknown_payloads_fall_back(bot: Harness) -> None:
    done = await bot.reply("/start sub_urban")
    assert done["text"].startswith("✅ 已订阅「城市更新」")
    assert await bot.store.subscriptions(1001) == ["urban"]
    for payload in ("sub_nope", "hello", "sub_"):
        plain = await bot.reply(f"/start {payload}")
        assert "新闻问答机器人" in plain["text"] and len(labels(plain)) == 3


# --- channel digests ------------------------------------------------------------------------

CHANNEL = -1001555000111


def add_channel(fake: FakeBotAPI, *, bot_admin: bool = True) -> None:
    fake.add_chat(CHANNEL, "channel", title="湖南新闻速递", username="hn_news")
    fake.set_chat_admins(CHANNEL, {1001, fake.bot_id} if bot_admin else {1001})


async def test_channel_linked_by_name_gets_digests_and_its_owner_hears_when_rights_go(
    bot: Harness,
) -> None:
    add_channel(bot.fake)
    await bot.reply("/sub 城市更新")
    usage = await bot.reply("/channel")
    assert usage["text"].startswith("用法：/channel @频道名")
    linked = await bot.reply("/channel @hn_news")
    assert linked["text"].startswith("✅ 频道「湖南新闻速递」将收到这些话题的摘要：城市更新。")
    assert await bot.store.subscriptions(CHANNEL) == ["urban"]
    assert await bot.store.channel_owner(CHANNEL) == 1001
    bot.clock.now = DUE
    await bot.digests.runtime.tick()
    (digest,) = bot.digests_in(CHANNEL)
    assert "【城市更新】" in digest["text"]

    # the bot loses the right to post: the channel stops, its owner is told once
    before = len(bot.fake.sent_messages(1001))
    bot.fake.push_my_chat_member(
        CHANNEL, new_status="administrator", old_status="administrator",
        chat_type="channel", can_post=False,
    )  # fmt: skip
    notice = (await bot.fake.wait_for_messages(1001, before + 1))[before]
    assert notice["text"].startswith("⚠️ 我在频道「湖南新闻速递」失去了管理员或发帖权限")
    chat = await bot.store.get_chat(CHANNEL)
    assert chat is not None and not chat.active
    assert await bot.store.channel_owner(CHANNEL) is None


async def test_channel_checks_who_may_link_it_and_that_the_bot_can_post(bot: Harness) -> None:
    add_channel(bot.fake, bot_admin=False)
    await bot.reply("/sub 城市更新")
    refused = await bot.reply("/channel @hn_news")
    assert refused["text"].startswith("⚠️ 我还不能在「湖南新闻速递」发帖")
    stranger = await bot.reply("/channel @hn_news", chat_id=2002, user_id=2002)
    assert stranger["text"].startswith("⚠️ 只有「湖南新闻速递」的管理员")
    missing = await bot.reply("/channel @nobody_here")
    assert missing["text"].startswith("⚠️ 找不到频道 @nobody_here")
    bot.fake.set_chat_admins(CHANNEL, {1001, bot.fake.bot_id})
    bot.fake.set_channel_rights(CHANNEL, bot.fake.bot_id, can_post=False)
    assert "发帖" in (await bot.reply("/channel @hn_news"))["text"]
    assert await bot.store.subscriptions(CHANNEL) == []
    bot.fake.set_channel_rights(CHANNEL, bot.fake.bot_id, can_post=True)
    before = len(bot.fake.sent_messages(1001))
    bot.fake.push_forwarded("今天的新闻", from_chat=CHANNEL)  # a forwarded post links it too
    messages = await bot.fake.wait_for_messages(1001, before + 1)
    assert messages[before]["text"].startswith("✅ 频道「湖南新闻速递」")
    off = await bot.reply("/channel @hn_news off")
    assert off["text"] == "频道「湖南新闻速递」不再收到摘要。"
    assert await bot.store.subscriptions(CHANNEL) == []


async def test_english_topic_list_counts_one_section_in_the_singular(bot: Harness) -> None:
    text = (await bot.reply("/topics", language_code="en"))["text"]
    assert "Customs & trade (1 section)" in text and "(1 sections)" not in text
    assert "(8 sections)" in text
