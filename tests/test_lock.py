"""A second bot on the same database refuses to start; a crash leaves no stale lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.lock import AlreadyRunning, InstanceLock

HOLD = """
import sys, time
from pathlib import Path
from bot.lock import InstanceLock
lock = InstanceLock(Path(sys.argv[1]))
lock.acquire()
print("locked", flush=True)
time.sleep(60)
"""


def test_second_instance_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "var" / "newsbot.sqlite3"
    with InstanceLock(db):
        with pytest.raises(AlreadyRunning) as caught:
            InstanceLock(db).acquire()
        assert str(os.getpid()) in str(caught.value)
        assert "already running" in str(caught.value)
    with InstanceLock(db):  # released on exit
        pass


def test_lock_is_released_when_the_holder_is_killed(tmp_path: Path) -> None:
    db = tmp_path / "newsbot.sqlite3"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(AlreadyRunning):
            InstanceLock(db).acquire()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        if holder.stdout is not None:
            holder.stdout.close()
    deadline = time.monotonic() + 5
    while True:  # the kernel drops the lock with the process
        try:
            with InstanceLock(db):
                break
        except AlreadyRunning:
            assert time.monotonic() < deadline
