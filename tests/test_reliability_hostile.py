"""Hostile input, end to end: the real bot (admin and digests features wired as ``newsbot run``
wires them) polling a strict fake Bot API, flooded by several users and a group at once.

What is proven: the bot stays alive, never sends anything Telegram would refuse
(``rejected() == []``), answers every update exactly once (no error notices, no duplicates),
keeps user text out of the INFO log, and still answers a normal question right afterwards; the
time from receipt to reply (what a user feels, queue time included) is measured and bounded.
The property tests over the answerer (tests/test_fuzz.py) and the formatter
(tests/test_telegram_format.py) run 10,000+ generated cases under ``make fuzz``; this module
adds a generated burst on top, sized by ``NEWSBOT_FUZZ_EXAMPLES`` as well.
"""

from __future__ import annotations

import json
import logging
import os
import random
import statistics
import time
from collections import Counter
from pathlib import Path

import pytest
from fakebotapi import FakeBotAPI, parse_html, utf16_len
from reliability_support import (
    ANSWER,
    BOT_USERNAME,
    QUESTION,
    make_settings,
    running,
    timed_handlers,
)
from tests_paths import INTENTS, SEEDS

from bot.service import NewsService
from bot.telegram.deps import BotOptions
from bot.telegram.format import MESSAGE_LIMIT

EXAMPLES = int(os.environ.get("NEWSBOT_FUZZ_EXAMPLES", "300"))
CORE_WORST_MS = 250.0  # the core's answer to one message (tests/test_fuzz.py's bound)
RECEIPT_P50_S = 10.0  # receipt → reply accepted, the median update of the burst
PER_CHAT = 5  # messages per chat at once: the chat backlog bound (BotOptions.chat_backlog)
GROUP = -1009876543210
MARK = "机密标记"  # in every hostile message: must never reach the INFO log

COMBINING = "".join(chr(c) for c in range(0x0300, 0x036F))
HOSTILE: list[str] = [
    # markup injection: HTML, Telegram's entities, Markdown(V2)
    '<b>艾华</b>投资了多少钱？</blockquote>&amp;<a href="javascript:alert(1)">x</a>',
    "</blockquote></b></i><blockquote expandable><tg-spoiler>&lt;&gt;&#0;&#x110000;&",
    '<a href="tg://user?id=1">管理员</a><tg-emoji emoji-id="1">🔥</tg-emoji><pre><code class="x">',
    "*_`[链接](http://x)`_* __粗体__ ~删除~ ||剧透|| \\*转义\\* ```代码```",
    "&amp;amp;&lt;script&gt;alert(1)&lt;/script&gt; & < > \" ' &#128512; &nbsp",
    # SQL and format strings
    "'; DROP TABLE chats; -- 艾华集团投资了多少钱",
    "1' OR '1'='1'; UPDATE chats SET active=0; /* */ SELECT * FROM audit --",
    "{0}{1}%s%d%n%x{__class__.__mro__}{self.deps.settings.token} 和天电子的董事长是谁",
    "${jndi:ldap://x/a} {{7*7}} <%= 7*7 %> #{7*7} %(token)s {token}",
    # Unicode: RTL, zero-width, combining, control, BOM, separators, astral, tags, PUA
    "\u202e艾华\u200b集团\u200d投资\ufeff了多少钱\u2066\u2067\u2068\u2069\u200f\u061c",
    "a" + COMBINING * 40 + "艾" + "\u0301" * 3000,
    "\x00\x01\x07\x08\x0b\x0c\x0e\x1b[31m\x7f\x85\u2028\u2029控制字符",
    "👨‍👩‍👧‍👦🏳️‍🌈🇨🇳🇺🇸\U000e0067\U000e0062\U000e007f" * 200,
    "\U0001f600" * 3000,
    "\U000f0000\U0010ffff\ufffe\uffff\ue000 私用区",
    "ｐｃｂ　產業基地排第幾？？？？？？？？",
    "مرحبا שלום Привет 你好 こんにちは 안녕하세요 🙂",
    "\ud800\udfff孤立代理对\udc00",  # lone surrogates, as JSON (\ud800) can carry them
    "\ud83d",
    # size
    "a" * 100_000,  # 100 KB: Telegram caps at 4,096, the handler path is tested anyway
    "多" * 50_000 + "少钱",
    "很长的问题" * 819 + "？",  # just under 4,096
    "艾华" * 20_000,
    # catastrophic-regex shapes
    "(((((((((((((((((((((((((((((((((((((((a)))))))))))))))))))))))))))))))))))))))" * 50,
    "a" * 5000 + "!",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" * 100 + "X",
    "多少多少多少多少多少多少多少多少多少多少" * 200 + "钱吗",
    "\\" * 3000 + "[" * 1000 + "*" * 1000,
    "呢呢呢呢呢呢呢呢呢呢" * 100,
    "他们他们他们他们他们" * 100,
    # commands and mentions inside text
    "/start@other_bot /reload /stats @newsbot_test_bot @admin #hashtag $USD https://x.y/<script>",
    "   \t\n\n\n   艾华   \n\t集团 \r\n 投资？",
]

