"""Opening the database when something is wrong with the file or its directory.

A 0-byte file is refused unless the operator asks for a fresh database (``--init-db`` /
``NEWSBOT_INIT_DB=1``); a directory the bot cannot write gives one line naming the path and
the fix, from the library as a typed error and from the CLI as exit status 2, never a
traceback.  The CLI runs as a real subprocess (``python -m bot``) on real files.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests_paths import ROOT

from bot.errors import NewsbotError
from bot.lock import InstanceLock, LockError, LockUnwritableError
from bot.store import SCHEMA_VERSION, EmptyDatabaseError, Store, StoreError, StoreUnwritableError


def newsbot(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_INIT")}
    environment.pop("TELEGRAM_BOT_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        text=True,
        capture_output=True,
        cwd=ROOT,
        env={**environment, **(env or {})},
        timeout=120,
        check=False,
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# -- the empty file --------------------------------------------------------------------------


def test_an_empty_database_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "newsbot.sqlite3"
    path.touch()
    with pytest.raises(EmptyDatabaseError) as caught:
        Store(path)
    assert caught.value.path == path
    assert str(path) in str(caught.value) and "--init-db" in str(caught.value)
    assert isinstance(caught.value, StoreError) and isinstance(caught.value, NewsbotError)
    assert path.stat().st_size == 0  # nothing written: a restore can still happen
    assert sorted(p.name for p in tmp_path.iterdir()) == ["newsbot.sqlite3"]


def test_an_empty_file_is_initialised_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "newsbot.sqlite3"
    path.touch()
    with Store(path, allow_empty=True) as store:
        assert store.info().schema_version == SCHEMA_VERSION
        store.upsert_chat(1, "private")
    with Store(path) as store:  # no longer empty: opens without the flag, data intact
        assert store.get_chat(1) is not None


def test_allow_empty_never_touches_a_database_with_data(tmp_path: Path) -> None:
    path = tmp_path / "newsbot.sqlite3"
    with Store(path) as store:
        store.upsert_chat(7, "group", "Readers")
    with Store(path, allow_empty=True) as store:
        chat = store.get_chat(7)
        assert chat is not None and chat.title == "Readers"


def test_a_missing_file_is_still_created_without_the_flag(tmp_path: Path) -> None:
    path = tmp_path / "var" / "newsbot.sqlite3"
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
    assert path.stat().st_size > 0


def test_cli_refuses_an_empty_database_unless_told(tmp_path: Path) -> None:
    path = tmp_path / "newsbot.sqlite3"
    path.touch()
    line = one_line_error(newsbot("audit", "--db", str(path)))
    assert line.startswith("newsbot: the database file ")
    assert str(path) in line and "0 bytes" in line and "--init-db" in line
    assert path.stat().st_size == 0

    assert newsbot("audit", "--db", str(path), env={"NEWSBOT_INIT_DB": "maybe"}).returncode == 2
    flagged = newsbot("audit", "--init-db", "--db", str(path))
    assert flagged.returncode == 0, flagged.stderr
    assert "(no admin actions recorded)" in flagged.stdout
    assert path.stat().st_size > 0

    other = tmp_path / "other.sqlite3"
    other.touch()
    by_env = newsbot("audit", "--db", str(other), env={"NEWSBOT_INIT_DB": "1"})
    assert by_env.returncode == 0, by_env.stderr
    assert other.stat().st_size > 0


def test_run_refuses_an_empty_database_before_talking_to_telegram(
    tmp_path: Path, cache_dir: Path
) -> None:
    path = tmp_path / "newsbot.sqlite3"
    path.touch()
    env = {"TELEGRAM_BOT_TOKEN": "123:test", "NEWSBOT_CACHE": str(cache_dir)}
    result = newsbot("run", "--log-level", "WARNING", "--db", str(path), env=env)
    line = one_line_error(result)
    assert line.startswith("newsbot run: the database file ") and "--init-db" in line
    assert path.stat().st_size == 0


# -- the read-only directory -----------------------------------------------------------------


def test_lock_in_a_read_only_directory_is_a_clear_typed_error(read_only_dir: Path) -> None:
    db = read_only_dir / "newsbot.sqlite3"
    with pytest.raises(LockUnwritableError) as caught:
        InstanceLock(db).acquire()
    message = str(caught.value)
    assert isinstance(caught.value, LockError) and isinstance(caught.value, NewsbotError)
    assert caught.value.path == read_only_dir / "newsbot.sqlite3.lock"
    assert str(caught.value.path) in message and "writable" in message
    assert "\n" not in message


def test_lock_under_a_file_is_a_clear_typed_error(tmp_path: Path) -> None:
    blocker = tmp_path / "var"
    blocker.write_text("not a directory")
    with pytest.raises(LockUnwritableError, match=r"cannot create the lock file .*var/db\.lock"):
        InstanceLock(blocker / "db").acquire()


def test_store_in_a_read_only_directory_is_a_clear_typed_error(read_only_dir: Path) -> None:
    db = read_only_dir / "newsbot.sqlite3"
    with pytest.raises(StoreUnwritableError) as caught:
        Store(db)
    assert caught.value.path == db
    assert str(db) in str(caught.value) and "NEWSBOT_DB" in str(caught.value)
    assert not db.exists()


def test_run_in_a_read_only_directory_exits_2_with_one_line(read_only_dir: Path) -> None:
    db = read_only_dir / "newsbot.sqlite3"
    result = newsbot("run", "--db", str(db), env={"TELEGRAM_BOT_TOKEN": "123:test"})
    line = one_line_error(result)
    assert line.startswith("newsbot: cannot create the lock file ")
    assert f"{db}.lock" in line and "NEWSBOT_DB" in line


def test_audit_in_a_read_only_directory_exits_2_with_one_line(read_only_dir: Path) -> None:
    db = read_only_dir / "newsbot.sqlite3"
    line = one_line_error(newsbot("audit", "--db", str(db)))
    assert line.startswith("newsbot: cannot write the database ") and str(db) in line
