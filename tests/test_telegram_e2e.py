"""End-to-end: the real ``Application`` from ``build_application`` over HTTP against FakeBotAPI.

Why this way: everything between our handlers and the wire — parameter encoding, the rate
limiter's retries, PTB's mapping of error responses, HTML and 64-byte limits — runs as in
production, against a server that refuses what Telegram refuses.  Every test ends by checking
that the fake refused nothing the bot sent (``rejected() == []``).  No sleeps: tests wait on the
fake's traffic, and the flood window moves on an injected clock.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakebotapi import FakeBotAPI
from polling_support import polling

from bot.config import Settings
from bot.service import NewsService
from bot.store import AsyncStore, Store
from bot.telegram import send
from bot.telegram.app import build_application
from bot.telegram.deps import BotOptions
from bot.telegram.ptb import App
from bot.telegram.webhook import WebhookOptions, WebhookServer

ROOT = Path(__file__).resolve().parent.parent
SEEDS, INTENTS = ROOT / "seeds", ROOT / "intents"
BOT = "newsbot_test_bot"
QUESTION = "艾华集团投资了多少钱？"
GROUP = -1001234567890

JSON = dict[str, Any]


class Clock:
    """The flood guard's clock; tests move it instead of sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Harness:
    fake: FakeBotAPI
    app: App
    store: AsyncStore
    clock: Clock

    async def reply(
        self, text: str, *, chat_id: int = 1001, count: int = 1, **kwargs: Any
    ) -> JSON:
        """Push a message, wait for ``count`` new bot messages in the chat; the last one."""
        before = len(self.fake.sent_messages(chat_id))
        self.fake.push_message(text, chat_id=chat_id, **kwargs)
        messages = await self.fake.wait_for_messages(chat_id, before + count)
        return messages[before + count - 1]

    async def press(self, message: JSON, label: str, *, count: int = 1, **kwargs: Any) -> JSON:
        """Press the button labelled ``label``; wait for ``count`` new messages in the chat."""
        chat_id = message["chat"]["id"]
        before = len(self.fake.sent_messages(chat_id))
        self.fake.push_callback(message, data_of(message, label), **kwargs)
        messages = await self.fake.wait_for_messages(chat_id, before + count)
        return messages[before + count - 1]

    async def settle(self, chat_id: int = 1001) -> None:
        """Let earlier updates finish: a later question's answer has arrived."""
        await self.reply("你好", chat_id=chat_id)


def labels(message: JSON) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


def data_of(message: JSON, label: str) -> str:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    found = [b["callback_data"] for row in rows for b in row if b["text"] == label]
    assert found, f"no button {label!r} in {labels(message)}"
    return str(found[0])


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
    fake: FakeBotAPI, service: NewsService, settings: Settings, **options: Any
) -> AsyncIterator[Harness]:
    clock = Clock()
    store = AsyncStore(Store(settings.db))
    app = build_application(
        settings, service, store=store, options=BotOptions(clock=clock, **options)
    )
    try:
        async with polling(app):
            yield Harness(fake, app, store, clock)
    finally:
        await store.aclose()


@pytest.fixture
async def bot(service: NewsService, tmp_path: Path, cache_dir: Path) -> AsyncIterator[Harness]:
    with FakeBotAPI() as fake:
        async with running(fake, service, make_settings(fake, tmp_path, cache_dir)) as harness:
            yield harness
        assert fake.rejected() == []


# --- commands -------------------------------------------------------------------------------


async def test_start_registers_menus_and_offers_examples(bot: Harness) -> None:
    message = await bot.reply("/start")
    assert "新闻问答机器人" in message["text"]
    assert len(message["text"].splitlines()) == 2  # what the bot does; tap or ask, /help
    assert "bold" not in {e["type"] for e in message.get("entities", [])}  # no bold walls
    assert labels(message) == [
        "艾华集团投资了多少钱？",
        "资阳区PCB产业基地全国排第几？",
        "介绍一下城市更新那篇",
    ]  # three kinds: money, rank, an article summary
    assert message["link_preview_options"] == {"is_disabled": True}
    zh = [c["command"] for c in bot.fake.commands()]
    en = bot.fake.commands(language_code="en")
    assert zh == ["start", "help", "ask", "articles", "topics"]
    assert [c["command"] for c in en] == zh
    assert en[0]["description"] == "Start and see what I can answer"
    for label in labels(message):  # each example is answered, through the bot
        example = await bot.press(message, label)
        assert example["text"].startswith("问：" + label)
        assert "抱歉" not in example["text"]
        assert "原文段落" in labels(example)  # an answer with its source, and its buttons
    assert all(c.get("callback_query_id") for c in bot.fake.calls("answerCallbackQuery"))


