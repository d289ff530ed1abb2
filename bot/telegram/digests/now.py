"""The digest on demand: ``/digest`` and the "ask about it" button under digest items.

``/digest`` sends now what the next scheduled digest would hold and records it, so it is not
sent again.  In a group that consumes the pending items, which would otherwise arrive at the
agreed time, so it is an administrator's change; members are only told plainly whether
anything is pending (or nothing is subscribed).  Delivery itself is
:class:`bot.telegram.digest_delivery.DigestRuntime`'s.
"""

from __future__ import annotations

import logging
from typing import cast

from telegram import Update

from bot.digest import SendNowStatus, catalog_for, pending_for_chat
from bot.telegram.app import DEPS_KEY
from bot.telegram.callbacks import CallbackData, CallbackError, text_check
from bot.telegram.deps import BotDeps
from bot.telegram.digest_delivery import DigestRuntime
from bot.telegram.digest_render import AskRef
from bot.telegram.digests.common import DigestContext, Request
from bot.telegram.handlers import Questions
from bot.telegram.incoming import conversation_key
from bot.telegram.ptb import Ctx
from bot.telegram.send import Where, answer_query

logger = logging.getLogger(__name__)

#: What ``/digest`` says when the digest itself is not the answer (SENT: the digest is the
#: answer; UNREACHABLE: nobody to tell).
_SEND_NOW_REPLIES = {
    SendNowStatus.NOTHING_PENDING: "digest_empty",
    SendNowStatus.NO_SUBSCRIPTIONS: "digest_no_subscriptions",
    SendNowStatus.FAILED: "tg_digest_failed",
}


class DigestNow:
    """``/digest`` and the digest items' ask-about-it button."""

    def __init__(self, ctx: DigestContext, runtime: DigestRuntime) -> None:
        self.ctx = ctx
        self.runtime = runtime

    async def digest(self, request: Request) -> None:
        """Send the pending digest now; in a group only administrators make it send."""
        ctx, chat_id = self.ctx, request.chat.chat_id
        if not await ctx.may_change(request.message):
            snapshot = ctx.service.snapshot
            pending = await pending_for_chat(
                ctx.store, snapshot.knowledge, chat_id, answerer=snapshot.answerer
            )
            if not pending.subscribed:
                key = "digest_no_subscriptions"
            elif pending.empty:
                key = "digest_empty"
            else:
                key = "tg_digest_send_admins_only"
            await ctx.say(request, key, count=len(pending))
            return
        result = await self.runtime.send_now(chat_id)
        logger.info(
            "/digest in chat %d: %s, %d messages, %d items",
            chat_id,
            result.status,
            result.messages_sent,
            result.items_delivered,
        )
        answer = _SEND_NOW_REPLIES.get(result.status)
        if answer is not None:
            await ctx.say(request, answer)

    async def on_ask(self, update: Update, context: Ctx, data: CallbackData) -> None:
        """A digest item's "ask about it" button: ask its question here, as if typed."""
        query = update.callback_query
        if query is None:
            return
        ref = AskRef.parse(data)
        if query.message is None:
            raise CallbackError("no message to answer below")
        deps = cast(BotDeps, context.bot_data[DEPS_KEY])
        snapshot = self.ctx.service.snapshot
        catalog = catalog_for(snapshot.knowledge, snapshot.answerer)
        if ref.item_id not in catalog:
            raise CallbackError("digest item gone")
        question = catalog.item(ref.item_id).question
        if text_check(question) != ref.check:
            raise CallbackError("digest item changed")
        await answer_query(query)
        chat = query.message.chat
        key = conversation_key(chat.id, chat.type, query.from_user)
        await Questions(deps).answer_in(
            query.get_bot(),
            Where.answering(query.message),
            key,
            query.from_user,
            question,
            asked=question,
        )
