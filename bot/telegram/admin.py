"""The admin feature: ``/reload``, uploads and ``/remove``, ``/stats``, ``/unanswered``, plus
the reloads nobody types — SIGHUP and ``newsbot run --watch``.

Thin glue, described as a :class:`~bot.telegram.features.Feature` so ``app`` wires it like any
other: every admin command, button and the document upload is marked ``admin_only`` and goes
through the one admin gate (refusal + audit for everybody else).  The work is done by the core:
:class:`bot.admin.reload.Reloader` (one lock, off-loop build, audit),
:mod:`bot.admin.pages`, :mod:`bot.admin.questions`, :mod:`bot.admin.report`,
:class:`bot.watch.Watcher`.  Admin commands answer in private chats only: their replies name
users' questions and the server's files.

This feature knows nothing of digests: a successful reload that added or changed articles is
announced by the service to whatever ``Feature.on_content`` hooks :mod:`bot.telegram.app`
registered (the digests feature's new-content notice in ``newsbot run``).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import filters

from bot.admin.audit import OK, SYSTEM_USER, Auditor
from bot.admin.pages import remove_partial_writes
from bot.admin.questions import group_questions
from bot.admin.reload import Reloader
from bot.admin.report import StatsData, reload_lines, stats_lines, unanswered_lines
from bot.config import Settings
from bot.rules.model import Responses
from bot.service import NewsService
from bot.store import AsyncStore, utc_now
from bot.telegram.admin_upload import CANCEL, OVERWRITE, PICK, REMOVE, PageEditor
from bot.telegram.features import ButtonSpec, CommandSpec, Feature, MessageSpec
from bot.telegram.format import format_lines
from bot.telegram.incoming import interface_language
from bot.telegram.ptb import App, Ctx
from bot.telegram.send import reply
from bot.watch import DEBOUNCE_SECONDS, POLL_SECONDS, Watcher, scan_directories

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AdminOptions:
    """Tunables of the admin feature (defaults suit production; tests shrink or inject them)."""

    confirm_seconds: float = 600.0  # overwrite / remove confirmations stay valid this long
    list_seconds: float = 3600.0  # the /remove list's buttons
    unanswered_days: int = 7
    unanswered_limit: int = 500  # declined questions read for grouping
    clock: Callable[[], dt.datetime] = utc_now
    sighup: bool = False  # SIGHUP reloads (``newsbot run``; not in tests' shared process)
    watch: bool = False  # poll seeds/ and intents/ and reload on change
    watch_debounce: float = DEBOUNCE_SECONDS
    watch_interval: float = POLL_SECONDS


class AdminFeature:
    """Builds the admin :class:`Feature`; keeps the reloader, watcher and signal handler."""

    def __init__(
        self,
        settings: Settings,
        service: NewsService,
        store: AsyncStore,
        options: AdminOptions | None = None,
    ) -> None:
        self.settings = settings
        self.service = service
        self.store = store
        self.options = options or AdminOptions()
        self.auditor = Auditor(store)
        self.reloader = Reloader(service, self.auditor)
        self.pages = PageEditor(
            settings.seeds,
            service,
            self.reloader,
            self.auditor,
            clock=self.options.clock,
            confirm_seconds=self.options.confirm_seconds,
            list_seconds=self.options.list_seconds,
        )
        self.watcher: Watcher | None = None
        self._app: App | None = None
        self._watch_task: asyncio.Task[None] | None = None
        self._sighup = False

    def feature(self) -> Feature:
        def admin(name: str, handler: Any) -> CommandSpec:
            return CommandSpec(
                name, handler, f"tg_admin_cmd_{name}", admin_only=True, groups=False
            )

        return Feature(
            name="admin",
            commands=(
                admin("reload", self.on_reload),
                admin("remove", self.pages.on_remove_command),
                admin("stats", self.on_stats),
                admin("unanswered", self.on_unanswered),
            ),
            buttons=(
                ButtonSpec(OVERWRITE, self.pages.on_overwrite, admin_only=True),
                ButtonSpec(CANCEL, self.pages.on_cancel, admin_only=True),
                ButtonSpec(PICK, self.pages.on_pick, admin_only=True),
                ButtonSpec(REMOVE, self.pages.on_remove, admin_only=True),
            ),
            messages=(
                MessageSpec(
                    "upload",
                    filters.ChatType.PRIVATE & filters.Document.ALL,
                    self.pages.on_document,
                    admin_only=True,
                ),
            ),
            on_start=self.start,
            on_stop=self.stop,
        )

    @property
    def responses(self) -> Responses:
        return self.service.knowledge.rules.responses

    # --- commands ----------------------------------------------------------------------------

    async def on_reload(self, update: Update, context: Ctx) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        outcome = await self.reloader.reload(user_id=user.id, source="/reload")
        lines = reload_lines(outcome, self.responses, interface_language(user))
        await reply(message, format_lines(lines, bold_first=True))

    async def on_stats(self, update: Update, context: Ctx) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        now = self.options.clock()
        store = self.store
        data = StatsData(
            knowledge=self.service.knowledge,
            chats_total=await store.count_chats(),
            chats_active=await store.count_chats(active_only=True),
            subscribers=await store.subscriber_counts(),
            questions=await store.question_stats(now),
            unanswered=group_questions(
                await store.unanswered(now - dt.timedelta(days=7), self.options.unanswered_limit)
            ),
        )
        lines = stats_lines(data, self.responses, interface_language(user))
        await reply(message, format_lines(lines, bold_first=True))
        await self.auditor.record(user.id, "/stats", "", OK)

    async def on_unanswered(self, update: Update, context: Ctx) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        days = self.options.unanswered_days
        since = self.options.clock() - dt.timedelta(days=days)
        queue = await self.store.editor_queue(since, self.options.unanswered_limit)
        groups = group_questions(queue)
        lines = unanswered_lines(groups, days, self.responses, interface_language(user))
        await reply(message, format_lines(lines, bold_first=True))
        await self.auditor.record(user.id, "/unanswered", f"{len(groups)} groups", OK)

    # --- reloads nobody types ----------------------------------------------------------------

    async def start(self, app: App) -> None:
        self._app = app
        try:  # a crash mid-upload can leave a temporary file behind
            await asyncio.to_thread(remove_partial_writes, self.settings.seeds)
        except OSError as exc:
            logger.warning("could not clean up partial page writes: %s", exc.strerror)
        if self.options.watch:
            scan = scan_directories([self.settings.seeds, self.settings.intents])
            self.watcher = Watcher(
                scan,
                self._reload_on_change,
                debounce=self.options.watch_debounce,
                interval=self.options.watch_interval,
            )
            self.reloader.add_before(self.watcher.resync)
            await self.watcher.resync()
            self._watch_task = asyncio.create_task(self.watcher.run(), name="newsbot-watch")
        if self.options.sighup and hasattr(signal, "SIGHUP"):
            try:
                asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self._on_sighup)
                self._sighup = True
                logger.info("SIGHUP reloads pages and rules")
            except (NotImplementedError, RuntimeError) as exc:
                logger.warning("cannot reload on SIGHUP here: %s", exc)

    async def stop(self, app: App) -> None:
        if self._sighup:
            asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
            self._sighup = False
        task, self._watch_task = self._watch_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _on_sighup(self) -> None:
        logger.info("SIGHUP: reloading")
        if self._app is not None:
            self._app.create_task(self._system_reload("sighup"), name="newsbot-sighup-reload")

    async def _reload_on_change(self) -> None:
        await self._system_reload("watch")

    async def _system_reload(self, source: str) -> None:
        """A reload nobody typed: logged and audited as the system, no reply."""
        await self.reloader.reload(user_id=SYSTEM_USER, source=source)
