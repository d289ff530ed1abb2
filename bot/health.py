"""``/healthz`` and ``/metrics`` on 127.0.0.1 for Docker HEALTHCHECK, systemd and Prometheus.

A minimal HTTP/1.1 server on asyncio streams: two GET routes, no request bodies, loopback
only — nothing here is meant to face the internet.  ``/healthz`` answers 200 with the content
version and uptime while the bot's update source is really delivering — for long polling, a
successful ``getUpdates`` within the staleness threshold, not merely a polling task that exists
— and 503 otherwise; the source's own figures (seconds since the last fetch, the threshold) are
in the body so an operator can see why.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.metrics import Metrics

logger = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 8192
REQUEST_TIMEOUT_S = 5.0


@dataclass
class HealthState:
    """What the endpoint reports; the front end keeps ``alive``, ``version`` and ``details``
    current (``details``: extra fields of the update source, e.g. seconds since the last
    successful ``getUpdates``)."""

    alive: Callable[[], bool]
    version: Callable[[], str]
    metrics: Metrics
    started: float = 0.0
    details: Callable[[], dict[str, Any]] = field(default=dict)

    def __post_init__(self) -> None:
        self.started = self.started or time.monotonic()


class HealthServer:
    def __init__(self, state: HealthState, port: int, host: str = "127.0.0.1") -> None:
        self.state = state
        self.host = host
        self.port = port
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, self.host, self.port)
        sockets = self._server.sockets or ()
        if sockets:
            self.port = sockets[0].getsockname()[1]
        logger.info("health endpoint on http://%s:%d/healthz", self.host, self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), REQUEST_TIMEOUT_S)
            status, content_type, body = self.respond(head[:MAX_REQUEST_BYTES])
        except (
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            TimeoutError,
            ConnectionError,
        ):
            status, content_type, body = 400, "text/plain", b"bad request\n"
        try:
            writer.write(
                f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
                "Connection: close\r\n\r\n".encode()
                + body
            )
            await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    def respond(self, head: bytes) -> tuple[int, str, bytes]:
        line = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = line.split()
        if len(parts) < 2 or parts[0] not in ("GET", "HEAD"):
            return 405, "text/plain", b"method not allowed\n"
        path = parts[1].split("?", 1)[0]
        if path == "/healthz":
            alive = self.state.alive()
            payload = {
                "status": "ok" if alive else "unavailable",
                "version": self.state.version(),
                "uptime_s": round(time.monotonic() - self.state.started, 1),
                **self.state.details(),
            }
            return (200 if alive else 503), "application/json", json.dumps(payload).encode()
        if path == "/metrics":
            uptime = time.monotonic() - self.state.started
            text = self.state.metrics.render([("uptime_seconds", "Seconds since start", uptime)])
            return 200, "text/plain; version=0.0.4", text.encode()
        return 404, "text/plain", b"not found\n"


_REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    503: "Service Unavailable",
}
