"""SIGHUP before the bot is ready must not kill it.

Why: ``systemctl reload`` sends SIGHUP, and the default action of SIGHUP ends the process.  The
admin feature installs its reload handler only once the application has started, after the
content has loaded and the Bot API answered — seconds in which a reload (say, by a deploy
script right after ``systemctl start``) used to kill the bot.  :class:`StartupHangups` is
installed first thing in ``newsbot run``: it remembers a SIGHUP instead, and once the reload
handler is in place the remembered signal is sent again, so the reload it asked for happens.
It is put back after the reload handler is removed at shutdown, so a late SIGHUP is ignored
rather than fatal.  No telegram import: it runs before the heavy imports.
"""

from __future__ import annotations

import logging
import os
import signal
from types import FrameType

logger = logging.getLogger(__name__)


class StartupHangups:
    def __init__(self) -> None:
        self.pending = 0

    @property
    def supported(self) -> bool:
        return hasattr(signal, "SIGHUP")

    def install(self) -> None:
        """Catch SIGHUP (only remembered: nothing is safe to do inside a signal handler)."""
        if self.supported:
            signal.signal(signal.SIGHUP, self._note)

    def _note(self, signum: int, frame: FrameType | None) -> None:
        self.pending += 1

    def replay(self) -> None:
        """Send a SIGHUP that arrived during start-up again, to the handler now installed."""
        if self.pending and self.supported:
            logger.info("SIGHUP arrived during start-up: reloading now")
            self.pending = 0
            os.kill(os.getpid(), signal.SIGHUP)
