"""Digest delivery: ``send_now``, the scheduler's ``deliver_due``, pacing, crashes, notices.

Real SQLite files in tmp_path; virtual time for the store, the pacer and every back-off, so a
fan-out that would take Telegram half an hour of flood waits runs in seconds and nothing sleeps.
The fake ``send`` records every message that "reached" a chat: that list is the ground truth
for "each item exactly once" and for counting duplicates after a crash.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from test_digest_support import (
    EDITED_ARTICLE,
    EDITED_ITEM,
    INTENTS,
    ROOT,
    SEEDS,
    Crash,
    FakeSender,
    LoopTime,
    Script,
    VirtualClockLoop,
    VirtualTime,
    duplicated_messages,
    run_virtual,
    utc,
    variant,
)

from bot.digest import (
    TELEGRAM_MESSAGE_LIMIT,
    ChatMoved,
    ChatUnreachable,
    DigestMessage,
    LayoutFor,
    MessageLayout,
    Notice,
    PaceLimits,
    RetryLater,
    RetryPolicy,
    SendNowStatus,
    TransientSendError,
    build_digest,
    catalog_for,
    deliver_due,
    notify_new_content,
    pending_for_chat,
    send_now,
    text_layout,
)
from bot.knowledge.build import Knowledge
from bot.knowledge.diff import diff
from bot.store import AsyncStore, Chat, Store

START = utc(2024, 3, 1, 1, 0)  # 09:00 in Shanghai: today's 08:00 digest has passed
DUE = utc(2024, 3, 2, 0, 0)  # 08:00 in Shanghai the next day: the default digest time


@pytest.fixture
def vt() -> VirtualTime:
    return VirtualTime(START)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "var" / "newsbot.sqlite3"


@pytest.fixture
async def astore(db_path: Path, vt: VirtualTime) -> AsyncIterator[AsyncStore]:
    async with AsyncStore(Store(db_path, clock=vt.utc)) as opened:
        yield opened


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Knowledge:
    return variant("changed", tmp_path_factory.getbasetemp(), cache_dir)


@pytest.fixture(scope="module")
def added(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Knowledge:
    return variant("added", tmp_path_factory.getbasetemp(), cache_dir)


def sender_for(
    vt: VirtualTime | LoopTime,
    knowledge: Knowledge,
    *,
    script: Script | None = None,
    limit: int = TELEGRAM_MESSAGE_LIMIT,
    crash_after: int | None = None,
) -> FakeSender:
    return FakeSender(vt.monotonic, knowledge.rules.responses, script, limit, crash_after)


def small_layout(knowledge: Knowledge, limit: int) -> LayoutFor:
    """Smaller messages than Telegram's, so digests span several messages."""
    responses = knowledge.rules.responses

    def layout(chat: Chat) -> MessageLayout:
        return text_layout(responses, chat.language, limit)

    return layout


def subscribe(
    store: Store, chat_id: int, topics: list[str], kind: str = "private", language: str = "zh"
) -> None:
    store.upsert_chat(chat_id, kind, language=language)
    for topic in topics:
        store.subscribe(chat_id, topic)


def expected_ids(knowledge: Knowledge, topics: list[str]) -> list[str]:
    return [item.item_id for item in build_digest(knowledge, topics, {}).items]


# -- /digest ---------------------------------------------------------------------------------


async def test_send_now_sends_the_topic_once_then_says_nothing_is_pending(
    astore: AsyncStore, vt: VirtualTime, knowledge: Knowledge
) -> None:
    store = astore.store
    subscribe(store, 1, ["electronics"])
    sender = sender_for(vt, knowledge)
    pacer = vt.pacer()
    first = await send_now(1, astore, knowledge, sender, pace=pacer)
    assert first.status is SendNowStatus.SENT and first.anything_pending
    expected = expected_ids(knowledge, ["electronics"])
    assert first.items_delivered == len(expected) and first.messages_sent == len(sender.sent)
    assert sender.received()[1] == Counter(expected)

    second = await send_now(1, astore, knowledge, sender, pace=pacer)
    assert second.status is SendNowStatus.NOTHING_PENDING and not second.anything_pending
    assert second.messages_sent == 0 and len(sender.sent) == first.messages_sent

    store.upsert_chat(2, "private")
    third = await send_now(2, astore, knowledge, sender, pace=pacer)
    assert third.status is SendNowStatus.NO_SUBSCRIPTIONS and not third.anything_pending
    unknown = await send_now(404, astore, knowledge, sender, pace=pacer)
    assert unknown.status is SendNowStatus.UNKNOWN_CHAT

    # /digest is not the day's digest: the scheduled one still runs, with nothing to send.
    chat = store.get_chat(1)
    assert chat is not None and chat.next_digest_at == DUE
    vt.set(DUE)
    report = await deliver_due(DUE, astore, knowledge, sender, pace=pacer)
    assert (report.chats_attempted, report.messages_sent, report.chats_completed) == (1, 0, 1)
    assert len(sender.sent) == first.messages_sent