PRIVATE_COMMANDS = [
    "/ask " + HOSTILE[0],
    "/ask " + "a" * 20_000,
    "/subscribe <b>&amp;</b>{0}%s",
    "/subscribe " + "\u202e" * 500,
    "/unsubscribe '; DROP TABLE subscriptions; --",
    "/settime 25:99<b>",
    "/settime ０７：３０\u200b",
    "/timezone ../../../../etc/passwd",
    "/timezone /etc/localtime",
    "/timezone Asia/Shanghai\x00",
    "/timezone " + "A/" * 3000,
    "/digest %s{0}",
    "/topics </blockquote>",
    "/frobnicate <b>",
    "/start " + "\ud800" + "x" * 5000,
]


@pytest.fixture(scope="module")
def service(cache_dir: Path) -> NewsService:
    news = NewsService(SEEDS, INTENTS, cache_dir)
    news.load()
    return news


def messages_for_burst(seed: int, generated: int) -> list[str]:
    """The fixed hostile corpus plus ``generated`` random messages from the same pieces."""
    rng = random.Random(seed)
    pieces = [*HOSTILE, "艾华", "多少", "钱", "谁", "<", "&", "{0}", "\u200b", "第几", "？"]
    out = [text + MARK for text in HOSTILE]
    for _ in range(generated):
        parts = [
            rng.choice(pieces)[: rng.choice([1, 5, 50, 5000])] for _ in range(rng.randint(1, 6))
        ]
        random_chars = "".join(chr(rng.randint(1, 0x10FFFF)) for _ in range(rng.randint(0, 40)))
        out.append("".join(parts) + random_chars + MARK)
    return out


def receipt_to_reply(fake: FakeBotAPI, pushed_at: dict[int, list[float]]) -> list[float]:
    """Per private message: its chat's n-th reply accepted minus the n-th message pushed."""
    replies: dict[int, list[float]] = {}
    for request in fake.requests:
        if request.method == "sendMessage" and request.outcome == "ok":
            replies.setdefault(int(request.params["chat_id"]), []).append(request.time)
    return [
        sent - at
        for chat, times in pushed_at.items()
        for at, sent in zip(times, sorted(replies.get(chat, [])), strict=False)
    ]


def check_sent(fake: FakeBotAPI) -> None:
    """Every message the bot sent is what Telegram would accept and show."""
    assert fake.rejected() == []
    for message in fake.sent_messages():
        text, _entities = parse_html(message["html"])
        assert 0 < utf16_len(text) <= MESSAGE_LIMIT


