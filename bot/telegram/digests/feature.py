"""The digests feature assembled: which command and button runs which part, the scheduler job,
start and stop, the subscribe hook and the new-content notice.

Nothing is decided here; it only names the parts (:mod:`.topics`, :mod:`.schedule`,
:mod:`.now`) to :mod:`bot.telegram.app`, which does all the wiring.
"""

from __future__ import annotations

import logging
from typing import cast

from bot.config import Settings
from bot.service import NewsService
from bot.store import AsyncStore
from bot.telegram.app import DEPS_KEY
from bot.telegram.article_view import OPEN_ACTION, TURN_ACTION, ArticleReader
from bot.telegram.deps import BotDeps
from bot.telegram.digest_delivery import DigestOptions, DigestRuntime
from bot.telegram.digest_render import AskRef, ToggleRef
from bot.telegram.digests.channels import ChannelCommands, FromChannel
from bot.telegram.digests.common import CommandBody, DigestContext
from bot.telegram.digests.now import DigestNow
from bot.telegram.digests.schedule import ScheduleCommands
from bot.telegram.digests.settings_screen import SETTINGS_ACTION, SettingsScreen
from bot.telegram.digests.topics import TopicCommands
from bot.telegram.features import ButtonSpec, CommandSpec, Feature, JobSpec, MessageSpec
from bot.telegram.ptb import App, Ctx

logger = logging.getLogger(__name__)


def digest_feature(
    settings: Settings,
    service: NewsService,
    store: AsyncStore,
    options: DigestOptions | None = None,
) -> Feature:
    """The feature ``newsbot run`` adds (see ``runner.optional_features``)."""
    return Digests(settings, service, store, options).feature()


class Digests:
    """Commands, buttons, the subscribe hook, the notice and the scheduler job of digests."""

    def __init__(
        self,
        settings: Settings,
        service: NewsService,
        store: AsyncStore,
        options: DigestOptions | None = None,
    ) -> None:
        self.service = service
        self.store = store
        self.runtime = DigestRuntime(settings, service, store, options)
        self.ctx = DigestContext(service, store)
        self.topics = TopicCommands(self.ctx)
        self.schedule = ScheduleCommands(self.ctx)
        self.now = DigestNow(self.ctx, self.runtime)
        self.reader = ArticleReader(service)
        self.screen = SettingsScreen(self.ctx)
        self.channels = ChannelCommands(self.ctx, self.topics)

    def feature(self) -> Feature:
        interval = self.runtime.options.tick_interval  # the first tick runs at start

        def command(
            name: str,
            body: CommandBody,
            description: str,
            section: str = "subscriptions",
            *,
            aliases: tuple[str, ...] = (),
        ) -> tuple[CommandSpec, ...]:
            """The command and its aliases (``/sub`` for ``/subscribe``, as RSS bots have)."""
            handler = self.ctx.command(body)
            main = CommandSpec(name, handler, description, section=section)
            return (
                main,
                *(
                    CommandSpec(a, handler, description, section=section, alias_of=name)
                    for a in aliases
                ),
            )

        settings = "settings"
        return Feature(
            name="digests",
            commands=(
                # replaces the built-in /topics, which only lists them
                *command("topics", self.topics.topics, "tg_cmd_topics"),
                *command(
                    "subscribe", self.topics.subscribe, "tg_digest_cmd_subscribe", aliases=("sub",)
                ),
                *command(
                    "unsubscribe",
                    self.topics.unsubscribe,
                    "tg_digest_cmd_unsubscribe",
                    aliases=("unsub",),
                ),
                *command(
                    "subscriptions",
                    self.schedule.subscriptions,
                    "tg_digest_cmd_subscriptions",
                    aliases=("list",),
                ),
                *command("digest", self.now.digest, "tg_digest_cmd_digest"),
                *command("channel", self.channels.channel, "tg_digest_cmd_channel"),
                *command("settings", self.screen.show, "tg_digest_cmd_settings", settings),
                *command("settime", self.schedule.settime, "tg_digest_cmd_settime", settings),
                *command("timezone", self.schedule.timezone, "tg_digest_cmd_timezone", settings),
                *command("pause", self.schedule.pause, "tg_digest_cmd_pause", settings),
                *command("resume", self.schedule.resume, "tg_digest_cmd_resume", settings),
            ),
            buttons=(
                ButtonSpec(ToggleRef.ACTION, self.topics.on_toggle),
                ButtonSpec(AskRef.ACTION, self.now.on_ask),
                ButtonSpec(OPEN_ACTION, self.reader.on_press),
                ButtonSpec(TURN_ACTION, self.reader.on_press),
                ButtonSpec(SETTINGS_ACTION, self.screen.on_button),
            ),
            messages=(MessageSpec("channel-forward", FromChannel(), self.channels.on_forward),),
            jobs=(JobSpec("digest-tick", self._job, interval, first=interval),),
            on_start=self._start,
            on_stop=self._stop,
            subscribe=self.topics.subscribe_hook,
            start_payload=self.topics.start_payload,
            on_content=self.runtime.announce,
        )

    async def _start(self, app: App) -> None:
        # Digest messages take their turns from the replies' fair send queue (behind waiting
        # replies, with a share kept for digests), so both keep to one overall rate.
        self.runtime.gate = cast(BotDeps, app.bot_data[DEPS_KEY]).limiter.bulk_turn
        await self.runtime.start()

    async def _stop(self, app: App) -> None:
        await self.runtime.stop()

    async def _job(self, context: Ctx) -> None:
        self.runtime.spawn_tick()