async def test_send_now_and_the_tick_together_send_each_item_once(
    astore: AsyncStore, vt: VirtualTime, knowledge: Knowledge
) -> None:
    store = astore.store
    for chat_id in range(1, 6):
        subscribe(store, chat_id, ["electronics", "livelihood"])
    vt.set(DUE)
    sender = sender_for(vt, knowledge, limit=600)
    pacer = vt.pacer()
    layout = small_layout(knowledge, 600)
    await asyncio.gather(
        deliver_due(DUE, astore, knowledge, sender, pace=pacer, layout=layout),
        *(send_now(c, astore, knowledge, sender, pace=pacer, layout=layout) for c in (1, 3, 5)),
    )
    expected = Counter(expected_ids(knowledge, ["electronics", "livelihood"]))
    for chat_id in range(1, 6):
        assert sender.received()[chat_id] == expected
    assert not duplicated_messages(sender.sent)


async def test_an_overlapping_tick_is_skipped(
    astore: AsyncStore, vt: VirtualTime, knowledge: Knowledge
) -> None:
    subscribe(astore.store, 1, ["trade"])
    vt.set(DUE)
    release = asyncio.Event()
    entered = asyncio.Event()

    async def slow_send(chat: Chat, message: DigestMessage, digest: object) -> None:
        entered.set()
        await release.wait()

    first = asyncio.create_task(deliver_due(DUE, astore, knowledge, slow_send, pace=vt.pacer()))
    await entered.wait()
    second = await deliver_due(DUE, astore, knowledge, slow_send, pace=vt.pacer())
    assert second.skipped and second.chats_attempted == 0
    release.set()
    report = await first
    assert not report.skipped and report.messages_sent == 1


# -- the schedule ----------------------------------------------------------------------------


async def test_settime_one_minute_ahead_fires_at_that_minute_not_before(
    astore: AsyncStore, knowledge: Knowledge
) -> None:
    vt = VirtualTime(utc(2024, 3, 1, 2, 0))  # 10:00 in Shanghai
    async with AsyncStore(Store(astore.store.path or "", clock=vt.utc)) as store:
        subscribe(store.store, 1, ["urban"])
        store.store.set_digest_time(1, "10:01")
        sender = sender_for(vt, knowledge)
        pacer = vt.pacer()
        for second in (0, 30, 59):
            vt.set(utc(2024, 3, 1, 2, 0, second))
            report = await deliver_due(vt.utc(), store, knowledge, sender, pace=pacer)
            assert report.chats_attempted == 0
        assert not sender.sent
        vt.set(utc(2024, 3, 1, 2, 1, 0))
        report = await deliver_due(vt.utc(), store, knowledge, sender, pace=pacer)
        assert report.chats_completed == 1 and report.messages_sent == 1
        assert sender.received()[1] == Counter(expected_ids(knowledge, ["urban"]))
        chat = store.store.get_chat(1)
        assert chat is not None and chat.next_digest_at == utc(2024, 3, 2, 2, 1)
        vt.set(utc(2024, 3, 1, 2, 2))
        assert (
            await deliver_due(vt.utc(), store, knowledge, sender, pace=pacer)
        ).chats_attempted == 0


async def test_missed_days_give_one_digest_and_an_empty_day_sends_nothing(
    astore: AsyncStore, vt: VirtualTime, knowledge: Knowledge
) -> None:
    store = astore.store
    subscribe(store, 1, ["finance"])
    sender = sender_for(vt, knowledge)
    pacer = vt.pacer()
    vt.set(utc(2024, 3, 5, 4, 0))  # down from before the 2nd until noon on the 5th
    report = await deliver_due(vt.utc(), astore, knowledge, sender, pace=pacer)
    assert (report.chats_attempted, report.messages_sent) == (1, 1)
    assert (
        await deliver_due(vt.utc(), astore, knowledge, sender, pace=pacer)
    ).chats_attempted == 0
    chat = store.get_chat(1)
    assert chat is not None and chat.next_digest_at == utc(2024, 3, 6, 0, 0)

    vt.set(utc(2024, 3, 6, 0, 0))
    quiet = await deliver_due(vt.utc(), astore, knowledge, sender, pace=pacer)
    assert (quiet.chats_attempted, quiet.chats_completed, quiet.messages_sent) == (1, 1, 0)
    vt.set(utc(2024, 3, 7, 0, 0))
    noted = await deliver_due(vt.utc(), astore, knowledge, sender, pace=pacer, send_empty=True)
    assert noted.messages_sent == 1 and noted.items_delivered == 0
    assert sender.sent[-1].item_ids == ()
    assert len(sender.sent) == 2


async def test_a_changed_section_is_delivered_again_once(
    astore: AsyncStore, vt: VirtualTime, knowledge: Knowledge, changed: Knowledge
) -> None:
    subscribe(astore.store, 1, ["electronics"])
    sender = sender_for(vt, knowledge)
    pacer = vt.pacer()
    vt.set(DUE)
    await deliver_due(vt.utc(), astore, knowledge, sender, pace=pacer)
    assert sender.received()[1] == Counter(expected_ids(knowledge, ["electronics"]))
    vt.set(DUE + timedelta(days=1))
    report = await deliver_due(vt.utc(), astore, changed, sender, pace=pacer)
    assert report.items_delivered == 1 and sender.sent[-1].item_ids == (EDITED_ITEM,)
    vt.set(DUE + timedelta(days=2))
    report = await deliver_due(vt.utc(), astore, changed, sender, pace=pacer)
    assert report.messages_sent == 0 and report.chats_completed == 1


