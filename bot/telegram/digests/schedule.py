"""When digests come: ``/subscriptions`` (topics and schedule), ``/settime HH:MM``,
``/timezone Area/City``, ``/pause`` and ``/resume``.

``/settime`` accepts ``7:05`` and full-width digits (``24:00``, ``7:5``, ``25:61`` get the usage
line); ``/timezone`` takes an IANA zone, case-insensitive (an unknown one gets the usage line
with examples).  The store validates both; this module only words the outcome.  Pausing keeps
the subscriptions.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.store import Chat, InvalidSetting
from bot.telegram.digests.common import ECHO_LIMIT, DigestContext, Request
from bot.telegram.format import plain

logger = logging.getLogger(__name__)


class ScheduleCommands:
    """The chat's digest settings: read them, set time and zone, pause and resume."""

    def __init__(self, ctx: DigestContext) -> None:
        self.ctx = ctx

    async def subscriptions(self, request: Request) -> None:
        ctx, language = self.ctx, request.language
        topic_ids = ctx.ordered(await ctx.store.subscriptions(request.chat.chat_id))
        if not topic_ids:
            await ctx.say(request, "digest_no_subscriptions")
            return
        names = ctx.topic_names(topic_ids, language)
        lines = [ctx.t("tg_digest_subscriptions", language, topics=names)]
        lines.append(ctx.schedule(request.chat, language))
        await ctx.send(request, lines)

    async def settime(self, request: Request) -> None:
        chat = request.chat
        await self._change(
            request,
            self.ctx.store.set_digest_time,
            usage=self.ctx.t(
                "tg_digest_settime_usage",
                request.language,
                time=chat.digest_time,
                zone=chat.timezone,
            ),
            invalid="tg_digest_settime_invalid",
            done=lambda changed: self.ctx.t(
                "tg_digest_settime_done", request.language, time=changed.digest_time
            ),
        )

    async def timezone(self, request: Request) -> None:
        await self._change(
            request,
            self.ctx.store.set_timezone,
            usage=self.ctx.t(
                "tg_digest_timezone_usage", request.language, zone=request.chat.timezone
            ),
            invalid="tg_digest_timezone_unknown",
            done=lambda changed: self.ctx.t(
                "tg_digest_timezone_done", request.language, zone=changed.timezone
            ),
        )

    async def _change(
        self,
        request: Request,
        setter: Callable[[int, str], Awaitable[Chat]],
        *,
        usage: str,
        invalid: str,
        done: Callable[[Chat], str],
    ) -> None:
        """One setting from the argument: the usage line without one, the admin rule, the
        store's check (the bad value echoed, shortened, with the usage), then the schedule."""
        ctx, value = self.ctx, request.argument
        if not value:
            await ctx.send(request, [usage])
            return
        if not await ctx.allowed(request):
            return
        try:
            chat = await setter(request.chat.chat_id, value)
        except InvalidSetting:
            bad = ctx.t(invalid, request.language, value=plain(value, ECHO_LIMIT))
            await ctx.send(request, [bad, usage])
            return
        await ctx.send(request, [done(chat), ctx.schedule(chat, request.language)])

    async def pause(self, request: Request) -> None:
        await self._set_paused(request, paused=True)

    async def resume(self, request: Request) -> None:
        await self._set_paused(request, paused=False)

    async def _set_paused(self, request: Request, *, paused: bool) -> None:
        ctx, language = self.ctx, request.language
        if not await ctx.allowed(request):
            return
        chat = await ctx.store.set_paused(request.chat.chat_id, paused)
        lines = [ctx.t("tg_digest_paused" if paused else "tg_digest_resumed", language)]
        if not paused:
            if await ctx.store.subscriptions(chat.chat_id):
                lines.append(ctx.schedule(chat, language))
            else:
                lines.append(ctx.t("digest_no_subscriptions", language))
        await ctx.send(request, lines)
