"""Run a built ``Application`` the way ``newsbot run`` does in long-polling mode, for tests.

``async with app`` only initialises; ``run_polling`` would own the event loop.  Tests need the
steps in between: ``post_init`` (menus, features' start hooks), start, poll the fake Bot API,
and on the way out stop polling, stop, then ``post_shutdown`` (features' stop hooks).

Also the readiness waits every test uses before talking to a server it started (a webhook
receiver, a health endpoint): poll a condition with a deadline, never sleep a fixed time.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bot.telegram.ptb import App


@asynccontextmanager
async def polling(app: App, *, timeout: int = 5) -> AsyncIterator[App]:
    async with app:
        assert app.post_init is not None and app.post_shutdown is not None
        await app.post_init(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=timeout, poll_interval=0)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()
            await app.post_shutdown(app)


# --- readiness: wait on a condition with a deadline, never a fixed sleep ----------------------


async def wait_for_port(port: int, timeout: float = 30, host: str = "127.0.0.1") -> None:
    """Until something accepts TCP connections on ``port`` (a server the test started)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            _, writer = await asyncio.open_connection(host, port)
        except OSError:
            if time.monotonic() > deadline:
                raise AssertionError(f"nothing on {host}:{port} after {timeout}s") from None
            await asyncio.sleep(0.02)
            continue
        writer.close()
        await writer.wait_closed()
        return


def get_health(port: int, path: str = "/healthz") -> tuple[int, dict[str, Any]]:
    """``/healthz`` of a running bot: status and JSON body (503 included)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as reply:
            return int(reply.status), json.loads(reply.read())
    except urllib.error.HTTPError as exc:
        return int(exc.code), json.loads(exc.read())


async def wait_for_health(port: int, status: int, timeout: float = 30) -> dict[str, Any]:
    """Until ``/healthz`` answers ``status``; its body."""
    await wait_for_port(port, timeout)
    deadline = time.monotonic() + timeout
    while True:
        got, body = await asyncio.to_thread(get_health, port)
        if got == status:
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"/healthz still {got} {body} after {timeout}s, not {status}")
        await asyncio.sleep(0.05)
