"""Run a built ``Application`` the way ``newsbot run`` does in long-polling mode, for tests.

``async with app`` only initialises; ``run_polling`` would own the event loop.  Tests need the
steps in between: ``post_init`` (menus, features' start hooks), start, poll the fake Bot API,
and on the way out stop polling, stop, then ``post_shutdown`` (features' stop hooks).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

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
