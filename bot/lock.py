"""One running bot per database.

Telegram allows one poller per token, and two instances on one database are the classic
cause of duplicate digests.  ``newsbot run`` holds an exclusive ``flock`` on
``<db>.lock``; the kernel releases it when the process dies, even after ``kill -9``, so a
crash never leaves a stale lock behind.

The lock file sits next to the database, so a directory the bot cannot write is found here
first; that is reported as :class:`LockError` naming the path and the fix, never as a raw
``PermissionError`` traceback.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from bot.errors import NewsbotError


class LockError(NewsbotError):
    """The instance lock cannot be taken (see the message for why and what to do)."""


class AlreadyRunning(LockError):
    """Another process holds the lock."""


class LockUnwritableError(LockError):
    """The lock file next to the database cannot be created or written."""

    def __init__(self, path: Path, error: OSError) -> None:
        self.path = path
        reason = error.strerror or type(error).__name__
        super().__init__(
            f"cannot create the lock file {path} ({reason}); make {path.parent} writable "
            "by the user running newsbot (the database and its -wal/-shm files live there "
            "too), or point --db / NEWSBOT_DB at a writable directory"
        )


class InstanceLock:
    def __init__(self, db: Path) -> None:
        self.path = db.with_name(db.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise :class:`AlreadyRunning` / :class:`LockUnwritableError`."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise LockUnwritableError(self.path, exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise AlreadyRunning(
                f"another newsbot (pid {holder}) is already running on {self.path.with_suffix('')}"
                "; stop it first — two bots on one database send duplicate digests"
            ) from None
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            os.fsync(fd)
        except OSError as exc:  # a full disk, say: the pid is only informative, but say so
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
            raise LockUnwritableError(self.path, exc) from None
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