# -- unreachable, moved, rate-limited, failing chats -----------------------------------------


async def test_a_blocked_chat_is_marked_inactive_keeps_topics_and_comes_back(
    astore: AsyncStore, vt: VirtualTime, knowledge: Knowledge
) -> None:
    store = astore.store
    subscribe(store, 1, ["trade", "urban"])
    blocked = {1}

    def script(chat: Chat, message: DigestMessage, attempt: int) -> BaseException | None:
        return (
            ChatUnreachable("Forbidden: bot was blocked by the user")
            if chat.chat_id in blocked
            else None
        )

    sender = sender_for(vt, knowledge, script=script)
    vt.set(DUE)
    report = await deliver_due(vt.utc(), astore, knowledge, sender, pace=vt.pacer())
    assert report.inactive_marked == 1 and report.chats_completed == 0 and not sender.sent
    chat = store.get_chat(1)
    assert chat is not None and not chat.active and chat.next_digest_at is None
    assert store.subscriptions(1) == ["trade", "urban"]

    blocked.clear()
    store.upsert_chat(1, "private")  # the user writes to the bot again
    result = await send_now(1, astore, knowledge, sender, pace=vt.pacer())
    assert result.status is SendNowStatus.SENT
    assert sender.received()[1] == Counter(expected_ids(knowledge, ["trade", "urban"]))


async def test_a_moved_group_is_migrated_and_served_at_its_new_id(
    astore: AsyncStore, vt: VirtualTime, knowledge: Knowledge
) -> None:
    store = astore.store
    subscribe(store, -100, ["electronics"], kind="group")
    new_id = -1_000_000_000_100

    def script(chat: Chat, message: DigestMessage, attempt: int) -> BaseException | None:
        if chat.chat_id == -100 and message.index == 1:
            return ChatMoved(new_id)  # moves after the first message went out
        return None

    sender = sender_for(vt, knowledge, script=script, limit=200)
    vt.set(DUE)
    report = await deliver_due(
        vt.utc(), astore, knowledge, sender, pace=vt.pacer(), layout=small_layout(knowledge, 200)
    )
    assert report.migrated == 1 and report.chats_completed == 1 and report.failures == 0
    assert store.get_chat(-100) is None
    assert store.subscriptions(new_id) == ["electronics"]
    received = sender.received()
    together = received[-100] + received[new_id]
    assert together == Counter(expected_ids(knowledge, ["electronics"]))
    assert received[-100] and received[new_id]  # part before the move, the rest after
    chat = store.get_chat(new_id)
    assert chat is not None and chat.next_digest_at is not None and chat.next_digest_at > DUE

    def always_moving(chat: Chat, message: DigestMessage, attempt: int) -> BaseException:
        return ChatMoved(chat.chat_id - 1)

    subscribe(store, -200, ["trade"], kind="group")
    store.set_digest_time(-200, "08:01")
    vt.set(DUE + timedelta(minutes=1))
    moving = sender_for(vt, knowledge, script=always_moving)
    report = await deliver_due(vt.utc(), astore, knowledge, moving, pace=vt.pacer())
    assert (report.migrated, report.failures, report.chats_completed) == (1, 1, 0)


async def test_flood_waits_are_honoured_and_bounded(
    astore: AsyncStore, vt: VirtualTime, knowledge: Knowledge
) -> None:
    store = astore.store
    subscribe(store, 1, ["trade"])
    subscribe(store, 2, ["trade"])
    storm = {1: 2, 2: 99}  # chat 1: two 429s; chat 2: more than the policy allows

    def script(chat: Chat, message: DigestMessage, attempt: int) -> BaseException | None:
        return RetryLater(7) if attempt <= storm.get(chat.chat_id, 0) else None

    sender = sender_for(vt, knowledge, script=script)
    vt.set(DUE)
    before = vt.monotonic()
    policy = RetryPolicy(retry_later_attempts=4)
    report = await deliver_due(
        vt.utc(), astore, knowledge, sender, pace=vt.pacer(), retry=policy, concurrency=1
    )
    assert set(sender.received()) == {1}
    assert report.retries == 2 + 3 and report.failures == 1 and report.chats_completed == 1
    assert vt.monotonic() - before >= 7 * 2  # the waits were slept out (virtually)
    chat = store.get_chat(2)
    assert chat is not None and chat.next_digest_at == DUE  # still due: retried next tick

    storm[2] = 0
    report = await deliver_due(vt.utc(), astore, knowledge, sender, pace=vt.pacer())
    assert report.chats_attempted == 1 and set(sender.received()) == {1, 2}

    subscribe(store, 3, ["trade"])
    store.set_digest_time(3, "07:59")  # first in line tomorrow
    banned = sender_for(vt, knowledge, script=lambda c, m, a: RetryLater(3600))
    vt.set(DUE + timedelta(days=1))
    pacer = vt.pacer()
    before = vt.monotonic()
    report = await deliver_due(vt.utc(), astore, knowledge, banned, pace=pacer, concurrency=1)
    # One send learnt of an hour-long ban; nothing slept it out, the rest was not even tried.
    assert (report.chats_attempted, report.failures, report.retries) == (3, 3, 0)
    assert banned.calls == 1 and vt.monotonic() - before < 60
    assert len(store.due_chats(vt.utc())) == 3  # all still due
    vt.set(DUE + timedelta(days=1, hours=1, minutes=1))
    report = await deliver_due(vt.utc(), astore, knowledge, sender, pace=pacer)
    assert report.chats_completed == 3 and set(sender.received()) == {1, 2, 3}


