"""Wrappers app.py puts around handlers: flood protection (per-user budgets, per-chat backlog),
cutting command arguments, and the admin gate."""

from __future__ import annotations

import logging
import re
from collections.abc import Collection

from telegram import Update, User
from telegram.error import TelegramError

from bot.admin.audit import REFUSED, Auditor
from bot.telegram.callbacks import CallbackData
from bot.telegram.deps import BotDeps
from bot.telegram.features import ButtonFn
from bot.telegram.flood import Kind, Verdict
from bot.telegram.format import format_text
from bot.telegram.incoming import GROUP_TYPES, interface_language
from bot.telegram.ptb import Ctx, HandlerFn
from bot.telegram.send import answer_query, reply

logger = logging.getLogger(__name__)

CUT_MARK = "…"
_COMMAND_ARGUMENTS = re.compile(r"(\S+\s+)(.*)", re.DOTALL)  # "/cmd@bot " and the rest


def flood_guarded(deps: BotDeps, handler: HandlerFn, kind: Kind = Kind.MESSAGE) -> HandlerFn:
    """Run ``handler`` unless the user is over their ``kind`` budget or (for messages) the
    chat's backlog is full: then one notice (every time, for an admin), then silence.  Pressed
    buttons are still answered, silently, so they stop spinning; inline queries go unanswered
    (the client shows no results)."""

    async def guarded(update: Update, context: Ctx) -> None:
        user = update.effective_user
        admin = user is not None and user.id in deps.settings.admins
        verdict = (
            deps.flood.check(kind, user.id, admin=admin) if user is not None else Verdict.ALLOW
        )
        if verdict is not Verdict.ALLOW:
            await _refuse(deps, update, "tg_flood" if verdict is Verdict.NOTIFY else None)
            return
        chat = update.effective_chat
        if chat is None or kind is not Kind.MESSAGE:  # presses: their budget bounds them
            await handler(update, context)
            return
        verdict = deps.backlog.enter(chat.id, group=chat.type in GROUP_TYPES)
        if verdict is not Verdict.ALLOW:
            told = verdict is Verdict.NOTIFY or admin
            await _refuse(deps, update, "tg_backlog" if told else None)
            return
        try:
            await handler(update, context)
        finally:
            deps.backlog.leave(chat.id)

    return guarded


async def _refuse(deps: BotDeps, update: Update, key: str | None) -> None:
    """The notice ``key`` (None: silence) as a toast for a button, a reply for a message."""
    notice = deps.text(key, interface_language(update.effective_user)) if key else None
    if update.callback_query is not None:
        await answer_query(update.callback_query, notice)
    elif notice is not None and update.effective_message is not None:
        await reply(update.effective_message, format_text(notice))


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
        detail = f"chat {chat.id}" if chat is not None else ""
        # audited before the refusal goes out: once it is seen, the attempt is on record
        await self.auditor.record(user_id, action, detail, REFUSED)
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


def cut_arguments(deps: BotDeps, handler: HandlerFn) -> HandlerFn:
    """Run a command handler on its text with the arguments cut to ``max_question_chars``.

    Why here: every command reads its arguments from the message text, and none needs more
    than a question may hold; cutting once, before any handler, bounds the work (and what is
    quoted back) for commands that do not cut themselves.
    """

    async def cut(update: Update, context: Ctx) -> None:
        limit = deps.service.snapshot.knowledge.rules.thresholds.max_question_chars
        shorter = _with_short_arguments(update, limit)
        await handler(shorter or update, context)

    return cut


def _with_short_arguments(update: Update, limit: int) -> Update | None:
    """A copy of ``update`` whose command arguments are at most ``limit`` characters (None
    if they already are)."""
    message = update.message
    text = message.text if message is not None else None
    if message is None or text is None:
        return None
    found = _COMMAND_ARGUMENTS.match(text)
    if found is None or len(found.group(2)) <= limit:
        return None
    # "…" marks the cut: a question handler sees more than it reads, and says it was cut
    kept = found.group(1) + found.group(2)[:limit] + CUT_MARK
    units = len(kept.encode("utf-16-le", "surrogatepass")) // 2
    data = update.to_dict()
    data["message"]["text"] = kept
    entities = [
        e for e in data["message"].get("entities", []) if e["offset"] + e["length"] <= units
    ]
    data["message"]["entities"] = entities
    logger.debug("command arguments cut from %d to %d characters", len(text), len(kept))
    return Update.de_json(data, message.get_bot())
