"""``newsbot run --health-port N``: the health endpoint as a feature of the running bot.

Alive means the update source runs: the updater's polling loop or its webhook server.  The
reported version is the content snapshot currently served, so a deploy check can see that a
reload took effect.
"""

from __future__ import annotations

from bot.health import HealthServer, HealthState
from bot.service import NewsService
from bot.telegram.features import Feature
from bot.telegram.ptb import App


def health_feature(port: int, service: NewsService) -> Feature:
    holder: dict[str, HealthServer] = {}

    async def start(app: App) -> None:
        def alive() -> bool:
            return bool(app.running and app.updater is not None and app.updater.running)

        server = HealthServer(
            HealthState(alive, lambda: service.knowledge.version, service.metrics), port
        )
        await server.start()
        holder["server"] = server

    async def stop(app: App) -> None:
        server = holder.pop("server", None)
        if server is not None:
            await server.stop()

    return Feature(name="health", on_start=start, on_stop=stop)
