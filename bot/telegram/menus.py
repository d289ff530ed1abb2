"""Command menus: everyone's, and each admin's own with the admin commands.

Telegram refuses a menu scoped to a chat that does not exist yet ("chat not found"): an admin
listed in ``NEWSBOT_ADMINS`` who has never opened the bot has no chat with it.  So an admin's
menu is set at start only when the store knows their private chat; the others get theirs the
moment they first write to the bot.  Menus persist at Telegram, so an admin who had one keeps
it across restarts either way.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot, BotCommand, BotCommandScopeChat, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.telegram.deps import BotDeps
from bot.telegram.features import HELP_SECTIONS, CommandSpec, Feature
from bot.telegram.format import plain

logger = logging.getLogger(__name__)

MENU_LANGUAGES = (("zh", None), ("en", "en"))  # (interface language, language_code)
COMMAND_DESCRIPTION_LIMIT = 256


def bot_commands(
    deps: BotDeps, features: Sequence[Feature], language: str, *, admin: bool = False
) -> list[BotCommand]:
    """The command menu in ``language``; with ``admin`` including admin-only commands."""
    specs: list[CommandSpec] = [
        s
        for f in features
        for s in f.commands
        if s.in_menu and s.alias_of is None and (admin or not s.admin_only)
    ]
    return [
        BotCommand(s.name, plain(deps.text(s.description, language), COMMAND_DESCRIPTION_LIMIT))
        for s in specs
    ]


def help_sections(
    deps: BotDeps, features: Sequence[Feature], language: str, *, admin: bool = False
) -> list[tuple[str, list[str]]]:
    """/help's command list: (section title, lines) in :data:`HELP_SECTIONS` order; every
    command of every feature (the menu leaves aliases out), aliases next to their command,
    admin commands only for ``admin``."""
    specs = [s for f in features for s in f.commands if admin or not s.admin_only]
    aliases: dict[str, list[str]] = {}
    for spec in specs:
        if spec.alias_of is not None:
            aliases.setdefault(spec.alias_of, []).append(spec.name)
    sections = []
    for section in HELP_SECTIONS:
        lines = [
            deps.text(
                "tg_help_line",
                language,
                commands=" ".join(f"/{n}" for n in (s.name, *aliases.get(s.name, ()))),
                description=deps.text(s.description, language),
            )
            for s in specs
            if s.alias_of is None and ("admin" if s.admin_only else s.section) == section
        ]
        if lines:
            sections.append((deps.text(f"tg_help_section_{section}", language), lines))
    return sections


class AdminMenus:
    """Sets each admin's own menu once a chat with them exists."""

    def __init__(self, deps: BotDeps, features: Sequence[Feature]) -> None:
        self._deps = deps
        self._features = tuple(features)
        self._wanted = any(s.admin_only for f in features for s in f.commands)
        self.pending: set[int] = set()  # admins whose menu waits for their first message

    async def on_start(self, bot: Bot) -> None:
        if not self._wanted:
            return
        for admin in sorted(self._deps.settings.admins):
            if await self._has_chat(admin):
                await self._set(bot, admin)
            else:
                self.pending.add(admin)
        if self.pending:
            logger.info(
                "%d admin(s) have not opened the bot yet: menu set on their first message",
                len(self.pending),
            )

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Runs before every other handler; costs a set lookup once nobody is pending."""
        if not self.pending:
            return
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None or chat.type != ChatType.PRIVATE:
            return
        if user.id in self.pending:
            self.pending.discard(user.id)
            await self._set(context.bot, user.id)

    async def _has_chat(self, admin: int) -> bool:
        store = self._deps.store
        if store is None:
            return True  # nothing to ask: try, and wait for a first message if refused
        chat = await store.get_chat(admin)
        return chat is not None and chat.active

    async def _set(self, bot: Bot, admin: int) -> None:
        for language, code in MENU_LANGUAGES:
            try:
                await bot.set_my_commands(
                    bot_commands(self._deps, self._features, language, admin=True),
                    scope=BotCommandScopeChat(admin),
                    language_code=code,
                )
            except BadRequest as exc:
                if "chat not found" in exc.message.lower():
                    self.pending.add(admin)  # the store knew an old chat; wait for a message
                    return
                logger.warning("setMyCommands (admin) failed (continuing without it): %s", exc)
            except TelegramError as exc:
                logger.warning("setMyCommands (admin) failed (continuing without it): %s", exc)
