"""One reload path for every trigger: ``/reload``, an upload or removal, SIGHUP, ``--watch``.

Why one object: whoever asks, a reload must do the same things in the same order — build off
the event loop (the service does that and keeps serving the old snapshot meanwhile), keep the
old snapshot on any error, and audit the result.  Who hears about new or changed articles is
not this module's business: the service tells its content listeners (registered by the
Telegram wiring), whichever path reloaded.  Reloads and page edits are serialised by one lock,
so an upload's check, write and reload are never interleaved with another reload (the content
parser and the tokenizer are not safe to run twice at once), and every reload sees the files
as the previous one left them.

``before`` hooks run under the lock just before a build reads the files; the file watcher uses
that to take its baseline, so a change made by an upload does not trigger a second reload.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.admin.audit import FAILED, OK, Auditor
from bot.errors import InputError, Problem
from bot.knowledge.diff import KnowledgeDiff
from bot.service import NewsService

logger = logging.getLogger(__name__)

BeforeHook = Callable[[], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class ReloadOutcome:
    """What a reload did.  ``diff`` is set on success; otherwise ``problems`` (bad files, each
    ``file:line: message``) or ``error`` (anything else) says why the old content stayed."""

    source: str
    diff: KnowledgeDiff | None
    problems: tuple[Problem, ...] = ()
    error: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.diff is not None

    def summary(self) -> str:
        """One line for the audit table and the log (no file contents, no user text)."""
        if self.diff is not None:
            d = self.diff
            return (
                f"+{len(d.added)} ~{len(d.changed)} -{len(d.removed)} articles, "
                f"facts {d.facts[1]}, intents {d.intents[1]}, topics {d.topics[1]}, "
                f"{self.seconds:.2f}s"
            )
        if self.problems:
            more = len(self.problems) - 1
            return str(self.problems[0]) + (f" (+{more} more)" if more else "")
        return self.error or "failed"

    @property
    def result(self) -> str:
        return OK if self.ok else f"{FAILED}: {self.summary()}"


class Reloader:
    """Reloads ``service`` on request; see the module docstring."""

    def __init__(self, service: NewsService, auditor: Auditor) -> None:
        self.service = service
        self.auditor = auditor
        self._before: list[BeforeHook] = []
        self._lock = asyncio.Lock()

    def add_before(self, hook: BeforeHook) -> None:
        self._before.append(hook)

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    async def reload(
        self, *, user_id: int, source: str, detail: str = "", audit: bool = True
    ) -> ReloadOutcome:
        """Rebuild and swap; never raises for bad content (see :class:`ReloadOutcome`).

        ``source`` (``/reload``, ``sighup``, ``watch``, ``upload``…) is logged and audited;
        ``detail`` (e.g. an uploaded file's name) goes to the audit table only, not the log.
        """
        async with self._lock:
            return await self._reload(user_id=user_id, source=source, detail=detail, audit=audit)

    @asynccontextmanager
    async def exclusive(self) -> AsyncIterator[Session]:
        """Hold the reload lock for a sequence of steps (check, write, reload)."""
        async with self._lock:
            yield Session(self)

    async def _reload(
        self, *, user_id: int, source: str, detail: str, audit: bool
    ) -> ReloadOutcome:
        for hook in self._before:
            try:
                await hook()
            except Exception:
                logger.exception("a before-reload hook failed (reloading anyway)")
        started = time.perf_counter()
        try:
            diff = await self.service.reload()
        except InputError as exc:
            outcome = ReloadOutcome(
                source, None, exc.problems, seconds=time.perf_counter() - started
            )
        except Exception as exc:  # a bug or the disk: the old snapshot must keep serving
            logger.exception("reload (%s) failed", source)
            outcome = ReloadOutcome(
                source,
                None,
                error=f"{type(exc).__name__}: {exc}",
                seconds=time.perf_counter() - started,
            )
        else:
            outcome = ReloadOutcome(source, diff, seconds=time.perf_counter() - started)
        if outcome.ok:
            logger.info("reload (%s): %s", source, outcome.summary())
        else:
            logger.warning(
                "reload (%s) failed, still serving the previous content: %d problem(s)",
                source,
                len(outcome.problems),
            )
        if audit:
            await self.auditor.record(
                user_id, "reload", f"{source} {detail}".strip(), outcome.result
            )
        return outcome


class Session:
    """Steps taken while holding the reload lock (see :meth:`Reloader.exclusive`)."""

    def __init__(self, reloader: Reloader) -> None:
        self._reloader = reloader

    async def reload(
        self, *, user_id: int, source: str, detail: str = "", audit: bool = True
    ) -> ReloadOutcome:
        return await self._reloader._reload(
            user_id=user_id, source=source, detail=detail, audit=audit
        )
