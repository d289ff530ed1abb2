"""Wrappers app.py puts around handlers: per-user flood protection and the admin gate."""

from __future__ import annotations

import logging
from collections.abc import Collection

from telegram import Update, User
from telegram.error import TelegramError

from bot.admin.audit import REFUSED, Auditor
from bot.telegram.callbacks import CallbackData
from bot.telegram.deps import BotDeps
from bot.telegram.features import ButtonFn
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


class AdminGate:
    """The one check in front of every admin path: commands, their buttons, uploads.

    Admins are ``Settings.admins`` (``NEWSBOT_ADMINS``).  Everybody else gets a short refusal —
    a reply, or a toast for a button, or an empty answer for an inline query — and the attempt
    is audited (user id, action, chat, result ``refused``), so editors can see who probes the
    admin commands.  ``app`` wraps handlers with it; features never check admins themselves.
    """

    def __init__(self, deps: BotDeps, admins: Collection[int]) -> None:
        self.deps = deps
        self.admins = frozenset(admins)
        self.auditor = Auditor(deps.store)

    def allows(self, user: User | None) -> bool:
        return user is not None and user.id in self.admins

    def wrap(self, action: str, handler: HandlerFn) -> HandlerFn:
        """``handler`` for admins; a refusal (audited as ``action``) for everybody else."""

        async def checked(update: Update, context: Ctx) -> None:
            if self.allows(update.effective_user):
                await handler(update, context)
            else:
                await self.refuse(update, action)

        return checked

    def wrap_button(self, action: str, handler: ButtonFn) -> ButtonFn:
        async def checked(update: Update, context: Ctx, data: CallbackData) -> None:
            if self.allows(update.effective_user):
                await handler(update, context, data)
            else:
                await self.refuse(update, f"button:{action}")

        return checked

    async def refuse(self, update: Update, action: str) -> None:
        user = update.effective_user
        user_id = user.id if user is not None else -1
        chat = update.effective_chat
        logger.info("admin action %s refused for user %d", action, user_id)
        refusal = self.deps.text("tg_admin_refused", interface_language(user))
        if update.callback_query is not None:
            await answer_query(update.callback_query, refusal, alert=True)
        elif update.inline_query is not None:
            try:
                await update.inline_query.answer([], cache_time=0, is_personal=True)
            except TelegramError as exc:
                logger.debug("inline query not answered: %s", exc)
        elif update.effective_message is not None:
            await reply(update.effective_message, format_text(refusal))
        detail = f"chat {chat.id}" if chat is not None else ""
        await self.auditor.record(user_id, action, detail, REFUSED)
