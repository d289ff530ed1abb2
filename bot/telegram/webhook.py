"""The webhook receiver of ``newsbot run --webhook-url``: refuse before reading, log no text.

Why not PTB's tornado server: it reads a request body of up to 100 MB before it looks at the
secret header, it logs a whole update (user text included) at CRITICAL when one fails to parse,
and ``run_webhook`` calls ``setWebhook`` before the server listens (Telegram's first delivery can
arrive at a closed port).  This receiver is a small HTTP/1.1 server on asyncio streams that, in
order: reads the request head (at most :data:`MAX_HEAD_BYTES`); refuses a wrong method or path;
refuses a missing or wrong ``X-Telegram-Bot-Api-Secret-Token`` with 403 (compared in constant
time) — the body is never read; refuses a body without a length or longer than
:data:`MAX_BODY_BYTES` with 411/413, unread; then reads exactly that many bytes within a
deadline, parses the update and queues it.  An update that cannot be parsed is answered 400 and
logged as one short line: its id, size and the error type, never its content.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import ExtBot

from bot.telegram.ptb import App

logger = logging.getLogger(__name__)

#: Request line and headers; Telegram's are a few hundred bytes.
MAX_HEAD_BYTES = 16 * 1024
#: An update is a few kilobytes (a 4,096-character message with entities and a reply); 1 MiB
#: leaves room for any real one and keeps a stranger from making the bot buffer 100 MB.
MAX_BODY_BYTES = 1024 * 1024
#: Time for the head, then for the body, to arrive.
READ_TIMEOUT_S = 10.0
SECRET_HEADER = "x-telegram-bot-api-secret-token"
#: After a refusal, what is still arriving of an unread body is discarded for at most this long
#: and this much before the socket is closed (see ``_linger``).
LINGER_S = 1.0
LINGER_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class WebhookOptions:
    """Where the receiver listens and what it accepts (``--listen``, ``--port``, the path of
    ``--webhook-url``, ``--secret-token``)."""

    listen: str
    port: int
    path: str
    secret: str
    max_body: int = MAX_BODY_BYTES


class _Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class WebhookServer:
    """Receives Telegram's POSTs and puts the updates on the application's queue."""

    def __init__(self, options: WebhookOptions) -> None:
        self.options = options
        self.path = "/" + options.path.strip("/")
        self.port = options.port
        self._server: asyncio.Server | None = None
        self._app: App | None = None
        self.received = 0
        self.refused = 0

    @property
    def listening(self) -> bool:
        return self._server is not None and self._server.is_serving()

    async def start(self, app: App) -> None:
        """Listen (before ``setWebhook`` is called, so the first delivery finds the port open)."""
        self._app = app
        self._server = await asyncio.start_server(
            self._handle, self.options.listen, self.options.port, limit=MAX_HEAD_BYTES
        )
        sockets = self._server.sockets or ()
        if sockets:
            self.port = int(sockets[0].getsockname()[1])
        logger.info("webhook receiver on %s:%d%s", self.options.listen, self.port, self.path)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def healthy(self) -> bool:
        return self.listening

    def report(self) -> dict[str, Any]:
        return {"source": "webhook", "received": self.received, "refused": self.refused}

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            status, reason = await self._receive(reader)
        except _Refused as refusal:
            self.refused += 1
            status, reason = refusal.status, refusal.reason
        try:
            body = json.dumps({"ok": status == 200, "description": reason}).encode()
            writer.write(
                f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                + body
            )
            await writer.drain()
            await _linger(reader, writer)
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def _receive(self, reader: asyncio.StreamReader) -> tuple[int, str]:
        method, target, headers = await _read_head(reader)
        if method != "POST":
            raise _Refused(405, "Method Not Allowed")
        if target.split("?", 1)[0].rstrip("/") != self.path.rstrip("/"):
            raise _Refused(404, "Not Found")
        given = headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.options.secret.encode()):
            logger.debug("webhook request without the right secret token refused")
            raise _Refused(403, "Forbidden")
        length = _content_length(headers, self.options.max_body)
        if headers.get("content-type", "").split(";", 1)[0].strip().lower() != "application/json":
            raise _Refused(415, "Unsupported Media Type")
        try:
            body = await asyncio.wait_for(reader.readexactly(length), READ_TIMEOUT_S)
        except (asyncio.IncompleteReadError, TimeoutError) as exc:
            raise _Refused(400, "Bad Request") from exc
        await self._deliver(body)
        return 200, "OK"

    async def _deliver(self, body: bytes) -> None:
        app = self._app
        if app is None:
            raise _Refused(503, "Service Unavailable")
        try:
            data = json.loads(body)
            update = Update.de_json(data, app.bot)
        except Exception as exc:  # anything de_json can raise on a malformed update
            logger.warning(
                "webhook update %s could not be parsed (%d bytes, %s); answered 400",
                _update_id(body),
                len(body),
                type(exc).__name__,
            )
            raise _Refused(400, "Bad Request") from None
        if update is None:
            raise _Refused(400, "Bad Request")
        if isinstance(app.bot, ExtBot):
            app.bot.insert_callback_data(update)
        self.received += 1
        await app.update_queue.put(update)


async def _linger(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Half-close, then discard a little of what the client still sends before closing.

    Why: closing a socket with unread data makes the kernel send a reset, which can destroy
    the answer (the 403 or 413) before the client has read it.  Bounded in time and bytes, so
    a client that keeps sending its 100 MB gets its reset soon enough.
    """
    if writer.can_write_eof():
        writer.write_eof()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + LINGER_S
    discarded = 0
    while discarded < LINGER_BYTES:
        remaining = deadline - loop.time()
        if remaining <= 0:
            return
        try:
            chunk = await asyncio.wait_for(reader.read(16 * 1024), remaining)
        except TimeoutError:
            return
        if not chunk:
            return
        discarded += len(chunk)


async def _read_head(reader: asyncio.StreamReader) -> tuple[str, str, dict[str, str]]:
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), READ_TIMEOUT_S)
    except asyncio.LimitOverrunError as exc:
        raise _Refused(431, "Request Header Fields Too Large") from exc
    except (asyncio.IncompleteReadError, TimeoutError, ConnectionError) as exc:
        raise _Refused(400, "Bad Request") from exc
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split()
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise _Refused(400, "Bad Request")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if colon:
            headers[name.strip().lower()] = value.strip()
    return parts[0], parts[1], headers


def _content_length(headers: dict[str, str], limit: int) -> int:
    if "transfer-encoding" in headers:  # Telegram sends a length; chunked bodies are refused
        raise _Refused(411, "Length Required")
    raw = headers.get("content-length", "")
    if not raw.isdigit():
        raise _Refused(411, "Length Required")
    length = int(raw)
    if length > limit:
        logger.info("webhook request of %d bytes refused unread (limit %d)", length, limit)
        raise _Refused(413, "Payload Too Large")
    return length


def _update_id(body: bytes) -> str:
    """The update's id for the log line, if one can be seen without logging anything else."""
    try:
        value = json.loads(body).get("update_id")
    except (ValueError, AttributeError, RecursionError):
        return "?"
    return str(value) if isinstance(value, int) else "?"
