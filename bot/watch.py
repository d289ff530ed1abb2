"""``newsbot run --watch``: reload when files under seeds/ or intents/ change, debounced.

Why polling: it needs nothing beyond the standard library, works on every platform and file
system (including network and container mounts where inotify events never arrive), and costs
one ``stat`` per file per interval — a few hundred microseconds for a normal seeds directory.

Why debounced: editors save in bursts (an editor writes a temporary file and renames it; a
``git pull`` or ``rsync`` touches many files; someone saves a page and then its sidecar).
A reload halfway through would fail on a half-written pair, or run twice.  So a change starts a
quiet period; every further change restarts it; only when nothing changed for ``debounce``
seconds does one reload run.

A file's identity is (mtime, size, inode): an atomic replace changes the inode even when size
and a coarse mtime stay the same.  Hidden files (editors' swap files, our own temporary files,
``seeds/.trash``) and other suffixes are ignored.  Nothing here imports ``telegram``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from typing import Final

logger = logging.getLogger(__name__)

WATCHED_SUFFIXES: Final = frozenset({".txt", ".md", ".yaml", ".yml"})
DEBOUNCE_SECONDS: Final = 1.0
POLL_SECONDS: Final = 0.25

FileState = tuple[int, int, int]  # mtime_ns, size, inode
Snapshot = Mapping[str, FileState]
Scan = Callable[[], Snapshot]
Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


def scan_directories(directories: Iterable[Path]) -> Scan:
    """A scan of the watched files directly inside ``directories`` (missing ones are empty)."""
    folders = tuple(directories)

    def scan() -> Snapshot:
        found: dict[str, FileState] = {}
        for folder in folders:
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for entry in entries:
                if entry.name.startswith(".") or Path(entry.name).suffix not in WATCHED_SUFFIXES:
                    continue
                try:
                    if not entry.is_file():
                        continue
                    info = entry.stat()
                except OSError:  # deleted between listing and stat: the next scan sees it
                    continue
                found[entry.path] = (info.st_mtime_ns, info.st_size, info.st_ino)
        return found

    return scan


class Watcher:
    """Calls ``on_change`` once per burst of changes, after ``debounce`` quiet seconds.

    Drive it with :meth:`run` (forever) or step it with :meth:`poll` (tests inject ``scan``
    and ``clock``).  :meth:`resync` makes the current files the baseline without a reload:
    the reloader calls it right before every build, whoever asked for that reload.
    """

    def __init__(
        self,
        scan: Scan,
        on_change: Callable[[], Awaitable[object]],
        *,
        debounce: float = DEBOUNCE_SECONDS,
        interval: float = POLL_SECONDS,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if debounce < 0 or interval <= 0:
            raise ValueError("debounce must be >= 0 and interval > 0")
        self._scan = scan
        self._on_change = on_change
        self.debounce = debounce
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._baseline: Snapshot | None = None  # what the served content was built from
        self._last: Snapshot | None = None  # what the previous poll saw
        self._changed_at: float | None = None  # when the current burst last changed
        self.reloads = 0

    @property
    def pending(self) -> bool:
        """A change was seen and is waiting for the quiet period to end."""
        return self._changed_at is not None

    async def resync(self) -> None:
        """Take the files as they are now as the baseline; forget a pending change."""
        snapshot = await asyncio.to_thread(self._scan)
        self._baseline = self._last = snapshot
        self._changed_at = None

    async def poll(self) -> bool:
        """One step: scan, note a change, and reload if the burst is over; True if it did."""
        snapshot = await asyncio.to_thread(self._scan)
        now = self._clock()
        if self._baseline is None:
            self._baseline = self._last = snapshot
            return False
        if snapshot != self._last:
            self._last = snapshot
            self._changed_at = now
            logger.debug("change seen under the watched directories; waiting for quiet")
        if self._changed_at is None or now - self._changed_at < self.debounce:
            return False
        self._changed_at = None
        if snapshot == self._baseline:  # changed and changed back: nothing to reload
            return False
        self._baseline = snapshot
        self.reloads += 1
        logger.info("files changed under the watched directories: reloading")
        try:
            await self._on_change()
        except Exception:
            logger.exception("reload after a file change failed")
        return True

    async def run(self) -> None:
        """Poll until cancelled."""
        logger.info("watching for changes (debounce %.1fs)", self.debounce)
        while True:
            try:
                await self.poll()
            except Exception:  # a scan that failed in an unexpected way: try again later
                logger.exception("watching failed; retrying")
            await self._sleep(self.interval)
