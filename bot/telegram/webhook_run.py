"""Webhook mode's run loop: PTB's ``run_webhook`` order, with the receiver listening first.

Why not ``Application.run_webhook``: it serves PTB's tornado receiver (see
:mod:`bot.telegram.webhook` for what is wrong with it) and sets the webhook before that server
listens.  This is PTB's documented "custom webhook" pattern: initialise (``getMe``), the
``post_init`` hook, listen, ``setWebhook``, start the application, wait for SIGINT/SIGTERM,
then stop the receiver, stop the application, shut down and run ``post_shutdown`` — the
same hooks, in the same order, as ``run_webhook``.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Sequence
from dataclasses import dataclass

from bot.telegram.ptb import App
from bot.telegram.webhook import WebhookServer

logger = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass(frozen=True, slots=True)
class WebhookRegistration:
    """What ``setWebhook`` is told."""

    url: str
    secret: str
    allowed_updates: Sequence[str]


def run_webhook(app: App, server: WebhookServer, registration: WebhookRegistration) -> None:
    """Serve until SIGINT/SIGTERM.  ``getMe``/``setWebhook`` failures raise TelegramError."""
    asyncio.run(_serve(app, server, registration))


async def _serve(app: App, server: WebhookServer, registration: WebhookRegistration) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    try:
        await app.initialize()
        try:
            if app.post_init is not None:
                await app.post_init(app)
            await server.start(app)
            await app.bot.set_webhook(
                url=registration.url,
                secret_token=registration.secret,
                allowed_updates=list(registration.allowed_updates),
            )
            await app.start()
            logger.info("webhook set; receiving updates")
            await stop.wait()
            logger.info("stop signal received; shutting down")
        finally:
            await server.stop()
            if app.running:
                await app.stop()
                if app.post_stop is not None:
                    await app.post_stop(app)
            await app.shutdown()
            if app.post_shutdown is not None:
                await app.post_shutdown(app)
    finally:
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)