async def test_transient_errors_back_off_then_leave_the_chat_for_the_next_tick(
    astore: AsyncStore, vt: VirtualTime, knowledge: Knowledge
) -> None:
    subscribe(astore.store, 1, ["livelihood"])
    subscribe(astore.store, 2, ["livelihood"])
    failures = {1: 2, 2: 10}

    def script(chat: Chat, message: DigestMessage, attempt: int) -> BaseException | None:
        return TransientSendError("timed out") if attempt <= failures[chat.chat_id] else None

    sender = sender_for(vt, knowledge, script=script)
    vt.set(DUE)
    started = vt.monotonic()
    report = await deliver_due(vt.utc(), astore, knowledge, sender, pace=vt.pacer())
    assert set(sender.received()) == {1}
    assert report.retries == 2 + 2 and report.failures == 1
    assert vt.slept >= 1 + 2 and vt.monotonic() - started >= 3  # back-off 1 s, then 2 s
    report = await deliver_due(vt.utc(), astore, knowledge, sender, pace=vt.pacer())
    assert report.chats_attempted == 1 and report.failures == 1  # still failing: still due
    failures[2] = 0
    report = await deliver_due(vt.utc(), astore, knowledge, sender, pace=vt.pacer())
    assert report.chats_completed == 1
    assert sender.received()[2] == Counter(expected_ids(knowledge, ["livelihood"]))


async def test_a_front_end_bug_records_the_day_and_keeps_the_items(
    astore: AsyncStore, vt: VirtualTime, knowledge: Knowledge
) -> None:
    subscribe(astore.store, 1, ["trade"])

    async def broken(chat: Chat, message: DigestMessage, digest: object) -> None:
        raise ValueError("renderer bug")

    vt.set(DUE)
    report = await deliver_due(vt.utc(), astore, knowledge, broken, pace=vt.pacer())
    assert report.failures == 1 and report.messages_sent == 0
    chat = astore.store.get_chat(1)
    assert chat is not None and chat.next_digest_at is not None and chat.next_digest_at > DUE
    pending = await pending_for_chat(astore, knowledge, 1)
    assert [i.item_id for i in pending.items] == expected_ids(knowledge, ["trade"])


# -- a 1,000-chat fan-out --------------------------------------------------------------------

N_CHATS = 1000
UNREACHABLE = frozenset({7, 57})  # buckets (chat index % 100)
STORM = frozenset(range(10, 30))  # one 429 per message
FLAKY = frozenset(range(30, 40))  # two network errors per message
DOWN_FIRST_TICK = frozenset({40, 41})  # fail every attempt during the first tick
MOVED = frozenset({50})  # groups that become supergroups mid fan-out


def fan_chat_id(i: int) -> int:
    return -(i + 1) if i % 5 == 0 else i + 1  # every fifth chat is a group


def moved_id(i: int) -> int:
    return -1_000_000_000_000 - i


def test_fanout_to_1000_chats_delivers_each_item_exactly_once(
    db_path: Path, knowledge: Knowledge
) -> None:
    run_virtual(lambda loop: _fanout_1000(loop, db_path, knowledge))


