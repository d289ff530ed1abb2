"""The one module that wires handlers and jobs into the python-telegram-bot ``Application``.

``build_application`` is what both ``newsbot run`` and the end-to-end tests call (tests pass a
fake Bot API's URL in ``Settings.api_url``), so the tests run exactly the production wiring.

Handler order matters within a group (the first match wins): commands (built-in, then the
features'), the features' extra handlers and message specs (an admin's document upload), unknown
commands, then questions (private text, group messages that mention or reply to the bot), then
the non-text hint; button presses and inline queries; and in group 1, chat bookkeeping that must
see every membership change.  Group -1 comes first: an admin's first message to the bot lets
their own command menu be set (``menus.AdminMenus``).  Every admin path (commands, buttons,
message specs marked ``admin_only``) goes through one ``guards.AdminGate``: a refusal plus an
audit entry for non-admins.

Features never import each other: what one feature must hear from another is a declared seam
wired here.  A reload (the admin feature's) reaches the digests feature's new-content notice
because ``_post_init`` registers every ``Feature.on_content`` with the service, and
``_post_shutdown`` removes it again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Settings
from bot.knowledge.build import Knowledge
from bot.knowledge.diff import KnowledgeDiff
from bot.service import ContentListener, NewsService
from bot.store import AsyncStore
from bot.telegram.buttons import Buttons
from bot.telegram.chats import ChatEvents
from bot.telegram.deps import BotDeps, BotOptions
from bot.telegram.errors import ErrorHandler
from bot.telegram.fairsend import FairLimiter
from bot.telegram.features import Feature
from bot.telegram.flood import ChatBacklog, Kind
from bot.telegram.format import plain
from bot.telegram.guards import AdminGate, cut_arguments, flood_guarded
from bot.telegram.handlers import Commands, Questions
from bot.telegram.incoming import AddressedToBot, CommandForUs
from bot.telegram.inline import InlineAnswers
from bot.telegram.menus import MENU_LANGUAGES, AdminMenus, bot_commands
from bot.telegram.polling import FetchWatch, PollingLimits, WatchedRequest
from bot.telegram.ptb import App
from bot.telegram.send import NO_PREVIEW
from bot.telegram.subscribe import StoreSubscriptions, SubscribeHook

logger = logging.getLogger(__name__)

DEPS_KEY = "newsbot"  # app.bot_data[DEPS_KEY] is the BotDeps, for features that need it
_FEATURES_KEY = "newsbot.features"
_MENUS_KEY = "newsbot.admin_menus"
_LISTENERS_KEY = "newsbot.content_listeners"  # what unregisters the features' on_content
_WATCH_KEY = "newsbot.fetch_watch"
DESCRIPTION_LIMIT, SHORT_DESCRIPTION_LIMIT = 512, 120

#: What the handlers below use.  Edits and channel posts are not asked for (if a server sends
#: them anyway, no handler matches and they are dropped).
BASE_UPDATES = (Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY, Update.MY_CHAT_MEMBER)
NEW_MESSAGE = filters.UpdateType.MESSAGE  # not edits, not channel posts
GROUPS = filters.ChatType.GROUPS
PRIVATE = filters.ChatType.PRIVATE


def build_application(
    settings: Settings,
    service: NewsService,
    *,
    store: AsyncStore | None = None,
    features: Sequence[Feature] = (),
    options: BotOptions | None = None,
    watch: FetchWatch | None = None,
) -> App:
    """The configured bot: handlers, error handler, jobs, command menus set on start.

    ``service`` must be loaded.  With a ``store`` chats and questions are recorded and, unless a
    feature provides a subscribe hook, the 订阅 buttons subscribe on the store.  Every
    ``getUpdates`` is reported to ``watch`` (see :mod:`bot.telegram.polling`; default limits
    when none is given), which rides out 401/404 outages and tells ``/healthz`` how fresh
    polling is.
    """
    if not settings.token:
        raise ValueError("a bot token is required")
    options = options or BotOptions()
    watch = watch or FetchWatch(PollingLimits())
    limiter = overall_rate_limiter(options)
    deps = BotDeps(
        service=service,
        settings=settings,
        options=options,
        flood=options.floods(),
        backlog=ChatBacklog(options.chat_backlog, options.group_backlog),
        limiter=limiter,
        store=store,
        subscribe=_subscribe_hook(features, store),
    )
    app: App = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.api_url)
        .base_file_url(settings.file_url)
        .get_updates_request(WatchedRequest(watch))
        .rate_limiter(limiter)
        .concurrent_updates(options.concurrent_updates)
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    app.bot_data[DEPS_KEY] = deps
    app.bot_data[_WATCH_KEY] = watch
    app.bot_data[_FEATURES_KEY] = _wire(app, deps, features)
    return app


def overall_rate_limiter(options: BotOptions) -> FairLimiter:
    """The limiter for everything the application's bot sends, at ``options.send_rate``:
    per-chat queues served fairly, a 429 holding only its chat (``fairsend``)."""
    return options.limiter()


def _subscribe_hook(features: Sequence[Feature], store: AsyncStore | None) -> SubscribeHook | None:
    hooks = [f.subscribe for f in features if f.subscribe is not None]
    if len(hooks) > 1:
        raise ValueError("more than one feature provides the subscribe hook")
    if hooks:
        return hooks[0]
    return StoreSubscriptions(store) if store is not None else None


def _core_feature(core: Feature, extra: Sequence[Feature]) -> Feature:
    """The built-in commands minus those a feature redefines (the digests feature's /topics
    toggles subscriptions where the built-in one only lists topics).  Clashes between two
    features are still refused below."""
    taken = {spec.name for feature in extra for spec in feature.commands}
    return replace(core, commands=tuple(s for s in core.commands if s.name not in taken))


def _wire(app: App, deps: BotDeps, extra: Sequence[Feature]) -> tuple[Feature, ...]:
    questions = Questions(deps)
    commands = Commands(deps, questions)
    features = (_core_feature(commands.feature(), extra), *extra)
    commands.features = features  # /help lists them all
    commands.start_payloads = [f.start_payload for f in features if f.start_payload]

    names = [spec.name for f in features for spec in f.commands]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"commands registered twice: {sorted(duplicates)}")
    unknown = flood_guarded(deps, commands.unknown_command)
    gate = AdminGate(deps, deps.settings.admins)  # every admin path goes through this one gate
    for feature in features:
        for spec in feature.commands:
            handler = spec.handler
            if spec.admin_only:
                handler = gate.wrap(f"/{spec.name}", handler)
            where = NEW_MESSAGE if spec.groups else NEW_MESSAGE & PRIVATE
            handler = flood_guarded(deps, cut_arguments(deps, handler))
            app.add_handler(CommandHandler(spec.name, handler, filters=where))
    for feature in features:
        for extra_handler in feature.handlers:
            app.add_handler(extra_handler)
    for feature in features:
        for message_spec in feature.messages:
            handler = message_spec.handler
            if message_spec.admin_only:
                handler = gate.wrap(message_spec.action, handler)
            app.add_handler(
                MessageHandler(NEW_MESSAGE & message_spec.filters, flood_guarded(deps, handler))
            )
    app.add_handler(MessageHandler(NEW_MESSAGE & filters.COMMAND & CommandForUs(), unknown))
    app.add_handler(
        MessageHandler(
            NEW_MESSAGE & PRIVATE & filters.TEXT, flood_guarded(deps, commands.private_text)
        )
    )
    addressed = AddressedToBot()
    app.add_handler(
        MessageHandler(
            NEW_MESSAGE & GROUPS & filters.TEXT & addressed,
            flood_guarded(deps, commands.group_text),
        )
    )
    non_text = (
        NEW_MESSAGE & ~filters.TEXT & ~filters.StatusUpdate.ALL & (PRIVATE | (GROUPS & addressed))
    )
    app.add_handler(MessageHandler(non_text, flood_guarded(deps, commands.non_text)))

    buttons = Buttons(
        deps,
        questions,
        {
            b.action: gate.wrap_button(b.action, b.handler) if b.admin_only else b.handler
            for f in features
            for b in f.buttons
        },
    )
    # Button presses and inline queries have flood budgets of their own (a press every few
    # seconds must not use up the messages' budget); inline answers from the bot's short
    # cache are free, fresh ones over the budget go unanswered (the client shows no results).
    app.add_handler(CallbackQueryHandler(flood_guarded(deps, buttons.on_callback, Kind.BUTTON)))
    app.add_handler(InlineQueryHandler(InlineAnswers(deps).on_inline))

    # before everything else (group -1): an admin's first message lets their menu be set
    menus = AdminMenus(deps, features)
    app.bot_data[_MENUS_KEY] = menus
    app.add_handler(TypeHandler(Update, menus.on_update), group=-1)

    chats = ChatEvents(deps)
    app.add_handler(
        ChatMemberHandler(chats.on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER), group=1
    )
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, chats.on_migrate), group=1)
    app.add_error_handler(ErrorHandler(deps))

    for feature in features:
        for job in feature.jobs:
            if app.job_queue is None:
                raise RuntimeError(
                    "the job queue is missing (install python-telegram-bot[job-queue])"
                )
            app.job_queue.run_repeating(
                job.callback, interval=job.interval, first=job.first, name=job.name
            )
    logger.debug("wired %d features", len(features))
    return features


# --- start-up and shutdown -------------------------------------------------------------------


async def _post_init(app: App) -> None:
    """Command menus and descriptions (optional: failures are warnings), then features."""
    deps: BotDeps = app.bot_data[DEPS_KEY]
    features: tuple[Feature, ...] = app.bot_data[_FEATURES_KEY]
    bot = app.bot
    for language, code in MENU_LANGUAGES:
        await _optional(
            "setMyCommands",
            bot.set_my_commands(bot_commands(deps, features, language), language_code=code),
        )
        await _optional(
            "setMyDescription",
            bot.set_my_description(
                plain(deps.text("tg_description", language), DESCRIPTION_LIMIT), language_code=code
            ),
        )
        await _optional(
            "setMyShortDescription",
            bot.set_my_short_description(
                plain(deps.text("tg_short_description", language), SHORT_DESCRIPTION_LIMIT),
                language_code=code,
            ),
        )
    menus: AdminMenus = app.bot_data[_MENUS_KEY]
    await menus.on_start(bot)
    logger.info(
        "bot @%s ready: %d articles, knowledge %s",
        bot.username,
        len(deps.knowledge.articles),
        deps.knowledge.version,
    )
    for feature in features:
        if feature.on_start is not None:
            await feature.on_start(app)
    app.bot_data[_LISTENERS_KEY] = [
        deps.service.add_content_listener(_in_background(app, feature.name, feature.on_content))
        for feature in features
        if feature.on_content is not None
    ]


def _in_background(app: App, name: str, hook: ContentListener) -> ContentListener:
    """``hook`` as a background task of the application: the service awaits its listeners
    under the reload lock, and a fan-out to many subscribers must not hold that."""

    async def listener(diff: KnowledgeDiff, previous: Knowledge | None) -> None:
        async def run() -> None:
            try:
                await hook(diff, previous)
            except Exception:
                logger.exception("the %s feature's new-content hook failed", name)

        if not app.running:  # stopping: its tasks would never be awaited
            logger.warning("content changed while the bot is stopping: %s not told", name)
            return
        app.create_task(run(), name=f"newsbot-content-{name}")

    return listener


async def _post_shutdown(app: App) -> None:
    for remove in app.bot_data.pop(_LISTENERS_KEY, ()):
        remove()
    features: tuple[Feature, ...] = app.bot_data.get(_FEATURES_KEY, ())
    for feature in reversed(features):
        if feature.on_stop is not None:
            try:
                await feature.on_stop(app)
            except Exception:
                logger.exception("feature %s failed to stop cleanly", feature.name)


async def _optional(what: str, call: Any) -> None:
    """Await an optional Bot API call; a failure is a warning, never a failed start."""
    try:
        await call
    except TelegramError as exc:
        logger.warning("%s failed (continuing without it): %s", what, exc)


def fetch_watch(app: App) -> FetchWatch:
    """The :class:`FetchWatch` every ``getUpdates`` of ``app`` reports to."""
    watch: FetchWatch = app.bot_data[_WATCH_KEY]
    return watch


def allowed_updates(app: App) -> list[str]:
    """Update types to ask Telegram for: the bot's own plus what features declared.  Always
    explicit, because Telegram otherwise keeps whatever list the token's last user set."""
    features: tuple[Feature, ...] = app.bot_data.get(_FEATURES_KEY, ())
    wanted = [*BASE_UPDATES, *(t for f in features for t in f.update_types)]
    return list(dict.fromkeys(wanted))
