"""``newsbot run --health-port N``: the health endpoint as a feature of the running bot.

Alive means updates really arrive: the application runs and its update source says it is
healthy — long polling (:class:`bot.telegram.polling.FetchWatch`) when a ``getUpdates``
succeeded within the staleness threshold, webhook mode while the webhook server listens.  A
polling loop that PTB ended after a 401 used to count as alive for as long as the process lived.
The reported version is the content snapshot currently served, so a deploy check can see that a
reload took effect.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from bot.health import HealthServer, HealthState
from bot.service import NewsService
from bot.telegram.app import fetch_watch
from bot.telegram.features import Feature
from bot.telegram.ptb import App

logger = logging.getLogger(__name__)


class UpdateSource(Protocol):
    """Where updates come from, as the health endpoint sees it."""

    def healthy(self) -> bool: ...

    def report(self) -> dict[str, Any]: ...


def health_feature(port: int, service: NewsService, source: UpdateSource | None = None) -> Feature:
    """``source`` defaults to the application's polling watch."""
    holder: dict[str, HealthServer] = {}

    async def start(app: App) -> None:
        src: UpdateSource = source if source is not None else fetch_watch(app)

        def alive() -> bool:
            return bool(app.running and src.healthy())

        server = HealthServer(
            HealthState(
                alive, lambda: service.knowledge.version, service.metrics, details=src.report
            ),
            port,
        )
        await server.start()
        holder["server"] = server

    async def stop(app: App) -> None:
        server = holder.pop("server", None)
        if server is not None:
            await server.stop()

    return Feature(name="health", on_start=start, on_stop=stop)