async def _fanout_1000(loop: VirtualClockLoop, db_path: Path, knowledge: Knowledge) -> None:
    vt = LoopTime(loop, START)
    async with AsyncStore(Store(db_path, clock=vt.utc)) as astore:
        wall_started = time.perf_counter()
        store = astore.store
        topics = [t.id for t in knowledge.rules.topics]
        index_of: dict[int, int] = {}
        expected: dict[int, Counter[str]] = {}
        for i in range(N_CHATS):
            chat_id = fan_chat_id(i)
            chosen = sorted({topics[i % len(topics)], topics[(3 * i + 1) % len(topics)]})
            subscribe(
                store,
                chat_id,
                chosen,
                "group" if chat_id < 0 else "private",
                "en" if i % 4 == 1 else "zh",
            )
            index_of[chat_id] = index_of[moved_id(i)] = i
            expected[i] = Counter(expected_ids(knowledge, chosen))
        tick = {"n": 1}

        def script(chat: Chat, message: DigestMessage, attempt: int) -> BaseException | None:
            i = index_of[chat.chat_id]
            bucket = i % 100
            if bucket in UNREACHABLE:
                return ChatUnreachable("Forbidden: bot was blocked by the user")
            if bucket in MOVED and chat.chat_id == fan_chat_id(i):
                return ChatMoved(moved_id(i))
            if bucket in STORM and attempt == 1:
                return RetryLater(1 + i % 4)
            if bucket in FLAKY and attempt <= 2:
                return TransientSendError("timed out")
            if bucket in DOWN_FIRST_TICK and tick["n"] == 1:
                return TransientSendError("bad gateway")
            return None

        limit = 260  # digests of one entry per article are short: make many span messages
        sender = sender_for(vt, knowledge, script=script, limit=limit)
        grants: list[tuple[int, float]] = []
        pacer = vt.pacer(on_grant=lambda chat_id, slot: grants.append((chat_id, slot)))
        layout = small_layout(knowledge, limit)
        setup_seconds = time.perf_counter() - wall_started

        await vt.until(DUE + timedelta(seconds=30))
        fanout_started = time.perf_counter()
        first = await deliver_due(vt.utc(), astore, knowledge, sender, pace=pacer, layout=layout)
        first_sent = list(sender.sent)
        tick["n"] = 2
        await vt.until(vt.utc() + timedelta(minutes=1))
        second = await deliver_due(vt.utc(), astore, knowledge, sender, pace=pacer, layout=layout)
        third = await deliver_due(vt.utc(), astore, knowledge, sender, pace=pacer, layout=layout)
        fanout_seconds = time.perf_counter() - fanout_started

        received = sender.received()
        buckets = Counter(i % 100 for i in range(N_CHATS))
        n_unreachable = sum(buckets[b] for b in UNREACHABLE)
        n_moved = sum(buckets[b] for b in MOVED)
        n_down = sum(buckets[b] for b in DOWN_FIRST_TICK)
        duplicates = losses = 0
        for i in range(N_CHATS):
            bucket = i % 100
            final = moved_id(i) if bucket in MOVED else fan_chat_id(i)
            if bucket in UNREACHABLE:
                assert fan_chat_id(i) not in received
                chat = store.get_chat(fan_chat_id(i))
                assert chat is not None and not chat.active
                assert store.subscriptions(fan_chat_id(i))  # kept for when the user returns
                continue
            got = received.get(final, Counter())
            duplicates += sum(n - 1 for n in got.values() if n > 1)
            losses += sum(1 for item in expected[i] if item not in got)
            assert got == expected[i], i
            if bucket in MOVED:
                assert fan_chat_id(i) not in received and store.get_chat(fan_chat_id(i)) is None
        assert duplicates == 0 and losses == 0

        messages_of = Counter(record.chat_id for record in sender.sent)

        def messages(i: int) -> int:
            return messages_of[moved_id(i) if i % 100 in MOVED else fan_chat_id(i)]

        expected_retries = sum(messages(i) for i in range(N_CHATS) if i % 100 in STORM)
        expected_retries += 2 * sum(messages(i) for i in range(N_CHATS) if i % 100 in FLAKY)
        expected_retries += 2 * n_down  # each down chat: three attempts at its first message
        assert first.chats_attempted == N_CHATS
        assert first.inactive_marked == n_unreachable and first.migrated == n_moved
        assert first.failures == n_down
        assert first.chats_completed == N_CHATS - n_unreachable - n_down
        assert first.messages_sent == len(first_sent)
        assert first.items_delivered == sum(len(r.item_ids) for r in first_sent)
        assert first.retries == expected_retries
        assert (second.chats_attempted, second.chats_completed, second.failures) == (
            n_down,
        ) * 2 + (0,)
        assert second.messages_sent == len(sender.sent) - len(first_sent)
        assert third.chats_attempted == 0
        assert store.due_chats(vt.utc()) == []

        # Pacing, on the slots the pacer granted (every attempt, retries included).
        slots = sorted(slot for _, slot in grants)
        gaps = [b - a for a, b in itertools.pairwise(slots)]
        assert min(gaps) >= 1 / 30 - 1e-6  # at most 30 messages a second overall
        per_chat: dict[int, list[float]] = {}
        for chat_id, slot in grants:
            per_chat.setdefault(chat_id, []).append(slot)
        for chat_id, chat_slots in per_chat.items():
            assert all(b - a >= 1.0 - 1e-6 for a, b in itertools.pairwise(chat_slots))
            if chat_id < 0:
                assert all(
                    chat_slots[k + 20] - chat_slots[k] >= 60 - 1e-6
                    for k in range(len(chat_slots) - 20)
                )
        multi = sum(1 for n in messages_of.values() if n > 1)
        assert multi > N_CHATS // 4  # many digests span several messages

        figures = {
            "chats": N_CHATS,
            "chats_reached": len(received),
            "messages": len(sender.sent),
            "items": sum(len(r.item_ids) for r in sender.sent),
            "duplicates": duplicates,
            "losses": losses,
            "inactive": first.inactive_marked,
            "migrated": first.migrated,
            "retries": first.retries,
            "send_attempts": sender.calls,
            "virtual_seconds": round(first.duration + second.duration, 1),
            "virtual_messages_per_second": round(first.messages_per_second, 2),
            "wall_seconds_fanout": round(fanout_seconds, 2),
            "wall_seconds_setup": round(setup_seconds, 2),
            "wall_messages_per_second": round(len(sender.sent) / fanout_seconds, 1),
        }
        print("\nfan-out figures:", json.dumps(figures))


