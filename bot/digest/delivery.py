"""Send digests exactly once: the scheduler's fan-out and the ``/digest`` command.

The rule that makes a restart neither lose nor repeat a digest: a message's items are written
to the ledger right after that message is sent, one transaction per message, and a chat's day
is marked done (``record_run``) only after its last message. A crash between a send and its
ledger write repeats that one message — Telegram offers no way to send and record atomically —
and anything not yet sent is still pending in the ledger and still due in the schedule, so the
next tick sends it. A concurrent ``/digest`` and scheduled digest for one chat are serialised
and each recomputes what is pending under the lock, so they cannot both send an item.

The front end supplies ``send`` (render a planned message and post it) and translates its
library's errors into :mod:`bot.digest.errors`; everything else — pacing, retries, moves,
blocked chats, the ledger — happens here, with no ``telegram`` import.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Final

from bot.digest.build import Digest, pending_for_chat
from bot.digest.errors import ChatMoved, ChatUnreachable, RetryLater, TransientSendError
from bot.digest.pacing import Pacer
from bot.digest.plan import DEFAULT_MAX_MESSAGES, DigestMessage, MessageLayout, plan_messages
from bot.digest.text import text_layout
from bot.knowledge.build import Knowledge
from bot.store.aio import AsyncStore
from bot.store.models import Chat

if TYPE_CHECKING:
    from bot.answer.engine import Answerer

logger = logging.getLogger(__name__)

SendDigest = Callable[[Chat, DigestMessage, Digest], Awaitable[None]]
LayoutFor = Callable[[Chat], MessageLayout]

# Chats in flight at once. The pacer keeps the total rate; this only has to be large enough
# that chats waiting out their one-second gap between messages do not starve it (>= 30 × 1 s).
DEFAULT_CONCURRENCY: Final = 32
DUE_BATCH: Final = 500  # chats fetched per due query
GROUP_TYPES: Final = frozenset({"group", "supergroup"})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try one message before leaving it for the next tick."""

    retry_later_attempts: int = 5  # sends of one message that may end in a 429
    max_retry_after: float = 300.0  # a longer flood wait is not slept out inside a tick
    transient_attempts: int = 3  # sends of one message that may end in a network error
    backoff_initial: float = 1.0
    backoff_factor: float = 2.0
    backoff_max: float = 30.0

    def backoff(self, failures: int) -> float:
        """Seconds to wait after the ``failures``-th transient error (exponential, capped)."""
        delay = self.backoff_initial * self.backoff_factor ** max(0, failures - 1)
        return float(min(self.backoff_max, delay))


@dataclass(frozen=True, slots=True)
class FanoutReport:
    """What one ``deliver_due`` call did; ``duration`` is on the pacer's clock."""

    chats_attempted: int = 0
    chats_completed: int = 0  # digest day recorded (sent, or nothing pending)
    messages_sent: int = 0
    items_delivered: int = 0
    items_deferred: int = 0  # over the per-digest message cap; lead the next digest
    inactive_marked: int = 0
    migrated: int = 0
    retries: int = 0
    failures: int = 0  # chats left due for the next tick (or, on a bug, for tomorrow)
    duration: float = 0.0
    skipped: bool = False  # another fan-out on this store was still running

    @property
    def messages_per_second(self) -> float:
        return self.messages_sent / self.duration if self.duration > 0 else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "chats_attempted": self.chats_attempted,
            "chats_completed": self.chats_completed,
            "messages_sent": self.messages_sent,
            "items_delivered": self.items_delivered,
            "items_deferred": self.items_deferred,
            "inactive_marked": self.inactive_marked,
            "migrated": self.migrated,
            "retries": self.retries,
            "failures": self.failures,
            "duration": round(self.duration, 3),
            "messages_per_second": round(self.messages_per_second, 2),
            "skipped": self.skipped,
        }