async def test_help_unknown_command_and_ask(bot: Harness) -> None:
    help_text = (await bot.reply("/help"))["text"]
    assert "/ask" in help_text and "/articles" in help_text
    assert "没有这个命令" in (await bot.reply("/frobnicate"))["text"]
    assert "用法" in (await bot.reply("/ask"))["text"]
    answer = await bot.reply(f"/ask {QUESTION}")
    assert "4.56亿元" in answer["text"]


async def test_articles_list_and_summary_buttons(bot: Harness) -> None:
    listing = await bot.reply("/articles")
    assert listing["text"].startswith("本期共有6篇报道")
    assert len(labels(listing)) == 6
    summary = await bot.press(listing, labels(listing)[4])
    assert summary["text"].startswith("《湖南首单民间投资专项担保计划落地》：")
    assert "原文段落" in labels(summary)
    # The summary became the conversation's topic: a follow-up resolves against it.
    followup = await bot.reply("首批担保了多少钱？")
    assert "担保" in followup["text"]


async def test_topics_list_subscribes(bot: Harness) -> None:
    listing = await bot.reply("/topics")
    assert listing["text"].startswith("可以订阅的话题")
    assert "订阅「城市更新」" in labels(listing)
    bot.fake.push_callback(listing, data_of(listing, "订阅「城市更新」"))
    await bot.fake.wait_for_calls("answerCallbackQuery")
    assert await bot.store.subscriptions(1001) == ["urban"]


# --- answers and their buttons --------------------------------------------------------------


async def test_question_answered_with_quote_and_source(bot: Harness) -> None:
    message = await bot.reply(QUESTION)
    assert message["text"].startswith("4.56亿元")
    types = [e["type"] for e in message["entities"]]
    assert types[:2] == ["bold", "blockquote"]
    quote = message["entities"][1]
    quoted = message["text"][quote["offset"] : quote["offset"] + quote["length"]]
    assert "4.56亿元" in quoted
    assert "《益阳：鱼米之乡量产高端“工业大米”》· 向高处攀登，向智处前行" in message["text"]
    assert labels(message) == ["原文段落", "相关问题", "订阅「电子元器件」", "👍 有用", "👎 不对"]


async def test_paragraph_button_shows_the_whole_paragraph(bot: Harness) -> None:
    answer = await bot.reply(QUESTION)
    paragraph = await bot.press(answer, "原文段落")
    assert "布局“薄膜电容器及新材料项目”" in paragraph["text"]
    assert len(paragraph["text"]) > len(answer["text"]) - 40
    bold = [e for e in paragraph["entities"] if e["type"] == "bold"]
    highlighted = [paragraph["text"][e["offset"] : e["offset"] + e["length"]] for e in bold]
    assert any("4.56亿元" in h for h in highlighted)
    assert bot.fake.calls("answerCallbackQuery")


async def test_related_questions_and_asking_one(bot: Harness) -> None:
    answer = await bot.reply(QUESTION)
    related = await bot.press(answer, "相关问题")
    assert related["text"] == "相关问题："
    assert QUESTION not in labels(related)  # the question just asked is not offered again
    assert labels(related)
    asked = await bot.press(related, labels(related)[0])
    assert asked["text"].startswith("问：" + labels(related)[0])


async def test_subscribe_button_calls_the_hook(bot: Harness) -> None:
    answer = await bot.reply(QUESTION)
    bot.fake.push_callback(answer, data_of(answer, "订阅「电子元器件」"))
    (call,) = await bot.fake.wait_for_calls("answerCallbackQuery")
    assert "已订阅「电子元器件」" in call["text"]
    assert await bot.store.subscriptions(1001) == ["electronics"]
    bot.fake.push_callback(answer, data_of(answer, "订阅「电子元器件」"))
    calls = await bot.fake.wait_for_calls("answerCallbackQuery", 2)
    assert "已经订阅" in calls[1]["text"]


async def test_decline_offers_its_suggestions_as_buttons(bot: Harness) -> None:
    message = await bot.reply("火星上有多少人居住？")
    assert message["text"].startswith("抱歉")
    assert not any(e["type"] == "blockquote" for e in message.get("entities", []))
    suggestions = labels(message)
    assert suggestions and not any(s in message["text"] for s in suggestions)  # once, as buttons
    assert "👎 不对" not in suggestions  # a decline queues itself; nothing to rate
    answered = await bot.press(message, suggestions[0])
    assert answered["text"].startswith("问：" + suggestions[0])
    assert any(e["type"] == "blockquote" for e in answered["entities"])


