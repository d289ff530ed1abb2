"""The webhook receiver (``bot/telegram/webhook.py``) on a real socket, with the application
``newsbot run`` builds: every refusal is decided on the request head, before a body is read.

The end-to-end checks (``newsbot run --webhook-url`` against the fake Bot API) are in
tests/test_security.py and tests/test_telegram_run.py.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from reliability_support import make_settings
from tests_paths import INTENTS, SEEDS

from bot.service import NewsService
from bot.telegram.app import build_application
from bot.telegram.webhook import MAX_HEAD_BYTES, WebhookOptions, WebhookServer

SECRET = "s3cret-Token_1"
UPDATE = {
    "update_id": 41,
    "message": {"message_id": 1, "date": 1, "chat": {"id": 7, "type": "private"}, "text": "hi"},
}


@pytest.fixture
async def receiver(tmp_path: Path, cache_dir: Path) -> AsyncIterator[WebhookServer]:
    from fakebotapi import FakeBotAPI

    service = NewsService(SEEDS, INTENTS, cache_dir)
    service.load()
    with FakeBotAPI() as fake:
        app = build_application(make_settings(fake, tmp_path, cache_dir), service)
        server = WebhookServer(WebhookOptions("127.0.0.1", 0, "/hook", SECRET))
        await server.start(app)
        try:
            yield server
        finally:
            await server.stop()


async def exchange(port: int, raw: bytes, *, half_close: bool = False) -> str:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(raw)
    await writer.drain()
    if half_close:
        writer.write_eof()
    answer = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    await writer.wait_closed()
    return answer.decode("latin-1").split("\r\n", 1)[0]


def request(
    body: bytes = b"",
    *,
    method: str = "POST",
    path: str = "/hook",
    secret: str | None = SECRET,
    length: int | None = None,
    extra: str = "",
    content_type: str = "application/json",
) -> bytes:
    head = [f"{method} {path} HTTP/1.1", "Host: bot", f"Content-Type: {content_type}"]
    if secret is not None:
        head.append(f"X-Telegram-Bot-Api-Secret-Token: {secret}")
    if length is not None:
        head.append(f"Content-Length: {length}")
    if extra:
        head.append(extra)
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def test_refusals_are_decided_on_the_head(receiver: WebhookServer) -> None:
    port = receiver.port
    cases = {
        "405": request(method="GET", length=0),
        "404": request(path="/other", length=2),
        "403": request(secret=None, length=50_000_000),
        "403 ": request(secret=SECRET.lower(), length=50_000_000),
        "411": request(extra="Transfer-Encoding: chunked"),
        "411 ": request(),  # no length
        "413": request(length=50_000_000),
        "415": request(length=2, content_type="text/plain"),
        "431": request(extra="X-Padding: " + "a" * MAX_HEAD_BYTES, length=2),
    }
    for expected, raw in cases.items():
        status = await exchange(port, raw)
        assert status.startswith(f"HTTP/1.1 {expected.strip()} "), (expected, status)
    assert receiver.refused == len(cases) and receiver.received == 0
    assert receiver.healthy() and receiver.report()["refused"] == len(cases)


async def test_a_short_body_is_refused_and_a_good_update_is_queued(
    receiver: WebhookServer,
) -> None:
    assert receiver._app is not None
    queue = receiver._app.update_queue
    status = await exchange(receiver.port, request(b"{", length=100), half_close=True)
    assert status.startswith("HTTP/1.1 400 ")
    assert queue.empty()
    body = json.dumps(UPDATE).encode()
    status = await exchange(receiver.port, request(body, length=len(body)))
    assert status.startswith("HTTP/1.1 200 ")
    update = queue.get_nowait()
    assert update.update_id == 41 and update.message.text == "hi"
    assert receiver.received == 1