@dataclass(slots=True)
class _Tally:
    """The mutable counters behind a report (one per call, shared by its workers)."""

    chats_attempted: int = 0
    chats_completed: int = 0
    messages_sent: int = 0
    items_delivered: int = 0
    items_deferred: int = 0
    inactive_marked: int = 0
    migrated: int = 0
    retries: int = 0
    failures: int = 0

    def report(self, duration: float) -> FanoutReport:
        return FanoutReport(
            chats_attempted=self.chats_attempted,
            chats_completed=self.chats_completed,
            messages_sent=self.messages_sent,
            items_delivered=self.items_delivered,
            items_deferred=self.items_deferred,
            inactive_marked=self.inactive_marked,
            migrated=self.migrated,
            retries=self.retries,
            failures=self.failures,
            duration=duration,
        )


class SendNowStatus(enum.StrEnum):
    """What ``/digest`` did, so the reply can say it plainly."""

    SENT = "sent"
    NOTHING_PENDING = "nothing_pending"
    NO_SUBSCRIPTIONS = "no_subscriptions"
    UNREACHABLE = "unreachable"  # the chat blocked the bot meanwhile; marked inactive
    FAILED = "failed"  # gave up for now; what was not sent is still pending
    UNKNOWN_CHAT = "unknown_chat"


@dataclass(frozen=True, slots=True)
class SendNowResult:
    status: SendNowStatus
    chat_id: int  # after a move, the chat's new id
    messages_sent: int = 0
    items_delivered: int = 0
    items_deferred: int = 0

    @property
    def anything_pending(self) -> bool:
        """Whether there was something to send (sent now, or attempted and still pending)."""
        return self.status in (SendNowStatus.SENT, SendNowStatus.FAILED) or bool(
            self.items_delivered
        )


class _Outcome(enum.Enum):
    SENT = "sent"
    UNREACHABLE = "unreachable"
    MOVED = "moved"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class _Attempt:
    outcome: _Outcome
    new_chat_id: int | None = None


# -- per-store guards -------------------------------------------------------------------------


