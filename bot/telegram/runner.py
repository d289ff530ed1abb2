"""``newsbot run``: load the knowledge, open the store, build the application, run it.

Long polling by default; webhook mode with ``--webhook-url`` (PTB's webhook server listens on
``--listen:--port`` at the URL's path and refuses requests without the right
``X-Telegram-Bot-Api-Secret-Token`` header with 403; the secret token is required).  PTB's
``run_*`` install SIGINT/SIGTERM handlers that stop polling, finish the updates in hand, run the
shutdown hooks (the store is closed in one) and return, so both signals end the process cleanly
with status 0.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import urllib.parse

from telegram.error import InvalidToken, TelegramError

from bot.config import Settings
from bot.digest.pacing import PaceLimits
from bot.lock import AlreadyRunning, InstanceLock
from bot.service import NewsService
from bot.store import AsyncStore, Store, StoreError
from bot.store.retention import TICK as RETENTION_TICK
from bot.store.retention import RetentionJob, RetentionPolicy
from bot.telegram.admin import AdminFeature, AdminOptions
from bot.telegram.app import allowed_updates, build_application
from bot.telegram.deps import MAX_SEND_RATE, TELEGRAM_SEND_RATE, BotOptions
from bot.telegram.digest_delivery import DigestOptions
from bot.telegram.digests import digest_feature
from bot.telegram.errors import install_redaction
from bot.telegram.features import Feature, JobSpec
from bot.telegram.health_feature import health_feature
from bot.telegram.ptb import App, Ctx
from bot.text import tokenizer

logger = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as secret_token


def run_bot(args: argparse.Namespace, settings: Settings) -> int:
    """Run until SIGINT/SIGTERM; the exit status for ``newsbot run``."""
    if not settings.token:
        print("newsbot run: TELEGRAM_BOT_TOKEN is not set", file=sys.stderr)
        return EXIT_USAGE
    install_redaction(settings.token)
    problem = _webhook_problem(args) or _rate_problem(args)
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
        return _serve(args, settings)
    finally:
        lock.release()


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


def _serve(args: argparse.Namespace, settings: Settings) -> int:
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
    features = [
        store_feature(store, retention),
        *optional_features(args, settings, service, store),
    ]
    options = BotOptions(send_rate=getattr(args, "send_rate", TELEGRAM_SEND_RATE))
    app = build_application(settings, service, store=store, features=features, options=options)
    try:
        _run(app, args)
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
    logger.info("stopped")
    return EXIT_OK


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
    args: argparse.Namespace, settings: Settings, service: NewsService, store: AsyncStore
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
        features.append(health_feature(port, service))
    return features


def _run(app: App, args: argparse.Namespace) -> None:
    webhook_url = getattr(args, "webhook_url", None)
    if not webhook_url:
        logger.info("starting long polling")
        app.run_polling(allowed_updates=allowed_updates(app))
        return
    path = urllib.parse.urlsplit(webhook_url).path.lstrip("/")
    logger.info("starting webhook server on %s:%d/%s", args.listen, args.port, path)
    app.run_webhook(
        listen=args.listen,
        port=args.port,
        url_path=path,
        webhook_url=webhook_url,
        secret_token=args.secret_token or None,
        allowed_updates=allowed_updates(app),
    )