def test_a_fault_free_fanout_runs_at_the_global_rate(db_path: Path, knowledge: Knowledge) -> None:
    run_virtual(lambda loop: _fault_free_fanout(loop, db_path, knowledge))


async def _fault_free_fanout(loop: VirtualClockLoop, db_path: Path, knowledge: Knowledge) -> None:
    vt = LoopTime(loop, START)
    async with AsyncStore(Store(db_path, clock=vt.utc)) as astore:
        topics = [t.id for t in knowledge.rules.topics]
        for i in range(300):
            subscribe(astore.store, i + 1, [topics[i % 7], topics[(i + 3) % 7]])
        sender = sender_for(vt, knowledge, limit=260)
        await vt.until(DUE)
        report = await deliver_due(
            vt.utc(),
            astore,
            knowledge,
            sender,
            pace=vt.pacer(),
            layout=small_layout(knowledge, 260),
        )
        assert report.chats_completed == 300 and report.messages_sent == len(sender.sent) > 300
        assert 25 <= report.messages_per_second <= 30 + 1e-6  # near Telegram's 30/s, never above
        print(f"\nfault-free fan-out: {report.as_dict()}")


# -- crashes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("concurrency", [1, 8])
async def test_a_crash_mid_fanout_repeats_at_most_the_message_in_flight(
    db_path: Path, vt: VirtualTime, knowledge: Knowledge, concurrency: int
) -> None:
    topics = [t.id for t in knowledge.rules.topics]
    expected: dict[int, Counter[str]] = {}
    with Store(db_path, clock=vt.utc) as store:
        for chat_id in range(1, 61):
            chosen = sorted({topics[chat_id % 7], topics[(chat_id * 2) % 7]})
            subscribe(store, chat_id, chosen)
            expected[chat_id] = Counter(expected_ids(knowledge, chosen))
    layout = small_layout(knowledge, 900)
    sender = sender_for(vt, knowledge, limit=900, crash_after=40)
    vt.set(DUE)
    first = AsyncStore(Store(db_path, clock=vt.utc))
    with pytest.raises(Crash):
        await deliver_due(
            vt.utc(),
            first,
            knowledge,
            sender,
            pace=vt.pacer(),
            layout=layout,
            concurrency=concurrency,
        )
    await first.aclose()  # the process is gone; nothing after the crash ran in it
    assert len(sender.sent) >= 40

    sender.crash_after = None
    async with AsyncStore(Store(db_path, clock=vt.utc)) as restarted:
        assert await restarted.integrity_ok()
        await deliver_due(
            vt.utc(),
            restarted,
            knowledge,
            sender,
            pace=vt.pacer(),
            layout=layout,
            concurrency=concurrency,
        )
        again = await deliver_due(
            vt.utc(), restarted, knowledge, sender, pace=vt.pacer(), layout=layout
        )
        assert again.chats_attempted == 0
    received = sender.received()
    for chat_id, items in expected.items():
        assert set(received[chat_id]) == set(items), chat_id  # nothing lost
    repeats = duplicated_messages(sender.sent)
    per_chat = Counter(record.chat_id for record in repeats)
    assert all(n == 1 for n in per_chat.values())  # at most one message per chat repeated
    assert 1 <= len(repeats) <= concurrency  # the message(s) in flight, nothing more
    if concurrency == 1:
        crashed = sender.sent[39]
        assert [(r.chat_id, r.item_ids) for r in repeats] == [(crashed.chat_id, crashed.item_ids)]


_CHILD = r"""
import asyncio, sys
from datetime import UTC, datetime
from pathlib import Path
from bot.digest import PaceLimits, Pacer, deliver_due, text_layout
from bot.knowledge.build import build_knowledge
from bot.store import AsyncStore, Store

async def main():
    db, seeds, intents, cache, stop_after = sys.argv[1:6]
    knowledge = build_knowledge(Path(seeds), Path(intents), Path(cache))
    responses = knowledge.rules.responses
    sent = 0

    async def send(chat, message, digest):
        nonlocal sent
        sent += 1
        print(chat.chat_id, ",".join(i.item_id for i in message.items), flush=True)
        if sent == int(stop_after):
            sys.stdin.readline()  # frozen after the send, before the ledger write: kill -9 me

    pacer = Pacer(PaceLimits(messages_per_second=1e9, chat_interval=0, group_window=0))
    async with AsyncStore(Store(db)) as store:
        await deliver_due(datetime.now(UTC), store, knowledge, send, pace=pacer, concurrency=1,
                          layout=lambda chat: text_layout(responses, chat.language, 900))
    print("done", flush=True)

asyncio.run(main())
"""


