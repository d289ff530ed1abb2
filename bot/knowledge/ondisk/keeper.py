"""When a builder opens the stored snapshot and when it writes one.

A start opens ``cache_dir/snapshot.sqlite`` when it was built from exactly these pages,
rules and code (its key); otherwise the builder builds, and the new snapshot is written for
the next start.  A reload after a build patches the snapshot in memory instead (faster than
any file), so only a builder that has not built yet opens the file.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.knowledge.ondisk.append import append_snapshot
from bot.knowledge.ondisk.read import open_snapshot
from bot.knowledge.ondisk.views import Rows
from bot.knowledge.ondisk.write import snapshot_key, write_snapshot
from bot.knowledge.snapshot import Knowledge
from bot.rules.model import Rules

if TYPE_CHECKING:
    from bot.knowledge.extend import Added

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SnapshotKeeper:
    seeds: Path
    directory: Path | None  # None: nothing is stored

    def key(self, rules: Rules) -> str | None:
        """The key of a stored snapshot of these inputs (None: none is kept)."""
        if self.directory is None:
            return None
        try:
            return snapshot_key(self.seeds, rules)
        except OSError:
            return None

    def open(self, rules: Rules, key: str | None) -> Knowledge | None:
        """The stored snapshot of exactly these inputs, or None."""
        if key is None or self.directory is None:
            return None
        started = time.perf_counter()
        knowledge = open_snapshot(self.directory, key, rules)
        if knowledge is not None:
            logger.info(
                "knowledge %s opened from its file in %.2fs: %d articles, %d sentences",
                knowledge.version,
                time.perf_counter() - started,
                len(knowledge.articles),
                knowledge.index.size,
            )
        return knowledge

    def keep(
        self,
        knowledge: Knowledge,
        rules: Rules,
        key: str | None,
        quoted: frozenset[str],
        background: bool = False,
    ) -> threading.Thread | None:
        """Write the snapshot for the next start; a failure costs only that start's time.
        The key is taken again: pages edited during the build must not be stored under the
        key of what they were before.  ``background``: in a thread (returned), one write at
        a time; the snapshot is immutable, so the bot may serve it meanwhile."""
        if key is None or self.directory is None or self.key(rules) != key:
            return None
        directory = self.directory
        if not background:
            _write(knowledge, directory, key, quoted)
            return None
        thread = threading.Thread(
            target=_write, args=(knowledge, directory, key, quoted), name="snapshot-writer"
        )
        thread.start()
        return thread

    def append(
        self, stored: Rows, added: Added, rules: Rules, key: str | None
    ) -> threading.Thread | None:
        """Write the snapshot with added pages for the next start, in the background: the
        stored file copied, the added rows written into the copy (``append_snapshot``)."""
        if key is None or self.directory is None:
            return None
        directory = self.directory

        def write() -> None:
            if self.key(rules) != key:  # pages edited meanwhile: not stored under this key
                return
            with _WRITING:
                try:
                    append_snapshot(stored, added, directory, key)
                except (OSError, sqlite3.Error) as exc:
                    logger.warning("snapshot not stored (%s): the next start builds again", exc)

        thread = threading.Thread(target=write, name="snapshot-writer")
        thread.start()
        return thread


def stored_quoted(stored: Rows) -> frozenset[str]:
    """The quoted phrases a stored snapshot's names were worked out with."""
    row = stored.one("meta_value", ("quoted",))
    return frozenset(json.loads(row[0])) if row else frozenset()


_WRITING = threading.Lock()  # one file written at a time: the last one renamed in wins


def _write(knowledge: Knowledge, directory: Path, key: str, quoted: frozenset[str]) -> None:
    with _WRITING:
        try:
            write_snapshot(knowledge, directory, key, quoted)
        except (OSError, sqlite3.Error) as exc:
            logger.warning("snapshot not stored (%s): the next start builds again", exc)