async def test_forged_and_stale_buttons_are_answered_politely(bot: Harness) -> None:
    answer = await bot.reply(QUESTION)
    forged = [
        "p:02d9191c9d:2:6:0:10:ffffff",
        "q:nope:0:0:abcdef",
        "t:nosuchtopic",
        "zz:1",
        "a:ffffffffff",
        "garbage",
        "p:" + "9" * 60,
    ]
    for data in forged:
        bot.fake.push_callback(answer, data, check_button=False)
    calls = await bot.fake.wait_for_calls("answerCallbackQuery", len(forged))
    assert all("失效" in c["text"] for c in calls)
    assert len(bot.fake.sent_messages(1001)) == 1  # nothing else was sent


# --- groups ---------------------------------------------------------------------------------


async def test_group_answers_only_what_is_addressed_to_it(bot: Harness) -> None:
    group: JSON = {"chat_type": "supergroup", "chat_id": GROUP, "chat_title": "读报群"}
    for chatter in (
        "大家好",
        QUESTION,
        "/ask@other_bot 问题",
        "/start@other_bot",
        "/frob",
        "@someone 艾华集团投资了多少钱？",
    ):
        bot.fake.push_message(chatter, **group)
    mention = await bot.reply(f"@{BOT} {QUESTION}", **group)
    assert len(bot.fake.sent_messages(GROUP)) == 1  # the chatter got nothing
    assert "4.56亿元" in mention["text"]
    assert mention["reply_to_message"]["text"] == f"@{BOT} {QUESTION}"
    followup = await bot.reply(
        "他们的董事长是谁？", reply_to_message_id=mention["message_id"], **group
    )
    assert followup["reply_to_message"]["text"] == "他们的董事长是谁？"
    ask = await bot.reply(f"/ask@{BOT} {QUESTION}", **group)
    assert "4.56亿元" in ask["text"]
    unknown = await bot.reply(f"/frob@{BOT}", **group)
    assert "没有这个命令" in unknown["text"]
    start = await bot.reply(f"/start@{BOT}", **group)
    assert "/ask" in start["text"]
    assert len(bot.fake.sent_messages(GROUP)) == 5


async def test_forum_topics_are_not_replies_to_the_bot(bot: Harness) -> None:
    group: JSON = {"chat_type": "supergroup", "chat_id": GROUP, "chat_title": "论坛"}
    creation = bot.fake.push_message("话题：新闻", **group)["message"]
    topic: JSON = {"message_thread_id": creation["message_id"], "is_topic_message": True, **group}
    bot.fake.push_message(QUESTION, reply_to_message_id=creation["message_id"], **topic)
    answer = await bot.reply(
        f"@{BOT} {QUESTION}", reply_to_message_id=creation["message_id"], **topic
    )
    assert answer["message_thread_id"] == creation["message_id"]  # stays in the topic
    assert len(bot.fake.sent_messages(GROUP)) == 1
    reply = await bot.reply(
        "他们的董事长是谁？", reply_to_message_id=answer["message_id"], **topic
    )
    assert reply["message_thread_id"] == creation["message_id"]
    paragraph = await bot.press(answer, "原文段落")
    assert paragraph["message_thread_id"] == creation["message_id"]


async def test_edits_channel_posts_and_service_messages_never_crash(bot: Harness) -> None:
    sent = bot.fake.push_message(QUESTION)["message"]
    await bot.fake.wait_for_messages(1001, 1)
    bot.fake.push_edited_message(sent, "改过的问题")
    bot.fake.push_channel_post(f"@{BOT} {QUESTION}")
    bot.fake.push_my_chat_member(7007, new_status="kicked")
    await bot.settle()
    assert len(bot.fake.sent_messages(1001)) == 2
    assert not bot.fake.sent_messages(-1001000000001)


# --- inline mode ----------------------------------------------------------------------------


async def test_inline_answers_and_articles(bot: Harness) -> None:
    bot.fake.push_inline_query(QUESTION)
    (call,) = await bot.fake.wait_for_calls("answerInlineQuery")
    results = call["results"]
    assert 1 <= len(results) <= 5
    first = results[0]["input_message_content"]
    assert first["parse_mode"] == "HTML"
    assert "<blockquote>" in first["message_text"] and "4.56亿元" in first["message_text"]
    bot.fake.push_inline_query("")
    calls = await bot.fake.wait_for_calls("answerInlineQuery", 2)
    titles = [r["title"] for r in calls[1]["results"]]
    assert len(titles) == 6 and "湖南首单民间投资专项担保计划落地" in titles
    bot.fake.push_inline_query("<b>&amp;</b>" + "问" * 300)
    calls = await bot.fake.wait_for_calls("answerInlineQuery", 3)
    assert calls[2]["results"]