class _ChatLocks:
    """One lock per chat in use, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, chat_id: int) -> AsyncIterator[None]:
        lock, users = self._locks.get(chat_id, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[chat_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            _, users = self._locks[chat_id]
            if users <= 1:
                del self._locks[chat_id]
            else:
                self._locks[chat_id] = (lock, users - 1)


@dataclass(slots=True)
class _Guard:
    fanout: asyncio.Lock = field(default_factory=asyncio.Lock)
    chats: _ChatLocks = field(default_factory=_ChatLocks)


_guards: weakref.WeakKeyDictionary[AsyncStore, _Guard] = weakref.WeakKeyDictionary()


def _guard(store: AsyncStore) -> _Guard:
    guard = _guards.get(store)
    if guard is None:
        guard = _guards[store] = _Guard()
    return guard


# -- sending one message ---------------------------------------------------------------------


@dataclass(slots=True)
class _Context:
    store: AsyncStore
    knowledge: Knowledge
    pacer: Pacer
    retry: RetryPolicy
    tally: _Tally
    answerer: Answerer | None
    guard: _Guard


async def _attempt_send(
    chat: Chat,
    call: Callable[[Chat], Awaitable[None]],
    pacer: Pacer,
    retry: RetryPolicy,
    tally: _Tally,
) -> _Attempt:
    """Send one message within the pace, honouring 429s and retrying network errors, bounded.

    ``ChatUnreachable`` and ``ChatMoved`` end the attempt at once (the caller marks or moves
    the chat); exhausted retries end it as FAILED, leaving the message pending, and so does a
    flood wait longer than ``retry.max_retry_after`` (no tick sleeps out an hour-long ban; the
    chats stay due and later ticks fail fast until it is over). Any other exception
    propagates: it is a bug in the front end, not a delivery condition.
    """
    flood_waits = 0
    held_at, stalled = float("nan"), 0  # when a hold last overtook the slot; times in a row
    transient = 0
    group = chat.type in GROUP_TYPES
    while True:
        if pacer.hold_remaining() > retry.max_retry_after:
            return _Attempt(_Outcome.FAILED)  # flood-banned for long: don't even try now
        await pacer.wait(chat.chat_id, group=group)
        if pacer.hold_remaining() > 0:
            # another chat's 429 began a hold while this one waited: not into it. Each such
            # hold comes from a bounded retry elsewhere, so on a moving clock this ends; on one
            # that never moves (a broken sleep) it would spin, so stalls are bounded too.
            now = pacer.now()
            stalled = stalled + 1 if now == held_at else 0
            held_at = now
            if stalled >= retry.retry_later_attempts:
                logger.warning(
                    "chat %d: the clock does not move past a flood-control hold;"
                    " leaving it for the next tick",
                    chat.chat_id,
                )
                return _Attempt(_Outcome.FAILED)
            continue
        try:
            await call(chat)
        except RetryLater as exc:
            flood_waits += 1
            if flood_waits >= retry.retry_later_attempts or exc.seconds > retry.max_retry_after:
                logger.warning(
                    "chat %d: still rate-limited after %d tries (retry after %.0fs);"
                    " leaving it for the next tick",
                    chat.chat_id,
                    flood_waits,
                    exc.seconds,
                )
                pacer.hold(exc.seconds)  # a long ban makes the rest of the tick fail fast
                return _Attempt(_Outcome.FAILED)
            tally.retries += 1
            pacer.hold(exc.seconds)
        except TransientSendError as exc:
            transient += 1
            if transient >= retry.transient_attempts:
                logger.warning(
                    "chat %d: send failed %d times (%s); leaving it for the next tick",
                    chat.chat_id,
                    transient,
                    exc,
                )
                return _Attempt(_Outcome.FAILED)
            tally.retries += 1
            await pacer.sleep(retry.backoff(transient))
        except ChatUnreachable:
            return _Attempt(_Outcome.UNREACHABLE)
        except ChatMoved as exc:
            return _Attempt(_Outcome.MOVED, exc.new_chat_id)
        else:
            return _Attempt(_Outcome.SENT)


async def _moved_chat(
    store: AsyncStore, tally: _Tally, chat: Chat, new_chat_id: int | None
) -> Chat | None:
    """Move the chat's rows to its new id; None if that is impossible (then give up)."""
    if new_chat_id is None or new_chat_id == chat.chat_id:
        return None
    moved = await store.migrate_chat(chat.chat_id, new_chat_id)
    if moved is not None:
        tally.migrated += 1
        logger.info("chat %d moved to %d; retrying there", chat.chat_id, new_chat_id)
    return moved


# -- one chat's digest -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ChatResult:
    status: SendNowStatus
    chat_id: int
    messages: int = 0
    items: int = 0
    deferred: int = 0


