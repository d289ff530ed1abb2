"""The "新内容" notice after a reload: one message per subscriber, never twice per version.

A reload that adds or changes articles touches some topics; each active, unpaused subscriber
of those topics gets one short notice listing the new or changed items of its topics. The
ledger (kind ``notice``, keyed by chat, item id and item hash) makes it idempotent: calling
again — a second reload with the same content, a restart, a retried call after a crash — sends
nothing for versions already announced, while a later edit of the same section is announced.
Items a chat already received in that version by digest are not announced either.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING

from bot.digest.build import Notice
from bot.digest.catalog import catalog_for
from bot.digest.delivery import (
    DEFAULT_CONCURRENCY,
    RetryPolicy,
    _attempt_send,
    _Guard,
    _guard,
    _moved_chat,
    _Outcome,
    _Tally,
    run_pool,
)
from bot.digest.pacing import Pacer
from bot.knowledge.build import Knowledge
from bot.knowledge.diff import KnowledgeDiff
from bot.store.aio import AsyncStore
from bot.store.models import Chat

if TYPE_CHECKING:
    from bot.answer.engine import Answerer

logger = logging.getLogger(__name__)

SendNotice = Callable[[Chat, Notice], Awaitable[None]]


async def notify_new_content(
    diff: KnowledgeDiff,
    store: AsyncStore,
    knowledge: Knowledge,
    send_notice: SendNotice,
    now: datetime,
    *,
    previous: Knowledge | None = None,
    pace: Pacer | None = None,
    retry: RetryPolicy | None = None,
    answerer: Answerer | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> int:
    """Tell each subscriber of the touched topics about the new items, once; returns notices sent.

    ``diff`` comes from the reload (added and changed article ids); ``knowledge`` is the new
    snapshot. With ``previous`` (the old snapshot), only sections whose text really changed
    count as changed; without it, every section of a changed article not yet seen by the chat
    in that version does. ``now`` is the reload's time, for the log. Chats that are paused or
    inactive get nothing; a notice that could not be sent is retried by the next call.
    """
    touched = (*diff.added_ids, *diff.changed_ids)
    if not touched:
        return 0
    catalog = catalog_for(knowledge, answerer)
    candidates = list(catalog.article_item_ids(touched))
    if previous is not None:
        old = catalog_for(previous)
        candidates = [
            i for i in candidates if i not in old or old.item_hash(i) != catalog.item_hash(i)
        ]
    topics = {t for i in candidates for t in catalog.topics_of(i)}
    chats: set[int] = set()
    for topic in knowledge.rules.topics:
        if topic.id in topics:
            chats.update(await store.subscribers(topic.id, active_only=True))
    if not chats:
        return 0
    pacer = pace or Pacer()
    policy = retry or RetryPolicy()
    guard = _guard(store)
    tally = _Tally()
    sent = 0

    async def work(chat_id: int) -> None:
        nonlocal sent
        try:
            if await _notify_chat(
                store,
                guard,
                chat_id,
                candidates,
                knowledge,
                send_notice,
                pacer,
                policy,
                tally,
                answerer,
            ):
                sent += 1
        except Exception:
            logger.exception("new-content notice for chat %d failed", chat_id)

    await run_pool(sorted(chats), work, concurrency)
    logger.info(
        "new-content notices at %s: %d sent to %d subscribed chats (%d retries, %d unreachable)",
        now.isoformat(),
        sent,
        len(chats),
        tally.retries,
        tally.inactive_marked,
    )
    return sent


async def _notify_chat(
    store: AsyncStore,
    guard: _Guard,
    chat_id: int,
    candidates: list[str],
    knowledge: Knowledge,
    send_notice: SendNotice,
    pacer: Pacer,
    policy: RetryPolicy,
    tally: _Tally,
    answerer: Answerer | None,
) -> bool:
    """Send one chat its notice (under the chat's lock); True if a notice went out."""
    catalog = catalog_for(knowledge, answerer)
    async with guard.chats.hold(chat_id):
        chat = await store.get_chat(chat_id)
        moves = 0
        while chat is not None and chat.active and not chat.paused:
            subscribed = set(await store.subscriptions(chat.chat_id))
            announced = await store.delivered(chat.chat_id, "notice")
            received = await store.delivered(chat.chat_id, "digest")
            ids = [
                i
                for i in candidates
                if subscribed.intersection(catalog.topics_of(i))
                and announced.get(i) != catalog.item_hash(i)
                and received.get(i) != catalog.item_hash(i)
            ]
            if not ids:
                return False
            notice = Notice(
                chat.chat_id,
                tuple(catalog.item(i) for i in ids),
                tuple(t.id for t in knowledge.rules.topics if t.id in subscribed),
            )

            def call(target: Chat, notice: Notice = notice) -> Awaitable[None]:
                return send_notice(target, notice)

            attempt = await _attempt_send(chat, call, pacer, policy, tally)
            if attempt.outcome is _Outcome.SENT:
                await store.record_delivery(chat.chat_id, notice.keys, "notice")
                return True
            if attempt.outcome is _Outcome.UNREACHABLE:
                await store.mark_inactive(chat.chat_id)
                tally.inactive_marked += 1
                return False
            if attempt.outcome is _Outcome.MOVED and moves == 0:
                moves += 1
                chat = await _moved_chat(store, tally, chat, attempt.new_chat_id)
                continue
            return False
        return False
