"""``newsbot run``: load the knowledge, open the store, build the application, run it.

Long polling by default (PTB's ``run_polling``; :mod:`bot.telegram.polling` rides out a Bot API
outage for ``--api-outage-limit`` seconds, then stops the bot, which exits with status 1).
Webhook mode with ``--webhook-url`` (:mod:`bot.telegram.webhook` listens on ``--listen:--port``
at the URL's path and refuses requests without the right ``X-Telegram-Bot-Api-Secret-Token``
header with 403 before reading them; the secret token is required).  SIGINT/SIGTERM stop
polling or the receiver, finish the updates in hand, run the shutdown hooks (the store is closed
in one) and return, so both signals end the process cleanly with status 0.  SIGHUP reloads; one
that arrives during start-up is held until the reload handler is installed (:mod:`bot.hangup`).
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import urllib.parse
from datetime import timedelta

from telegram.error import InvalidToken, TelegramError

from bot.config import Settings
from bot.digest.pacing import PaceLimits
from bot.hangup import StartupHangups
from bot.lock import AlreadyRunning, InstanceLock
from bot.service import NewsService
from bot.store import AsyncStore, Store, StoreError
from bot.store.retention import TICK as RETENTION_TICK
from bot.store.retention import RetentionJob, RetentionPolicy
from bot.telegram.admin import AdminFeature, AdminOptions
from bot.telegram.app import allowed_updates, build_application, fetch_watch
from bot.telegram.deps import MAX_SEND_RATE, TELEGRAM_SEND_RATE, BotOptions
from bot.telegram.digest_delivery import DigestOptions
from bot.telegram.digests import digest_feature
from bot.telegram.errors import install_redaction
from bot.telegram.features import Feature, JobSpec
from bot.telegram.health_feature import UpdateSource, health_feature
from bot.telegram.polling import FetchWatch, PollingLimits
from bot.telegram.ptb import App, Ctx
from bot.telegram.webhook import WebhookOptions, WebhookServer
from bot.telegram.webhook_run import WebhookRegistration, run_webhook
from bot.text import tokenizer

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as secret_token


def run_bot(
    args: argparse.Namespace, settings: Settings, hangups: StartupHangups | None = None
) -> int:
    """Run until SIGINT/SIGTERM (or until polling gives up); the exit status for
    ``newsbot run``.  ``hangups`` is installed by the caller as early as it can be."""
    if hangups is None:
        hangups = StartupHangups()
        hangups.install()
    if not settings.token:
        print("newsbot run: TELEGRAM_BOT_TOKEN is not set", file=sys.stderr)
        return EXIT_USAGE
    install_redaction(settings.token)
    problem = _webhook_problem(args) or _rate_problem(args) or polling_limits(args).problem()
    if problem is not None:
        print(f"newsbot run: {problem}", file=sys.stderr)
        return EXIT_USAGE
    lock = InstanceLock(settings.db)
    try:
        lock.acquire()  # one poller per database: two would send duplicate digests
    except AlreadyRunning as exc:
        print(f"newsbot run: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return _serve(args, settings, hangups)
    finally:
        lock.release()


def polling_limits(args: argparse.Namespace) -> PollingLimits:
    """``--poll-timeout``, ``--api-outage-limit``, ``--stale-after``; defaults where unset."""
    defaults = PollingLimits()

    def option(name: str, default: float) -> float:
        value = getattr(args, name, None)
        return default if value is None else float(value)

    return PollingLimits(
        poll_timeout=option("poll_timeout", defaults.poll_timeout),
        outage_limit=option("api_outage_limit", defaults.outage_limit),
        stale_after=option("stale_after", defaults.stale_after),
    )


def _rate_problem(args: argparse.Namespace) -> str | None:
    rate = getattr(args, "send_rate", TELEGRAM_SEND_RATE)
    if not 0 <= rate <= MAX_SEND_RATE:
        return (
            f"--send-rate must be between 0 and {MAX_SEND_RATE:g} messages per second, "
            f"got {rate:g}"
        )
    return None


def digest_options(args: argparse.Namespace, service: NewsService) -> DigestOptions:
    """Digest fan-outs keep to ``--send-rate`` too (0, no overall cap, means Telegram's
    ceiling); the per-chat and per-group limits stay as Telegram sets them."""
    rate = getattr(args, "send_rate", TELEGRAM_SEND_RATE)
    pace = PaceLimits(messages_per_second=rate if rate > 0 else MAX_SEND_RATE)
    return DigestOptions(metrics=service.metrics, pace=pace)


def _webhook_problem(args: argparse.Namespace) -> str | None:
    """Webhook mode without a secret token would take updates from anyone who finds the URL —
    forged ones too, as any user id, admins included — so it is refused."""
    if not getattr(args, "webhook_url", None):
        return None
    secret = getattr(args, "secret_token", None) or ""
    if not secret:
        return (
            "webhook mode needs a secret token (NEWSBOT_WEBHOOK_SECRET or --secret-token): "
            "without one anybody who finds the URL can send the bot forged updates"
        )
    if not SECRET_TOKEN.fullmatch(secret):
        return "the webhook secret token must be 1-256 characters of A-Z, a-z, 0-9, _ and -"
    return None


def _serve(args: argparse.Namespace, settings: Settings, hangups: StartupHangups) -> int:
    tokenizer.configure(settings.cache_dir / "jieba")
    service = NewsService(settings.seeds, settings.intents, settings.cache_dir)
    knowledge = service.load()  # InputError: the CLI prints file:line problems, exit 1
    logger.info("loaded %d articles (knowledge %s)", len(knowledge.articles), knowledge.version)
    try:
        store = AsyncStore(Store(settings.db, allow_empty=settings.init_db))
    except StoreError as exc:
        print(f"newsbot run: {exc}", file=sys.stderr)
        return EXIT_USAGE
    retention = RetentionJob(store, RetentionPolicy(settings.retention_days))
    watch = FetchWatch(polling_limits(args))
    receiver = webhook_server(args)
    source: UpdateSource = receiver if receiver is not None else watch
    features = [
        store_feature(store, retention),
        hangup_feature(hangups, "before"),
        *optional_features(args, settings, service, store, source),
        hangup_feature(hangups, "after"),
    ]
    options = BotOptions(send_rate=getattr(args, "send_rate", TELEGRAM_SEND_RATE))
    app = build_application(
        settings, service, store=store, features=features, options=options, watch=watch
    )
    try:
        _run(app, args, receiver)
    except InvalidToken:
        print(
            "newsbot run: the Bot API refused the token (check TELEGRAM_BOT_TOKEN)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except TelegramError as exc:
        print(
            f"newsbot run: cannot reach the Bot API at {settings.api_url}: {exc}", file=sys.stderr
        )
        return EXIT_FAILED
    except OSError as exc:  # the webhook port is taken, or the address is not ours
        if receiver is None:
            raise
        print(f"newsbot run: cannot listen on {args.listen}:{args.port}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if watch.failure is not None:
        print(f"newsbot run: polling gave up: {watch.failure}", file=sys.stderr)
        return EXIT_FAILED
    logger.info("stopped")
    return EXIT_OK


def webhook_server(args: argparse.Namespace) -> WebhookServer | None:
    webhook_url = getattr(args, "webhook_url", None)
    if not webhook_url:
        return None
    path = urllib.parse.urlsplit(webhook_url).path
    return WebhookServer(WebhookOptions(args.listen, args.port, path, args.secret_token or ""))


def hangup_feature(hangups: StartupHangups, where: str) -> Feature:
    """Placed around the admin feature: "after" starts after its SIGHUP handler is installed
    (and replays a SIGHUP that came earlier); "before" stops after that handler is removed
    (and catches SIGHUP again for the rest of the shutdown)."""

    async def replay(app: App) -> None:
        hangups.replay()

    async def catch_again(app: App) -> None:
        hangups.install()

    if where == "after":
        return Feature(name="sighup-replay", on_start=replay)
    return Feature(name="sighup-guard", on_stop=catch_again)


def store_feature(store: AsyncStore, retention: RetentionJob | None = None) -> Feature:
    """Applies the retention policy at start and daily (an hourly tick asks whether a day has
    passed, by the job's clock); closes the store after the application has stopped."""

    async def close(app: App) -> None:
        await store.aclose()

    if retention is None:
        return Feature(name="store", on_stop=close)

    async def start(app: App) -> None:
        try:
            await retention.run()
        except StoreError as exc:  # housekeeping: never the reason the bot does not start
            logger.error("retention pass failed: %s", exc)

    async def tick(context: Ctx) -> None:
        try:
            await retention.run_if_due()
        except StoreError as exc:
            logger.error("retention pass failed: %s", exc)

    job = JobSpec("store-retention", tick, RETENTION_TICK, first=RETENTION_TICK)
    return Feature(name="store", jobs=(job,), on_start=start, on_stop=close)


def optional_features(
    args: argparse.Namespace,
    settings: Settings,
    service: NewsService,
    store: AsyncStore,
    source: UpdateSource | None = None,
) -> list[Feature]:
    """Features enabled by options.  The digests, admin, health and watch features are added
    here as they are built (each a :class:`Feature` made from these arguments).

    Admin: ``/reload``, uploads, ``/remove``, ``/stats``, ``/unanswered``; SIGHUP always
    reloads (``systemctl reload``); ``--watch`` reloads when seeds/ or intents/ change.
    """
    features: list[Feature] = []
    admin = AdminFeature(
        settings,
        service,
        store,
        AdminOptions(sighup=True, watch=bool(getattr(args, "watch", False))),
    )
    features.append(admin.feature())
    features.append(digest_feature(settings, service, store, digest_options(args, service)))
    port = getattr(args, "health_port", None)
    if port:
        features.append(health_feature(port, service, source))
    return features


def _run(app: App, args: argparse.Namespace, receiver: WebhookServer | None) -> None:
    if receiver is None:
        limits = fetch_watch(app).limits
        fetch_watch(app).on_give_up = app.stop_running
        logger.info("starting long polling")
        app.run_polling(
            allowed_updates=allowed_updates(app),
            timeout=timedelta(seconds=limits.poll_timeout),
        )
        return
    registration = WebhookRegistration(
        url=args.webhook_url, secret=args.secret_token, allowed_updates=allowed_updates(app)
    )
    run_webhook(app, receiver, registration)