async def _deliver_chat(
    ctx: _Context,
    chat_id: int,
    send: SendDigest,
    layout_for: LayoutFor,
    *,
    scheduled_at: datetime | None,
    send_empty: bool,
    max_messages: int | None,
) -> _ChatResult:
    """Send one chat its pending items, message by message, recording each as it goes.

    ``scheduled_at`` set means a scheduled digest: skipped if the chat is no longer due, and
    the day is recorded when everything went out (or nothing was pending). ``None`` is the
    ``/digest`` command: send regardless of the schedule, record items but not the day.
    """
    store = ctx.store
    tally = ctx.tally
    async with ctx.guard.chats.hold(chat_id):
        chat = await store.get_chat(chat_id)
        if chat is None:
            return _ChatResult(SendNowStatus.UNKNOWN_CHAT, chat_id)
        if scheduled_at is not None and (
            not chat.active
            or chat.paused
            or chat.next_digest_at is None
            or chat.next_digest_at > scheduled_at
        ):
            return _ChatResult(SendNowStatus.NOTHING_PENDING, chat_id)  # handled meanwhile
        messages = items = deferred = 0
        moves = 0
        while True:
            digest = await pending_for_chat(
                store, ctx.knowledge, chat.chat_id, answerer=ctx.answerer
            )
            if not digest.subscribed:
                status = SendNowStatus.NO_SUBSCRIPTIONS
                break
            if digest.empty and not send_empty:
                status = SendNowStatus.NOTHING_PENDING
                break
            plan = plan_messages(digest, layout_for(chat), max_messages=max_messages)
            moved_to: Chat | None = None
            for message in plan:
                attempt = await _attempt_send(
                    chat, _sender(send, message, digest), ctx.pacer, ctx.retry, tally
                )
                if attempt.outcome is _Outcome.SENT:
                    messages += 1
                    tally.messages_sent += 1
                    if message.keys:
                        await store.record_delivery(chat.chat_id, message.keys, "digest")
                        items += len(message.keys)
                        tally.items_delivered += len(message.keys)
                    continue
                if attempt.outcome is _Outcome.UNREACHABLE:
                    await store.mark_inactive(chat.chat_id)
                    tally.inactive_marked += 1
                    logger.info("chat %d is unreachable; marked inactive", chat.chat_id)
                    return _ChatResult(SendNowStatus.UNREACHABLE, chat.chat_id, messages, items)
                if attempt.outcome is _Outcome.MOVED and moves == 0:
                    moves += 1
                    moved_to = await _moved_chat(store, tally, chat, attempt.new_chat_id)
                    if moved_to is not None:
                        break
                tally.failures += 1
                return _ChatResult(SendNowStatus.FAILED, chat.chat_id, messages, items)
            if moved_to is not None:
                chat = moved_to  # recompute against the merged ledger, then carry on there
                continue
            deferred = len(plan.deferred)
            tally.items_deferred += deferred
            status = (
                SendNowStatus.SENT
                if not digest.empty or messages
                else SendNowStatus.NOTHING_PENDING
            )
            break
        if scheduled_at is not None:
            await store.record_run(chat.chat_id, chat.local_date(scheduled_at))
            tally.chats_completed += 1
        return _ChatResult(status, chat.chat_id, messages, items, deferred)


def _sender(
    send: SendDigest, message: DigestMessage, digest: Digest
) -> Callable[[Chat], Awaitable[None]]:
    """Bind one planned message to ``send``, for :func:`_attempt_send` to (re)try as is."""

    def call(chat: Chat) -> Awaitable[None]:
        return send(chat, message, digest)

    return call


def _default_layout(knowledge: Knowledge) -> LayoutFor:
    """Plain-text sizes within Telegram's limit, in the chat's language."""
    responses = knowledge.rules.responses
    cache: dict[str, MessageLayout] = {}

    def layout(chat: Chat) -> MessageLayout:
        found = cache.get(chat.language)
        if found is None:
            found = cache[chat.language] = text_layout(responses, chat.language)
        return found

    return layout


async def run_pool(
    chat_ids: Iterable[int], work: Callable[[int], Awaitable[None]], concurrency: int
) -> None:
    """Run ``work`` for each chat id with at most ``concurrency`` at once.

    A BaseException in one worker (shutdown, a crash) cancels the others and is re-raised as
    itself rather than wrapped in an exception group, so callers see what happened.
    """
    pending = iter(list(chat_ids))

    async def worker() -> None:
        for chat_id in pending:  # shared iterator: each id is taken by exactly one worker
            await work(chat_id)

    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(max(1, concurrency)):
                group.create_task(worker())
    except BaseExceptionGroup as errors:
        for extra in errors.exceptions[1:]:
            logger.error("fan-out worker also failed: %r", extra)
        raise errors.exceptions[0] from None


# -- public entry points ---------------------------------------------------------------------