async def test_hostile_burst_from_several_users_and_a_group(
    service: NewsService,
    tmp_path: Path,
    cache_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    texts = messages_for_burst(seed=9, generated=max(40, EXAMPLES // 5))
    group_messages = HOSTILE[:16]  # one group: ≤ 20 replies a minute per group (Telegram)
    guarded = len(texts) + len(PRIVATE_COMMANDS) + len(group_messages) + len(HOSTILE)
    # ≤ PER_CHAT each: under the flood limit and within one chat's backlog
    users = list(range(7001, 7001 + (guarded + PER_CHAT - 1) // PER_CHAT))
    caplog.set_level(logging.INFO)
    with FakeBotAPI() as fake, timed_handlers(monkeypatch) as timings:
        settings = make_settings(fake, tmp_path, cache_dir)
        async with running(fake, service, settings, options=BotOptions()) as bot:
            fake.set_chat_admins(GROUP, [users[0]])
            pushed: Counter[int] = Counter()
            group_ids: list[int] = []
            senders = iter(users[n % len(users)] for n in range(guarded))
            pushed_at: dict[int, list[float]] = {}
            for text in texts:
                user = next(senders)
                fake.push_message(text, chat_id=user, user_id=user, first_name=text[:64])
                pushed[user] += 1
                pushed_at.setdefault(user, []).append(time.time())
            for command in PRIVATE_COMMANDS:
                user = next(senders)
                fake.push_message(command + MARK, chat_id=user, user_id=user)
                pushed[user] += 1
                pushed_at.setdefault(user, []).append(time.time())
            for text in HOSTILE:
                fake.push_inline_query(text[:256] + MARK, user_id=next(senders))
            patience = 60 + len(texts) / 10  # Telegram's pace: 30 messages a second
            for n, text in enumerate(group_messages):  # within a group's backlog (20)
                form = (f"@{BOT_USERNAME} {text}", f"/ask@{BOT_USERNAME} {text}")[n % 2]
                update = fake.push_message(
                    form + MARK,
                    chat_id=GROUP,
                    user_id=next(senders),
                    chat_type="supergroup",
                    chat_title=("读报群\udc00" + HOSTILE[n % 5])[:100],  # a lone surrogate too
                    first_name=text[:64],
                )
                group_ids.append(update["message"]["message_id"])

            for user, count in pushed.items():
                await fake.wait_for_messages(user, count, timeout=patience)
            await fake.wait_for_messages(GROUP, len(group_ids), timeout=patience)
            await fake.wait_for_calls("answerInlineQuery", len(HOSTILE), timeout=patience)
            await bot.idle(timeout=patience)

            # Exactly one reply per update: none lost, none twice, no error notices.
            for user, count in pushed.items():
                assert len(fake.sent_messages(user)) == count, user
            replied_to = Counter(
                m["reply_to_message"]["message_id"] for m in fake.sent_messages(GROUP)
            )
            assert sorted(replied_to) == sorted(group_ids)
            assert set(replied_to.values()) == {1}
            error_text = bot.service.knowledge.rules.responses.text("error", "zh")
            assert not [m for m in fake.sent_messages() if error_text in m["text"]]
            assert len(timings.handled) == len(set(timings.handled))
            check_sent(fake)
            # Still serving, still right.
            after = await bot.reply(QUESTION, chat_id=1001, user_id=1001)
            assert after["text"].startswith(ANSWER)
            assert await bot.store.integrity_ok()
        assert fake.rejected() == []

    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert problems == [], [r.getMessage() for r in problems]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert MARK not in logged  # no user text at INFO
    _handler_worst, core_worst = timings.worst()
    receipt = receipt_to_reply(fake, pushed_at)
    figures = {
        "updates": sum(pushed.values()) + len(group_ids) + len(HOSTILE),
        "messages": len(texts),
        "commands": len(PRIVATE_COMMANDS),
        "group_messages": len(group_ids),
        "inline_queries": len(HOSTILE),
        "users": len(users),
        "answers_measured": len(timings.core_ms),
        "worst_core_ms": round(core_worst, 1),
        "receipt_to_reply_p50_s": round(statistics.median(receipt), 3),
        "receipt_to_reply_p99_s": round(sorted(receipt)[int(0.99 * (len(receipt) - 1))], 3),
        "receipt_to_reply_max_s": round(max(receipt), 3),
        "rejected": len(fake.rejected()),
    }
    print("HOSTILE-BURST", json.dumps(figures))
    assert core_worst < CORE_WORST_MS
    assert statistics.median(receipt) < RECEIPT_P50_S


async def test_a_flooding_user_gets_one_notice_and_others_are_still_served(
    service: NewsService, tmp_path: Path, cache_dir: Path
) -> None:
    """40 messages in one burst from one user: the chat's backlog takes 5 (one notice says the
    rest were skipped), the 21st message brings the flood notice, then silence; the window
    moves on and the user is served again; another user is served throughout.  Fresh inline
    queries have a budget of their own (30 a minute); repeated ones come from the cache."""
    with FakeBotAPI() as fake:
        settings = make_settings(fake, tmp_path, cache_dir)
        async with running(fake, service, settings, options=BotOptions()) as bot:
            fake.fail_next("sendMessage", "429", retry_after=2, chat_id=6001)  # no draining
            for _ in range(40):
                fake.push_message(HOSTILE[0], chat_id=6001, user_id=6001)
            other = await bot.reply(QUESTION, chat_id=6002, user_id=6002)
            assert other["text"].startswith(ANSWER)
            await fake.wait_for_messages(6001, 7, timeout=30)
            await bot.idle()
            sent = [m["text"] for m in fake.sent_messages(6001)]
            responses = bot.service.knowledge.rules.responses
            flood = responses.text("tg_flood", "zh")
            backlog = responses.text("tg_backlog", "zh")
            assert len(sent) == 7 and sent.count(flood) == 1 and sent.count(backlog) == 1
            bot.flood.now += 61  # the window has passed
            again = await bot.reply(QUESTION, chat_id=6001, user_id=6001)
            assert again["text"].startswith(ANSWER)
            # Inline queries count too: 40 different ones at once, 30 answered, the rest dropped.
            before = len(fake.calls("answerInlineQuery"))
            for n in range(40):
                fake.push_inline_query(f"{QUESTION} {n}", user_id=6003)
            await fake.wait_for_calls("answerInlineQuery", before + 30)
            await bot.idle()
            assert len(fake.calls("answerInlineQuery")) == before + 30
            other = await bot.reply(QUESTION, chat_id=6002, user_id=6002)
            assert other["text"].startswith(ANSWER)
        assert fake.rejected() == []


async def test_hostile_names_files_and_buttons(
    service: NewsService, tmp_path: Path, cache_dir: Path
) -> None:
    """Hostile first names (echoed by /start), group titles, non-text messages with hostile
    captions, documents from readers, and random callback data: each gets one plain answer."""
    with FakeBotAPI() as fake:
        settings = make_settings(fake, tmp_path, cache_dir)
        async with running(fake, service, settings) as bot:
            for n, name in enumerate(HOSTILE[:12]):
                welcome = await bot.reply(
                    "/start", chat_id=8000 + n, user_id=8000 + n, first_name=name[:64]
                )
                assert welcome["text"]
            fake.push_photo(HOSTILE[0][:1024], chat_id=8100, user_id=8100)
            fake.push_sticker("\u202e", chat_id=8100, user_id=8100)
            fake.push_document("<b>.txt", b"\x00\xff" * 10, chat_id=8100, user_id=8100)
            await fake.wait_for_messages(8100, 3)
            answer = await bot.reply(QUESTION, chat_id=8200, user_id=8200)
            rng = random.Random(3)
            alphabet = "abcdefghijklmnopqrstuvwxyz0123456789:-_.%<>&'\"{}\u200b😀"
            forged = ["", ":", "::::", "p:" + "9" * 60, "t:../../x", "a:\x00"] + [
                "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 64)))[:64]
                for _ in range(30)
            ]
            forged = [f for f in forged if len(f.encode()) <= 64]
            for data in forged:
                fake.push_callback(answer, data or "x", check_button=False, user_id=8200)
            await fake.wait_for_calls("answerCallbackQuery", len(forged), timeout=30)
            await bot.idle()
            assert len(fake.sent_messages(8100)) == 3
            # forged data: a toast at most, never a message, never an error
            assert len(fake.sent_messages(8200)) == 1
            check_sent(fake)
            bot.flood.now += 61  # the presses counted against 8200's flood window
            assert (await bot.reply(QUESTION, chat_id=8200, user_id=8200))["text"].startswith(
                ANSWER
            )
        assert fake.rejected() == []