def _run_child_and_kill(db_path: Path, cache_dir: Path, stop_after: int) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(
        [
            sys.executable,
            "-c",
            _CHILD,
            str(db_path),
            str(SEEDS),
            str(INTENTS),
            str(cache_dir),
            str(stop_after),
        ],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout is not None
        lines = []
        for line in child.stdout:
            lines.append(line.strip())
            if len(lines) == stop_after:
                break
        os.kill(child.pid, signal.SIGKILL)
        lines += [line.strip() for line in child.stdout]  # whatever was flushed before death
        child.wait(timeout=30)
        assert child.returncode == -signal.SIGKILL
    assert "done" not in lines
    return [line for line in lines if line]


async def test_kill_9_mid_fanout_then_restart_loses_nothing_and_repeats_one_message(
    db_path: Path, knowledge: Knowledge, cache_dir: Path
) -> None:
    topics = [t.id for t in knowledge.rules.topics]
    expected: dict[int, set[str]] = {}
    with Store(db_path, clock=lambda: START) as store:  # scheduled in the past: due now
        for chat_id in range(1, 41):
            chosen = sorted({topics[chat_id % 7], topics[(chat_id * 3) % 7]})
            subscribe(store, chat_id, chosen)
            expected[chat_id] = set(expected_ids(knowledge, chosen))
    log: list[tuple[int, tuple[str, ...]]] = []
    for stop_after in (15, 20):  # two processes, each killed right after a send
        for line in _run_child_and_kill(db_path, cache_dir, stop_after):
            chat, _, items = line.partition(" ")
            log.append((int(chat), tuple(items.split(",")) if items else ()))

    async def send(chat: Chat, message: DigestMessage, digest: object) -> None:
        log.append((chat.chat_id, tuple(i.item_id for i in message.items)))

    async with AsyncStore(Store(db_path)) as restarted:
        assert await restarted.integrity_ok()
        from bot.digest import Pacer

        fast = Pacer(
            PaceLimits(messages_per_second=1e9, chat_interval=0, group_window=0),
            sleep=lambda seconds: asyncio.sleep(0),
        )
        await deliver_due(
            utc(2100, 1, 1),
            restarted,
            knowledge,
            send,
            pace=fast,
            layout=small_layout(knowledge, 900),
        )
    got: dict[int, Counter[str]] = {}
    repeats = 0
    for chat_id, message_items in log:
        seen = got.setdefault(chat_id, Counter())
        repeats += bool(set(message_items) & set(seen))
        seen.update(message_items)
    assert {c: set(v) for c, v in got.items()} == expected  # nothing lost
    assert repeats == 2  # exactly the one message in flight at each kill


# -- pacing ----------------------------------------------------------------------------------


async def test_the_pacer_keeps_all_three_limits_without_head_of_line_blocking() -> None:
    vt = VirtualTime(START)
    pacer = vt.pacer()
    assert pacer.reserve(1, group=False) == 0.0
    assert pacer.reserve(1, group=False) == pytest.approx(1.0)  # one second per chat
    assert pacer.reserve(2, group=False) == pytest.approx(1 / 30)  # not stuck behind chat 1
    slots = [pacer.reserve(-5, group=True) for _ in range(25)]
    assert all(b - a >= 1.0 - 1e-9 for a, b in itertools.pairwise(slots))
    assert slots[20] - slots[0] >= 60 - 1e-9  # 20 per minute in a group
    burst = sorted(pacer.reserve(100 + n, group=False) for n in range(90))
    assert burst[-1] >= 89 / 30 - 1e-6
    pacer.hold(10)
    assert pacer.reserve(999, group=False) >= 10
    await pacer.wait(1000, group=False)
    assert vt.monotonic() >= 10  # waited in virtual time


async def test_a_send_waiting_for_its_slot_does_not_go_into_a_hold_begun_meanwhile(
    astore: AsyncStore, vt: VirtualTime
) -> None:
    from bot.digest.delivery import _attempt_send, _Tally

    subscribe(astore.store, 500, ["trade"])
    chat = astore.store.get_chat(500)
    assert chat is not None
    pacer = vt.pacer()
    for n in range(30):  # the next free slot is one second away
        pacer.reserve(n, group=False)
    sent_at: list[float] = []

    async def call(_: Chat) -> None:
        sent_at.append(vt.monotonic())

    sending = asyncio.ensure_future(_attempt_send(chat, call, pacer, RetryPolicy(), _Tally()))
    await asyncio.sleep(0)  # it has its slot and sleeps towards it
    hold_ends = vt.monotonic() + 5
    pacer.hold(5)  # meanwhile another chat's send got 429, retry_after=5
    await sending
    assert len(sent_at) == 1 and sent_at[0] >= hold_ends  # sent once, after the hold


async def test_holds_that_never_end_leave_the_message_for_the_next_tick(
    astore: AsyncStore,
) -> None:
    """A clock that never reaches a hold's end (frozen, or sleep that does not sleep) must
    not spin the sender: it gives up after the 429 budget and the message stays pending."""
    from bot.digest import Pacer
    from bot.digest.delivery import _attempt_send, _Outcome, _Tally

    subscribe(astore.store, 501, ["trade"])
    chat = astore.store.get_chat(501)
    assert chat is not None
    waits = 0

    async def no_sleep(_: float) -> None:
        nonlocal waits
        waits += 1
        pacer.hold(5)  # every wait ends with a fresh hold from some other chat's 429
        await asyncio.sleep(0)  # yields, so wait_for can end a spinning sender

    pacer = Pacer(PaceLimits(), clock=lambda: 100.0, sleep=no_sleep)
    pacer.reserve(0, group=False)  # the next slot is in the future, so wait() sleeps
    sent: list[Chat] = []

    async def call(c: Chat) -> None:
        sent.append(c)

    policy = RetryPolicy(retry_later_attempts=4)
    attempt = await asyncio.wait_for(_attempt_send(chat, call, pacer, policy, _Tally()), 5)
    assert attempt.outcome is _Outcome.FAILED and not sent
    assert waits == policy.retry_later_attempts + 1  # the first hold, then the stalls


def test_pace_limits_are_validated() -> None:
    with pytest.raises(ValueError):
        PaceLimits(messages_per_second=0)
    with pytest.raises(ValueError):
        PaceLimits(group_messages=0)


# -- new-content notices ---------------------------------------------------------------------


async def test_new_content_notice_goes_once_to_each_subscriber_of_touched_topics(
    astore: AsyncStore, vt: VirtualTime, knowledge: Knowledge, added: Knowledge
) -> None:
    store = astore.store
    change = diff(knowledge, added)
    assert change.added_ids and not change.changed_ids
    catalog = catalog_for(added)
    new_items = set(catalog.article_item_ids(change.added_ids))
    touched = {t for i in new_items for t in catalog.topics_of(i)}
    assert touched == {"innovation", "trade"}
    subscribe(store, 1, ["innovation"])
    subscribe(store, 2, ["trade", "innovation", "electronics"])
    subscribe(store, 3, ["livelihood"])  # untouched
    subscribe(store, 4, ["innovation"])
    store.set_paused(4, True)  # paused: quiet
    subscribe(store, 5, ["trade"])  # blocked the bot
    subscribe(store, -6, ["trade"], kind="group")  # becomes a supergroup
    notices: list[Notice] = []

    async def send_notice(chat: Chat, notice: Notice) -> None:
        if chat.chat_id == 5:
            raise ChatUnreachable("blocked")
        if chat.chat_id == -6:
            raise ChatMoved(-1_000_000_000_006)
        notices.append(notice)

    pacer = vt.pacer()
    sent = await notify_new_content(change, astore, added, send_notice, vt.utc(), pace=pacer)
    assert sent == 3
    by_chat = {n.chat_id: n for n in notices}
    assert set(by_chat) == {1, 2, -1_000_000_000_006}
    for chat_id, notice in by_chat.items():
        ids = [i.item_id for i in notice.items]
        assert len(ids) == len(set(ids)) and set(ids) <= new_items
        subscribed = set(store.subscriptions(chat_id))
        assert all(subscribed & set(i.topics) for i in notice.items)
    assert {i.item_id for i in by_chat[2].items} == {
        i for i in new_items if {"trade", "innovation"} & set(catalog.topics_of(i))
    }
    chat = store.get_chat(5)
    assert chat is not None and not chat.active

    again = await notify_new_content(change, astore, added, send_notice, vt.utc(), pace=pacer)
    assert again == 0 and len(notices) == 3
    # The notice does not replace the digest: the new items are still pending for it.
    pending = await pending_for_chat(astore, added, 1)
    assert {i.item_id for i in pending.items} >= {i.item_id for i in by_chat[1].items}


async def test_a_changed_section_is_announced_once_per_version(
    astore: AsyncStore, vt: VirtualTime, knowledge: Knowledge, changed: Knowledge
) -> None:
    store = astore.store
    change = diff(knowledge, changed)
    assert change.changed_ids == (EDITED_ARTICLE,) and not change.added_ids
    subscribe(store, 1, ["electronics"])
    store.record_delivery(1, build_digest(knowledge, ["electronics"], {}).keys, "digest")
    subscribe(store, 2, ["innovation"])  # has received nothing yet
    notices: list[Notice] = []

    async def send_notice(chat: Chat, notice: Notice) -> None:
        notices.append(notice)

    pacer = vt.pacer()
    sent = await notify_new_content(
        change, astore, changed, send_notice, vt.utc(), previous=knowledge, pace=pacer
    )
    assert sent == 2
    assert {n.chat_id: [i.item_id for i in n.items] for n in notices} == {
        1: [EDITED_ITEM],
        2: [EDITED_ITEM],
    }
    assert (
        await notify_new_content(
            change, astore, changed, send_notice, vt.utc(), previous=knowledge, pace=pacer
        )
        == 0
    )
    # Without the old snapshot every section of the changed article counts, minus what the
    # chat already has in that version: chat 3 (had the rest by digest) hears of the edited
    # section only; chat 2 (had nothing) now hears of the article's other innovation sections.
    subscribe(store, 3, ["electronics"])
    store.record_delivery(3, build_digest(knowledge, ["electronics"], {}).keys, "digest")
    count = len(notices)
    sent = await notify_new_content(change, astore, changed, send_notice, vt.utc(), pace=pacer)
    assert sent == 2
    fallback = {n.chat_id: [i.item_id for i in n.items] for n in notices[count:]}
    catalog = catalog_for(changed)
    others = [
        i
        for i in catalog.article_item_ids([EDITED_ARTICLE])
        if i != EDITED_ITEM and "innovation" in catalog.topics_of(i)
    ]
    assert fallback == {3: [EDITED_ITEM], 2: others}
    nothing = diff(changed, changed)
    assert await notify_new_content(nothing, astore, changed, send_notice, vt.utc()) == 0