async def deliver_due(
    now: datetime,
    store: AsyncStore,
    knowledge: Knowledge,
    send: SendDigest,
    *,
    send_empty: bool = False,
    pace: Pacer | None = None,
    layout: LayoutFor | None = None,
    retry: RetryPolicy | None = None,
    answerer: Answerer | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    max_messages: int | None = DEFAULT_MAX_MESSAGES,
) -> FanoutReport:
    """The scheduler tick: send every chat that is due at ``now`` its digest, once.

    Per chat: pending items → message plan → send each message (paced, retried) → record its
    items → when all are out, record the day (``chat.local_date(now)``), which schedules the
    next digest. Nothing pending → no message unless ``send_empty``, but the day is recorded.
    ``ChatUnreachable`` marks the chat inactive (subscriptions kept); ``ChatMoved`` migrates it
    and carries on at the new id once; exhausted retries leave the chat due for the next tick.
    Chats run ``concurrency`` at a time under one :class:`Pacer` (pass the bot's shared one).
    A second call while one is running on the same store returns at once with ``skipped``.
    """
    pacer = pace or Pacer()
    guard = _guard(store)
    if guard.fanout.locked():
        logger.info("digest fan-out still running; skipping this tick")
        return FanoutReport(skipped=True)
    async with guard.fanout:
        started = pacer.now()
        tally = _Tally()
        ctx = _Context(store, knowledge, pacer, retry or RetryPolicy(), tally, answerer, guard)
        layout_for = layout or _default_layout(knowledge)
        attempted: set[int] = set()

        async def work(chat_id: int) -> None:
            tally.chats_attempted += 1
            if pacer.hold_remaining() > ctx.retry.max_retry_after:
                tally.failures += 1  # flood-banned: stays due, no store calls wasted
                return
            try:
                result = await _deliver_chat(
                    ctx,
                    chat_id,
                    send,
                    layout_for,
                    scheduled_at=now,
                    send_empty=send_empty,
                    max_messages=max_messages,
                )
                attempted.add(result.chat_id)  # a chat that moved is not retried this tick
            except Exception:
                # A bug (renderer, unmapped library error): record the day so the chat is not
                # retried every tick; its items stay pending for the next digest.
                logger.exception("digest for chat %d failed", chat_id)
                tally.failures += 1
                await _record_run_quietly(store, chat_id, now)

        while True:
            due = await store.due_chats(now, limit=len(attempted) + DUE_BATCH)
            fresh = [chat.chat_id for chat in due if chat.chat_id not in attempted]
            if not fresh:
                break
            attempted.update(fresh)
            await run_pool(fresh, work, concurrency)
        report = tally.report(pacer.now() - started)
    if report.chats_attempted:
        logger.info("digest fan-out: %s", report.as_dict())
    return report


async def _record_run_quietly(store: AsyncStore, chat_id: int, now: datetime) -> None:
    try:
        chat = await store.get_chat(chat_id)
        if chat is not None:
            await store.record_run(chat_id, chat.local_date(now))
    except Exception:
        logger.exception("could not record the digest run of chat %d", chat_id)


async def send_now(
    chat_id: int,
    store: AsyncStore,
    knowledge: Knowledge,
    send: SendDigest,
    *,
    pace: Pacer | None = None,
    layout: LayoutFor | None = None,
    retry: RetryPolicy | None = None,
    answerer: Answerer | None = None,
    max_messages: int | None = DEFAULT_MAX_MESSAGES,
) -> SendNowResult:
    """``/digest``: send now what the next scheduled digest would hold, and record it.

    Does not count as the day's scheduled digest (that one then sends only what arrived in
    between, or nothing). Nothing pending → nothing is sent and the result says
    ``NOTHING_PENDING`` (``NO_SUBSCRIPTIONS`` if the chat has no topics), for the reply.
    """
    pacer = pace or Pacer()
    guard = _guard(store)
    tally = _Tally()
    ctx = _Context(store, knowledge, pacer, retry or RetryPolicy(), tally, answerer, guard)
    result = await _deliver_chat(
        ctx,
        chat_id,
        send,
        layout or _default_layout(knowledge),
        scheduled_at=None,
        send_empty=False,
        max_messages=max_messages,
    )
    return SendNowResult(
        result.status, result.chat_id, result.messages, result.items, result.deferred
    )