# --- faults ---------------------------------------------------------------------------------


async def test_a_429_during_a_reply_is_retried(bot: Harness) -> None:
    bot.fake.fail_next("sendMessage", "429", retry_after=1)
    message = await bot.reply(QUESTION)
    assert "4.56亿元" in message["text"]
    assert [r.status for r in bot.fake.requests if r.method == "sendMessage"][:2] == [429, 200]


@pytest.mark.parametrize("fault", ["500", "502", "reset"])
async def test_server_errors_during_a_reply_are_retried(
    bot: Harness, fault: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(send, "RETRY_DELAYS", (0.01, 0.01))
    bot.fake.fail_next("sendMessage", fault)
    assert "4.56亿元" in (await bot.reply(QUESTION))["text"]


async def test_a_migrated_group_is_answered_at_its_new_id(bot: Harness) -> None:
    answer = await bot.reply(f"@{BOT} {QUESTION}", chat_id=-400, chat_type="group")
    bot.fake.migrate(-400, -1004000000000, notify=False)
    bot.fake.push_callback(answer, data_of(answer, "原文段落"))
    (paragraph,) = await bot.fake.wait_for_messages(-1004000000000, 1)
    assert "4.56亿元" in paragraph["text"]


async def test_a_blocked_user_does_not_stop_the_bot(bot: Harness) -> None:
    await bot.reply("你好", chat_id=2002, user_id=2002)
    bot.fake.fail_next("sendMessage", "403", chat_id=2002)
    bot.fake.push_message(QUESTION, chat_id=2002, user_id=2002)
    assert "4.56亿元" in (await bot.reply(QUESTION))["text"]
    await bot.fake.wait_for(lambda: any(r.status == 403 for r in bot.fake.requests))

    def inactive() -> bool:
        chat = bot.store.store.get_chat(2002)
        return chat is not None and not chat.active

    await bot.fake.wait_for(inactive, what="chat 2002 marked inactive")
    assert "4.56亿元" in (await bot.reply(QUESTION, chat_id=2002, user_id=2002))["text"]


async def test_a_failing_optional_method_does_not_stop_start_up(
    service: NewsService, tmp_path: Path, cache_dir: Path
) -> None:
    with FakeBotAPI() as fake:
        fake.fail_next("setMyCommands", "500", count=2)
        fake.fail_next("setMyDescription", "400-not-modified", count=2)
        async with running(fake, service, make_settings(fake, tmp_path, cache_dir)) as bot:
            assert "4.56亿元" in (await bot.reply(QUESTION))["text"]
        assert fake.rejected() == []


async def test_an_error_in_a_handler_is_logged_and_the_user_told(
    bot: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    service = bot.app.bot_data["newsbot"].service

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("core exploded")

    monkeypatch.setattr(service, "ask", broken)
    message = await bot.reply("秘密问题 secret")
    assert "出了点问题" in message["text"]
    assert "RuntimeError" in caplog.text
    assert "秘密问题" not in caplog.text and bot.fake.token not in caplog.text


# --- users ----------------------------------------------------------------------------------


async def test_english_interface_for_english_clients(bot: Harness) -> None:
    start = await bot.reply("/start", language_code="en-US")
    assert start["text"].startswith("Hi Tester!")
    answer = await bot.reply(QUESTION, language_code="en")
    assert "4.56亿元" in answer["text"]  # content stays Chinese
    assert labels(answer) == [
        "Full paragraph",
        "Related questions",
        "Subscribe to “Electronic components”",
        "👍 Helpful",
        "👎 Wrong",
    ]
    assert (await bot.reply("/frob", language_code="en"))["text"].startswith("I don't know")


async def test_flood_gets_one_notice_then_silence_until_the_window_passes(bot: Harness) -> None:
    for n in range(21):  # one at a time: a burst would hit the chat's backlog bound first
        await bot.reply(f"{QUESTION} {n}")
    for n in range(4):
        bot.fake.push_message(f"{QUESTION} {n}")
    await bot.reply(QUESTION, chat_id=3003, user_id=3003)  # everything before is handled
    messages = bot.fake.sent_messages(1001)
    assert len(messages) == 21
    assert sum("歇一会儿" in m["text"] for m in messages) == 1
    bot.clock.now += 61
    assert "4.56亿元" in (await bot.reply(QUESTION))["text"]


async def test_non_text_messages_get_a_hint(bot: Harness) -> None:
    bot.fake.push_sticker()
    bot.fake.push_photo()
    bot.fake.push_voice()
    bot.fake.push_location()
    messages = await bot.fake.wait_for_messages(1001, 4)
    assert all(m["text"].startswith("我只能读文字消息") for m in messages)
    bot.fake.push_sticker(chat_id=GROUP, chat_type="group")
    await bot.settle()
    assert not bot.fake.sent_messages(GROUP)


HOSTILE = [
    "<b>艾华集团</b>投资了多少钱？",
    "</blockquote><a href='javascript:x'>点我</a>&amp;&lt;&#0;&",
    "**粗体** _斜体_ `代码` [链接](http://example.com) ~删除~ ||剧透||",
    "艾\u200b华\u200d集团\u2060投资了多少钱？",
    "\u202e艾华集团投资了多少钱？\u202c",
    "A" * 5000,
    "问" * 5000,
    "😀" * 3000,
    "/start" + "x" * 100,
    "@" + BOT,
    "\u200b\u200f\u3000",
    "{count}{0}{__class__}%s%d",
]


async def test_hostile_text_is_answered_and_never_refused(bot: Harness) -> None:
    for position, text in enumerate(HOSTILE, start=1):
        await bot.reply(text)
        assert len(bot.fake.sent_messages(1001)) == position
    long_reply = bot.fake.sent_messages(1001)[6]
    assert "只看了前" in long_reply["text"]
    assert bot.fake.rejected() == []


# --- webhook --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_webhook_mode_checks_the_secret_token(
    service: NewsService, tmp_path: Path, cache_dir: Path
) -> None:
    with FakeBotAPI() as fake:
        settings = make_settings(fake, tmp_path, cache_dir)
        store = AsyncStore(Store(settings.db))
        app = build_application(settings, service, store=store)
        port = free_port()
        url = f"http://127.0.0.1:{port}/hook"
        receiver = WebhookServer(WebhookOptions("127.0.0.1", port, "/hook", "s3cret-Token"))
        async with app:
            await app.start()
            await receiver.start(app)  # the receiver `newsbot run --webhook-url` uses
            await app.bot.set_webhook(url, secret_token="s3cret-Token")
            assert fake.webhook_url == url
            fake.push_message(QUESTION)
            (message,) = await fake.wait_for_messages(1001, 1)
            assert "4.56亿元" in message["text"]
            async with httpx.AsyncClient() as client:
                body = {
                    "update_id": 1,
                    "message": {
                        "message_id": 1,
                        "date": 0,
                        "chat": {"id": 1, "type": "private"},
                        "text": "hi",
                    },
                }
                forged = await client.post(url, json=body)
                wrong = await client.post(
                    url, json=body, headers={"X-Telegram-Bot-Api-Secret-Token": "no"}
                )
            assert (forged.status_code, wrong.status_code) == (403, 403)
            await receiver.stop()
            await app.stop()
        await store.aclose()
        assert fake.rejected() == []


async def test_group_subscriptions_need_a_chat_admin(bot: Harness) -> None:
    group: JSON = {"chat_type": "supergroup", "chat_id": GROUP, "chat_title": "读报群"}
    bot.fake.set_chat_admins(GROUP, [5005])
    answer = await bot.reply(f"@{BOT} {QUESTION}", **group)
    data = data_of(answer, "订阅「电子元器件」")
    bot.fake.push_callback(answer, data, user_id=1001)
    (refused,) = await bot.fake.wait_for_calls("answerCallbackQuery")
    assert "管理员" in refused["text"]
    bot.fake.push_callback(answer, data, user_id=5005)
    announced = await bot.fake.wait_for_messages(GROUP, 2)
    assert "已订阅「电子元器件」" in announced[1]["text"]
    assert await bot.store.subscriptions(GROUP) == ["electronics"]


async def test_group_migration_moves_the_chat_in_the_store(bot: Harness) -> None:
    await bot.reply(f"@{BOT} 你好", chat_id=-400, chat_type="group")
    await bot.fake.wait_for(lambda: bot.store.store.get_chat(-400) is not None)
    bot.fake.migrate(-400, -1004000000000)

    def moved() -> bool:
        return bot.store.store.get_chat(-1004000000000) is not None

    await bot.fake.wait_for(moved, what="the chat moved to its supergroup id")
    assert bot.store.store.get_chat(-400) is None
