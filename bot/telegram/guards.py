"""Wrappers app.py puts around handlers: per-user flood protection and admin-only commands."""

from __future__ import annotations

import logging
from collections.abc import Collection

from telegram import Update

from bot.telegram.deps import BotDeps
from bot.telegram.flood import Verdict
from bot.telegram.format import format_text
from bot.telegram.incoming import interface_language
from bot.telegram.ptb import Ctx, HandlerFn
from bot.telegram.send import answer_query, reply

logger = logging.getLogger(__name__)


def flood_guarded(deps: BotDeps, handler: HandlerFn) -> HandlerFn:
    """Run ``handler`` unless the user is flooding: then one notice, then silence (pressed
    buttons are still answered, silently, so they stop spinning)."""

    async def guarded(update: Update, context: Ctx) -> None:
        user = update.effective_user
        verdict = deps.flood.check(user.id) if user is not None else Verdict.ALLOW
        if verdict is Verdict.ALLOW:
            await handler(update, context)
            return
        notice = (
            deps.text("tg_flood", interface_language(user)) if verdict is Verdict.NOTIFY else None
        )
        if update.callback_query is not None:
            await answer_query(update.callback_query, notice)
        elif notice is not None and update.effective_message is not None:
            await reply(update.effective_message, format_text(notice))

    return guarded


def admin_only(admins: Collection[int], handler: HandlerFn, otherwise: HandlerFn) -> HandlerFn:
    """Run ``handler`` for admins; everybody else gets ``otherwise`` (the unknown-command
    help), so admin commands are not advertised to them."""

    async def checked(update: Update, context: Ctx) -> None:
        user = update.effective_user
        if user is not None and user.id in admins:
            await handler(update, context)
        else:
            if user is not None:
                logger.info("admin command refused for user %d", user.id)
            await otherwise(update, context)

    return checked
