"""Fair under floods, end to end: the real bot (admin and digests features as ``newsbot run``
wires them) polling the strict fake Bot API, in real time at Telegram's 30 messages/s.

What is measured is what a user feels: from the moment their message reaches the Bot API
(pushed to the fake) to the moment the bot's reply is accepted by it — queue time included,
not only the handler's own time.  Figures print as ``FLOOD-…`` JSON lines (run with ``-s``).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from pathlib import Path

import pytest
from fakebotapi import FakeBotAPI
from reliability_support import (
    ADMIN,
    ANSWER,
    DUE,
    QUESTION,
    WallClock,
    data_of,
    labels,
    make_settings,
    running,
)
from telegram import Update
from tests_paths import INTENTS, SEEDS

from bot.service import NewsService
from bot.telegram.deps import BotOptions
from bot.telegram.features import CommandSpec, Feature
from bot.telegram.format import format_text
from bot.telegram.ptb import Ctx
from bot.telegram.send import reply

FLOODERS = 50  # the flood: 50 users × 40 messages, 2,000 messages at once
PER_FLOODER = 40
UNINVOLVED = 30  # one question each, spread over the first seconds of the flood
UNINVOLVED_EVERY = 0.2  # seconds between two uninvolved users' questions
# seconds, receipt → reply for an uninvolved user during the flood (it was 32 s); measured
# 0.8 s / 4.5 s on the loaded 2-core CI machine, where most of it is parsing the 2,000
# updates ahead of it (python-telegram-bot's de_json) with the fake server in-process
P50_BOUND, P99_BOUND = 3.0, 10.0


@pytest.fixture(scope="module")
def service(cache_dir: Path) -> NewsService:
    news = NewsService(SEEDS, INTENTS, cache_dir)
    news.load()
    return news


def sends(fake: FakeBotAPI) -> dict[int, list[float]]:
    """Accepted sendMessage requests per chat: the times the fake answered them."""
    out: dict[int, list[float]] = {}
    for request in fake.requests:
        if request.method == "sendMessage" and request.outcome == "ok":
            out.setdefault(int(request.params["chat_id"]), []).append(request.time)
    return out


async def wait_sends(fake: FakeBotAPI, wanted: dict[int, int], timeout: float) -> None:
    """Until every chat in ``wanted`` has that many accepted messages (polled every 50 ms:
    thousands of requests are scanned each time)."""
    deadline = time.monotonic() + timeout
    while True:
        got = sends(fake)
        if all(len(got.get(chat, [])) >= n for chat, n in wanted.items()):
            return
        if time.monotonic() > deadline:
            missing = {
                c: len(got.get(c, [])) for c, n in wanted.items() if len(got.get(c, [])) < n
            }
            raise AssertionError(f"timed out after {timeout}s; chats short of replies: {missing}")
        await asyncio.sleep(0.05)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def test_an_uninvolved_user_is_answered_at_once_during_a_flood(
    service: NewsService, tmp_path: Path, cache_dir: Path
) -> None:
    """50 users send 40 messages each (2,000 at once); 30 other users ask one question each
    while it goes on.  Production options: 30 messages/s, 20 per user a minute, 5 updates of
    a chat in progress.  Every flooder hears why it is not answered (no silent drop)."""
    with FakeBotAPI() as fake:
        settings = make_settings(fake, tmp_path, cache_dir)
        async with running(fake, service, settings, options=BotOptions()) as bot:
            flooders = list(range(20_001, 20_001 + FLOODERS))
            started = time.time()
            for _n in range(PER_FLOODER):  # interleaved, as 50 clients sending at once
                for user in flooders:
                    fake.push_message(QUESTION, chat_id=user, user_id=user)
            pushed_flood = time.time() - started
            asked: dict[int, float] = {}
            for k in range(UNINVOLVED):
                user = 30_001 + k
                asked[user] = time.time()
                fake.push_message(QUESTION, chat_id=user, user_id=user)
                await asyncio.sleep(UNINVOLVED_EVERY)
            await wait_sends(fake, dict.fromkeys(asked, 1), timeout=120)
            got = sends(fake)
            latency = [got[user][0] - at for user, at in asked.items()]
            for user in asked:
                assert fake.sent_messages(user)[0]["text"].startswith(ANSWER)
            await bot.idle(timeout=120)
            drained = time.time() - started
            got = sends(fake)
            flood_replies = sum(len(got.get(user, [])) for user in flooders)
            responses = bot.service.knowledge.rules.responses
            notices = {responses.text("tg_flood", "zh"), responses.text("tg_backlog", "zh")}
            told = 0
            for user in flooders:
                texts = [m["text"] for m in fake.sent_messages(user)]
                answers = [t for t in texts if t.startswith(ANSWER)]
                assert 1 <= len(answers) <= 20, user
                assert set(texts) - {*answers} <= notices, user
                told += any(t in notices for t in texts)
            assert told == FLOODERS  # every flooder was told, none dropped silently
        assert fake.rejected() == []
    figures = {
        "flood_messages": FLOODERS * PER_FLOODER,
        "flooders": FLOODERS,
        "pushed_in_s": round(pushed_flood, 2),
        "uninvolved": len(latency),
        "p50_s": round(statistics.median(latency), 3),
        "p99_s": round(percentile(latency, 0.99), 3),
        "max_s": round(max(latency), 3),
        "asked_last_10_max_s": round(max(latency[-10:]), 3),  # asked 4-6 s into the flood
        "flood_replies_sent": flood_replies,
        "flood_drained_s": round(drained, 1),
    }
    print("FLOOD-UNINVOLVED", json.dumps(figures))
    assert statistics.median(latency) < P50_BOUND
    assert percentile(latency, 0.99) < P99_BOUND


async def test_a_429_for_one_chat_holds_only_that_chat(
    service: NewsService, tmp_path: Path, cache_dir: Path
) -> None:
    """Chat 5001's reply gets ``429 retry_after=4``: the next ten chats are answered within a
    second meanwhile (before: every reply waited the 4 s out); 5001's reply is resent after
    the hold, exactly once."""
    with FakeBotAPI() as fake:
        settings = make_settings(fake, tmp_path, cache_dir)
        async with running(fake, service, settings, options=BotOptions()) as bot:
            fake.fail_next("sendMessage", "429", retry_after=4, chat_id=5001)
            asked = time.time()
            fake.push_message(QUESTION, chat_id=5001, user_id=5001)
            await fake.wait_for(lambda: any(r.fault == "429" for r in fake.requests))
            others = {5100 + n: time.time() for n in range(10)}
            for chat in others:
                fake.push_message(QUESTION, chat_id=chat, user_id=chat)
            await wait_sends(fake, dict.fromkeys(others, 1), timeout=30)
            got = sends(fake)
            waits = [got[chat][0] - at for chat, at in others.items()]
            assert 5001 not in got  # still held
            await wait_sends(fake, {5001: 1}, timeout=30)
            await bot.idle()
            held = sends(fake)[5001]
            assert len(held) == 1 and held[0] - asked >= 4.0
            assert fake.sent_messages(5001)[0]["text"].startswith(ANSWER)
        assert fake.rejected() == []
    print("FLOOD-429", json.dumps({"others_worst_s": round(max(waits), 3)}))
    assert max(waits) < 1.5


async def test_a_chats_backlog_is_bounded_and_the_rest_is_refused_with_a_notice(
    service: NewsService, tmp_path: Path, cache_dir: Path
) -> None:
    """12 messages at once from one user (under the 20 a minute): 5 are answered, the chat
    is told once that the rest were skipped; afterwards it is served again.  (The first
    reply gets a 429, so the chat's backlog cannot drain while the 12 arrive.)"""
    with FakeBotAPI() as fake:
        settings = make_settings(fake, tmp_path, cache_dir)
        async with running(fake, service, settings, options=BotOptions()) as bot:
            fake.fail_next("sendMessage", "429", retry_after=2, chat_id=5201)
            for _n in range(12):
                fake.push_message(QUESTION, chat_id=5201, user_id=5201)
            await fake.wait_for_messages(5201, 6)
            await bot.idle()
            texts = [m["text"] for m in fake.sent_messages(5201)]
            backlog = bot.service.knowledge.rules.responses.text("tg_backlog", "zh")
            assert texts.count(backlog) == 1
            assert sum(t.startswith(ANSWER) for t in texts) == 5
            assert len(texts) == 6
            again = await bot.reply(QUESTION, chat_id=5201, user_id=5201)
            assert again["text"].startswith(ANSWER)
        assert fake.rejected() == []


async def test_button_presses_have_their_own_budget(
    service: NewsService, tmp_path: Path, cache_dir: Path
) -> None:
    """A press every 3 s for a minute (20 presses) and then /digest: the command is answered
    (before, presses and messages shared one budget of 20 and /digest was refused)."""
    with FakeBotAPI() as fake:
        settings = make_settings(fake, tmp_path, cache_dir)
        async with running(fake, service, settings, options=BotOptions()) as bot:
            topics = await bot.reply("/topics", chat_id=5301, user_id=5301)
            toggle = data_of(topics, labels(topics)[0])
            responses = bot.service.knowledge.rules.responses
            refusals = {responses.text("tg_flood", "zh"), responses.text("tg_backlog", "zh")}
            for _ in range(20):
                bot.flood.now += 2.9
                await bot.toast(topics, toggle, user_id=5301)
            digest = await bot.reply("/digest", chat_id=5301, user_id=5301)
            assert digest["text"] not in refusals
        assert fake.rejected() == []


async def test_admins_have_their_own_budget_and_hear_every_refusal(
    service: NewsService, tmp_path: Path, cache_dir: Path
) -> None:
    """An admin's 30 questions in a minute are all answered (a reader's 21st is refused);
    over the admin budget every refused message gets the notice, not only the first."""
    with FakeBotAPI() as fake:
        settings = make_settings(fake, tmp_path, cache_dir)
        async with running(fake, service, settings, options=BotOptions()) as bot:
            for _ in range(30):
                answer = await bot.reply(QUESTION, chat_id=ADMIN, user_id=ADMIN)
                assert answer["text"].startswith(ANSWER)
        assert fake.rejected() == []
    with FakeBotAPI() as fake:
        settings = make_settings(fake, tmp_path, cache_dir)
        async with running(fake, service, settings, options=BotOptions(admin_limit=3)) as bot:
            flood = bot.service.knowledge.rules.responses.text("tg_flood", "zh")
            texts = [(await bot.reply(QUESTION, chat_id=ADMIN, user_id=ADMIN))["text"]]
            texts += [(await bot.reply(QUESTION, chat_id=ADMIN, user_id=ADMIN))["text"]]
            texts += [(await bot.reply(QUESTION, chat_id=ADMIN, user_id=ADMIN))["text"]]
            texts += [(await bot.reply("/stats", chat_id=ADMIN, user_id=ADMIN))["text"]]
            texts += [(await bot.reply("/reload", chat_id=ADMIN, user_id=ADMIN))["text"]]
            assert [t == flood for t in texts] == [False, False, False, True, True]
        assert fake.rejected() == []


async def test_repeated_inline_queries_are_answered_from_the_cache_for_free(
    service: NewsService, tmp_path: Path, cache_dir: Path
) -> None:
    """40 copies of one inline query (typing pauses) are all answered, counting once; fresh
    queries still stop at the inline budget (30 a minute)."""
    with FakeBotAPI() as fake:
        settings = make_settings(fake, tmp_path, cache_dir)
        async with running(fake, service, settings, options=BotOptions()) as bot:
            for _ in range(40):
                fake.push_inline_query(QUESTION, user_id=5401)
            await fake.wait_for_calls("answerInlineQuery", 40)
            await bot.idle()
            for n in range(40):
                fake.push_inline_query(f"{QUESTION}{n}", user_id=5401)
            await fake.wait_for_calls("answerInlineQuery", 40 + 29)
            await bot.idle()
            assert len(fake.calls("answerInlineQuery")) == 40 + 29
            bot.flood.now += 21  # the cached answer has expired: a fresh one, in budget again
            bot.flood.now += 40  # and the window has passed
            fake.push_inline_query(QUESTION, user_id=5401)
            await fake.wait_for_calls("answerInlineQuery", 40 + 29 + 1)
        assert fake.rejected() == []


async def test_command_arguments_are_cut_to_the_question_limit(
    service: NewsService, tmp_path: Path, cache_dir: Path
) -> None:
    """A command sees at most ``max_question_chars`` characters of arguments (and the cut is
    marked); /ask still says it read only the first part."""
    seen: list[str] = []

    async def echo(update: Update, context: Ctx) -> None:
        message = update.effective_message
        assert message is not None and message.text is not None
        seen.append(message.text)
        await reply(message, format_text(str(len(message.text))))

    feature = Feature("echo", commands=(CommandSpec("echo", echo, "tg_cmd_help"),))
    limit = service.knowledge.rules.thresholds.max_question_chars
    with FakeBotAPI() as fake:
        settings = make_settings(fake, tmp_path, cache_dir)
        async with running(fake, service, settings, extra=(feature,)) as bot:
            await bot.reply("/echo " + "长" * 5000, chat_id=5501, user_id=5501)
            await bot.reply("/echo short", chat_id=5501, user_id=5501)
            assert seen == ["/echo " + "长" * limit + "…", "/echo short"]
            asked = await bot.reply("/ask " + QUESTION + "啊" * 5000, chat_id=5501, user_id=5501)
            note = bot.service.knowledge.rules.responses.text("too_long", "zh", limit=limit)
            assert note.split("{")[0][:8] in asked["text"]
        assert fake.rejected() == []


async def test_replies_go_ahead_of_a_digest_fan_out_within_one_overall_rate(
    service: NewsService, tmp_path: Path, cache_dir: Path
) -> None:
    """A 60-chat digest fan-out at the real 30 messages/s; 30 users ask meanwhile.  Replies
    go first (digests keep one turn in five while replies wait), and replies and digests
    together keep to 30 messages a second (before, each had 30/s of its own)."""
    topics = [t.id for t in service.knowledge.rules.topics]
    digest_chats = {410_000 + n: topics[n % len(topics)] for n in range(60)}
    with FakeBotAPI() as fake:
        settings = make_settings(fake, tmp_path, cache_dir)
        clock = WallClock()
        options = BotOptions()
        async with running(
            fake, service, settings, options=options, clock=clock, real_pace=True
        ) as bot:
            assert bot.digests is not None
            for chat_id, topic in digest_chats.items():
                fake.add_chat(chat_id)
                await bot.store.upsert_chat(chat_id, "private", None, "zh")
                await bot.store.subscribe(chat_id, topic)
            clock.now = DUE
            tick = asyncio.create_task(bot.digests.runtime.tick())
            await wait_sends(fake, dict.fromkeys(list(digest_chats)[:5], 1), timeout=30)
            asked = {30_500 + n: time.time() for n in range(30)}
            for user in asked:
                fake.push_message(QUESTION, chat_id=user, user_id=user)
            await wait_sends(fake, dict.fromkeys(asked, 1), timeout=60)
            report = await tick
            assert report.messages_sent >= len(digest_chats)
            await bot.idle()
        assert fake.rejected() == []
    got = sends(fake)
    replied = [got[user][0] for user in asked]
    latency = [got[user][0] - at for user, at in asked.items()]
    first_ask, last_reply = min(asked.values()), max(replied)
    digests_meanwhile = sum(
        first_ask <= t <= last_reply for chat in digest_chats for t in got.get(chat, [])
    )
    times = sorted(t for chat_times in got.values() for t in chat_times)
    busiest = max(sum(1 for u in times[i:] if u < t + 1.0) for i, t in enumerate(times))
    figures = {
        "replies": len(latency),
        "reply_p50_s": round(statistics.median(latency), 3),
        "reply_max_s": round(max(latency), 3),
        "digest_messages_while_replies_waited": digests_meanwhile,
        "busiest_second": busiest,
    }
    print("FLOOD-DIGESTS", json.dumps(figures))
    assert digests_meanwhile <= len(asked) // 2
    assert busiest <= 32  # 30 a second, plus a message at each edge of the window
    assert max(latency) < 3.0


async def test_every_upload_over_an_admins_budget_gets_a_reply(
    service: NewsService, tmp_path: Path, cache_dir: Path
) -> None:
    """25 uploads in a minute (each refused for its encoding, so nothing is written) all get
    their own reply; over a budget of 2, every further upload is told, not silently lost."""
    page = b"\x00\xff" * 10
    before = sorted(p.name for p in SEEDS.iterdir())
    with FakeBotAPI() as fake:
        settings = make_settings(fake, tmp_path, cache_dir)
        async with running(fake, service, settings, options=BotOptions()) as bot:
            flood = bot.service.knowledge.rules.responses.text("tg_flood", "zh")
            for n in range(25):
                fake.push_document(f"p{n}.txt", page, chat_id=ADMIN, user_id=ADMIN)
                sent = await fake.wait_for_messages(ADMIN, n + 1, timeout=20)
                assert sent[n]["text"] != flood
        assert fake.rejected() == []
    with FakeBotAPI() as fake:
        settings = make_settings(fake, tmp_path / "again", cache_dir)
        (tmp_path / "again").mkdir()
        async with running(fake, service, settings, options=BotOptions(admin_limit=2)) as bot:
            flood = bot.service.knowledge.rules.responses.text("tg_flood", "zh")
            texts = []
            for n in range(4):
                fake.push_document(f"p{n}.txt", page, chat_id=ADMIN, user_id=ADMIN)
                texts.append((await fake.wait_for_messages(ADMIN, n + 1, timeout=20))[n]["text"])
            assert [t == flood for t in texts] == [False, False, True, True]
        assert fake.rejected() == []
    assert sorted(p.name for p in SEEDS.iterdir()) == before
