"""The fair limiter alone, in virtual time: who gets the next send turn, and what a 429 holds.

End-to-end figures (the real Application against the fake Bot API, in real time) are in
tests/test_reliability_flood.py; these pin the rules down exactly and quickly.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.telegram.fairsend import FairLimiter
from bot.telegram.flood import ChatBacklog, Verdict
from bot.telegram.sendpolicy import SendPolicy


class Virtual:
    """Clock and sleep for the limiter: sleeping moves the clock at once."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


class Recorder:
    """A fake request: records (chat, virtual time); 429s for the chats told to."""

    def __init__(self, time: Virtual) -> None:
        self.time = time
        self.sent: list[tuple[int, float]] = []
        self.refuse: dict[int, list[float]] = {}  # chat → retry_after of its next 429s

    def request(self, limiter: FairLimiter, chat: int) -> Any:
        async def call() -> bool:
            pending = self.refuse.get(chat)
            if pending:
                raise RetryAfter(timedelta(seconds=pending.pop(0)))
            self.sent.append((chat, self.time.now))
            return True

        return limiter.process_request(call, (), {}, "sendMessage", {"chat_id": chat}, None)

    def chats(self) -> list[int]:
        return [chat for chat, _ in self.sent]

    def first(self, chat: int) -> float:
        return next(t for c, t in self.sent if c == chat)


def make(policy: SendPolicy | None = None) -> tuple[FairLimiter, Recorder, Virtual]:
    time = Virtual()
    limiter = FairLimiter(policy or SendPolicy(), clock=time.clock, sleep=time.sleep)
    return limiter, Recorder(time), time


async def test_a_chat_with_a_backlog_does_not_delay_a_chat_that_asks_once() -> None:
    """Chat 1 queues 30 messages, then chats 2 and 3 one each: they go second and third,
    not after chat 1's backlog (first come, first served would send them 31st and 32nd)."""
    limiter, rec, _ = make()
    flood = [asyncio.ensure_future(rec.request(limiter, 1)) for _ in range(30)]
    await asyncio.sleep(0)
    others = [asyncio.ensure_future(rec.request(limiter, chat)) for chat in (2, 3)]
    await asyncio.gather(*flood, *others)
    assert rec.chats()[:3] == [1, 2, 3]
    assert rec.first(3) == pytest.approx(2 / 30)  # the overall rate still holds
    gaps = [b - a for (_, a), (_, b) in zip(rec.sent, rec.sent[1:], strict=False)]
    assert min(gaps) >= 1 / 30 - 1e-9
    await limiter.shutdown()


async def test_chats_with_backlogs_take_turns() -> None:
    limiter, rec, _ = make()
    tasks = [
        asyncio.ensure_future(rec.request(limiter, chat)) for chat in (1, 2, 3) for _ in range(4)
    ]
    await asyncio.gather(*tasks)
    assert rec.chats() == [1, 2, 3] * 4
    await limiter.shutdown()


async def test_a_429_holds_only_its_chat() -> None:
    """Chat 1 gets ``retry_after=40``: chats 2-5 are served meanwhile; chat 1's message is
    resent once the 40 s are over, ahead of its own later messages."""
    limiter, rec, time = make()
    rec.refuse[1] = [40]
    first = asyncio.ensure_future(rec.request(limiter, 1))
    await asyncio.sleep(0)
    later = asyncio.ensure_future(rec.request(limiter, 1))
    others = [asyncio.ensure_future(rec.request(limiter, chat)) for chat in range(2, 6)]
    await asyncio.gather(*others)
    assert max(rec.first(chat) for chat in range(2, 6)) < 1.0
    assert limiter.held(1) > 38 and limiter.held(2) == 0
    await asyncio.gather(first, later)
    assert rec.first(1) >= 40.1
    assert [c for c in rec.chats() if c == 1] == [1, 1]
    assert time.now < 41
    await limiter.shutdown()


async def test_429s_from_several_chats_at_once_hold_the_whole_bot() -> None:
    """Three chats refused within the window: the limit is the bot's, so every chat waits."""
    limiter, rec, _ = make(SendPolicy(global_after_chats=3, global_window=2.0))
    for chat in (1, 2, 3):
        rec.refuse[chat] = [10]
    tasks = [asyncio.ensure_future(rec.request(limiter, chat)) for chat in (1, 2, 3)]
    await asyncio.sleep(0.01)  # the three 429s come back
    for _ in range(20):
        await asyncio.sleep(0)
    late = asyncio.ensure_future(rec.request(limiter, 4))
    await asyncio.gather(*tasks, late)
    assert rec.first(4) >= 10.0
    await limiter.shutdown()


async def test_a_429_that_keeps_coming_reaches_the_caller_after_the_retries() -> None:
    limiter, rec, _ = make(SendPolicy(retries=2))
    rec.refuse[1] = [1, 1, 1]
    with pytest.raises(RetryAfter):
        await rec.request(limiter, 1)
    assert rec.sent == []
    await limiter.shutdown()


async def test_groups_keep_twenty_messages_a_minute() -> None:
    limiter, rec, _ = make()
    tasks = [asyncio.ensure_future(rec.request(limiter, -100)) for _ in range(21)]
    tasks.append(asyncio.ensure_future(rec.request(limiter, 7)))
    await asyncio.gather(*tasks)
    group = [t for c, t in rec.sent if c == -100]
    assert group[19] < 1.0 and group[20] >= 60.0
    assert rec.first(7) < 1.0  # a private chat is not held by the group's minute
    await limiter.shutdown()


async def test_bulk_turns_go_after_waiting_replies_but_keep_a_share() -> None:
    """Digests (bulk turns) wait while replies wait, but get one turn in ``bulk_share``."""
    limiter, rec, time = make(SendPolicy(bulk_share=4))
    order: list[str] = []

    async def digest() -> None:
        await limiter.bulk_turn()
        order.append("d")

    async def reply(chat: int) -> None:
        await rec.request(limiter, chat)
        order.append("r")

    tasks = [asyncio.ensure_future(reply(chat)) for chat in range(1, 9)]
    await asyncio.sleep(0)
    tasks += [asyncio.ensure_future(digest()) for _ in range(3)]
    await asyncio.gather(*tasks)
    assert "".join(order) == "rrrdrrrdrrd"
    assert time.now == pytest.approx(10 / 30)  # one overall rate for both
    await limiter.shutdown()


async def test_shutdown_releases_waiting_turns() -> None:
    limiter, rec, _ = make(SendPolicy(rate=0.001))
    tasks = [asyncio.ensure_future(rec.request(limiter, 1)) for _ in range(3)]
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    await limiter.shutdown()
    await asyncio.gather(*tasks)
    assert len(rec.sent) == 3


def test_a_chat_backlog_is_bounded_and_told_once_per_episode() -> None:
    backlog = ChatBacklog(2)
    assert [backlog.enter(1) for _ in range(4)] == [
        Verdict.ALLOW,
        Verdict.ALLOW,
        Verdict.NOTIFY,
        Verdict.DROP,
    ]
    assert backlog.enter(2) is Verdict.ALLOW  # other chats are not affected
    backlog.leave(1)
    assert backlog.enter(1) is Verdict.ALLOW  # room again
    backlog.leave(1)
    backlog.leave(1)
    assert backlog.in_progress(1) == 0
    assert [backlog.enter(1) for _ in range(3)][-1] is Verdict.NOTIFY  # a new episode
    groups = ChatBacklog(2, group_limit=4)
    assert [groups.enter(-5, group=True) for _ in range(5)][-2:] == [Verdict.ALLOW, Verdict.NOTIFY]
