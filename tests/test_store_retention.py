"""Retention of the question log and admin audit: a privacy setting, applied at start and daily.

Real SQLite files throughout; time comes from injected clocks, so "a day later" is a clock
move, not a wait.  The wiring is checked twice: in-process through the real PTB
``Application`` (its start hook and its job, run by PTB's own ``Job.run``), and as a real
``newsbot run`` process configured by environment and by option.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakebotapi import FakeBotAPI
from polling_support import polling
from tests_paths import INTENTS, ROOT, SEEDS

from bot.cli import main
from bot.config import DEFAULT_RETENTION_DAYS, ConfigError, Settings
from bot.service import NewsService
from bot.store import AsyncStore, InvalidArgumentError, Pruned, Store
from bot.store.retention import PRUNE_EVERY, TICK, RetentionJob, RetentionPolicy
from bot.telegram.app import build_application
from bot.telegram.runner import store_feature

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def fill(path: Path, ages_days: list[float]) -> None:
    """One declined question, one answered question and one audit row at each age."""
    clock = Clock(NOW)
    with Store(path, clock=clock) as store:
        store.upsert_chat(1, "private")
        for age in ages_days:
            clock.now = NOW - timedelta(days=age)
            store.record_question(1, f"问题{age}", False, "ask_money", 0.1, 5.0)
            store.record_question(1, None, True, "ask_money", 0.9, 5.0)
            store.audit(42, "reload", f"age {age}", "ok")


def counts(path: Path) -> tuple[int, int, int]:
    """(declined questions with text, all questions, audit rows) left in the file."""
    conn = sqlite3.connect(path)
    try:
        declined = conn.execute("SELECT count(*) FROM questions WHERE question IS NOT NULL")
        questions = conn.execute("SELECT count(*) FROM questions")
        audit = conn.execute("SELECT count(*) FROM audit")
        return int(declined.fetchone()[0]), int(questions.fetchone()[0]), int(audit.fetchone()[0])
    finally:
        conn.close()


# -- the store ------------------------------------------------------------------------------


def test_prune_deletes_only_rows_older_than_the_cutoff(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    fill(db, [400, 91, 90, 89, 1])
    with Store(db) as store:
        assert store.prune(NOW - timedelta(days=90)) == Pruned(questions=4, audit=2)
        remaining = [q.question for q in store.unanswered(NOW - timedelta(days=1000), 50)]
        assert remaining == ["问题1", "问题89", "问题90"]  # the cutoff itself is kept
        assert [e.detail for e in store.audit_log()] == ["age 1", "age 89", "age 90"]
        assert store.prune(NOW - timedelta(days=90)).total == 0  # idempotent
        with pytest.raises(InvalidArgumentError):
            store.prune(datetime(2026, 1, 1))  # naive: refused like every other time


def test_policy_bounds_and_keep_forever() -> None:
    assert RetentionPolicy().days == DEFAULT_RETENTION_DAYS == 90
    assert RetentionPolicy(0).cutoff(NOW) is None
    assert RetentionPolicy(30).cutoff(NOW) == NOW - timedelta(days=30)
    for bad in (-1, 36_501, True):
        with pytest.raises(InvalidArgumentError):
            RetentionPolicy(bad)


async def test_job_prunes_at_start_then_once_a_day(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    fill(db, [100, 89.5])
    clock = Clock(NOW)
    async with AsyncStore(Store(db)) as store:
        job = RetentionJob(store, RetentionPolicy(90), clock)
        assert await job.run() == Pruned(questions=2, audit=1)  # the 100-day-old rows
        clock.now = NOW + timedelta(hours=23)  # the 89.5-day-old rows are past 90 days now…
        assert await job.run_if_due() is None  # …but a day has not passed since the last pass
        assert counts(db) == (1, 2, 1)
        clock.now = NOW + PRUNE_EVERY  # a day after the first pass: due
        assert await job.run_if_due() == Pruned(questions=2, audit=1)
        clock.now += PRUNE_EVERY - timedelta(seconds=1)
        assert await job.run_if_due() is None
    assert counts(db) == (0, 0, 0)


async def test_zero_days_keeps_everything(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    fill(db, [3650, 400, 1])
    async with AsyncStore(Store(db)) as store:
        job = RetentionJob(store, RetentionPolicy(0), Clock(NOW))
        assert await job.run() is None
        assert await job.run_if_due() is None
    assert counts(db) == (3, 6, 3)


# -- configuration ---------------------------------------------------------------------------


def test_settings_take_option_then_environment_then_default() -> None:
    assert Settings.load({}, {}).retention_days == 90
    assert Settings.load({}, {"NEWSBOT_RETENTION_DAYS": "30"}).retention_days == 30
    assert Settings.load({}, {"NEWSBOT_RETENTION_DAYS": "0"}).retention_days == 0
    env = {"NEWSBOT_RETENTION_DAYS": "30"}
    assert Settings.load({"retention_days": 7}, env).retention_days == 7
    assert Settings.load({"retention_days": 0}, env).retention_days == 0
    for bad in ("-1", "ninety", "1.5", "36501"):
        with pytest.raises(ConfigError, match="NEWSBOT_RETENTION_DAYS"):
            Settings.load({}, {"NEWSBOT_RETENTION_DAYS": bad})


def test_cli_refuses_a_negative_retention(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--retention-days", "-1"]) == 2
    err = capsys.readouterr().err
    assert "--retention-days" in err and "got '-1'" in err


# -- wired into the bot ----------------------------------------------------------------------


async def test_the_bot_prunes_on_start_and_its_job_prunes_a_day_later(
    tmp_path: Path, cache_dir: Path
) -> None:
    db = tmp_path / "bot.sqlite3"
    fill(db, [120, 60])
    service = NewsService(SEEDS, INTENTS, cache_dir)
    service.load()
    clock = Clock(NOW)
    with FakeBotAPI() as fake:
        settings = Settings(
            seeds=SEEDS,
            intents=INTENTS,
            db=db,
            cache_dir=cache_dir,
            api_url=fake.base_url,
            file_url=fake.base_file_url,
            token=fake.token,
            retention_days=90,
        )
        store = AsyncStore(Store(db))
        job = RetentionJob(store, RetentionPolicy(settings.retention_days), clock)
        app = build_application(
            settings, service, store=store, features=[store_feature(store, job)]
        )
        async with polling(app):
            assert counts(db) == (1, 2, 1)  # the start hook pruned the 120-day-old rows
            assert app.job_queue is not None
            (tick,) = app.job_queue.get_jobs_by_name("store-retention")
            assert tick.job.trigger.interval == TICK  # type: ignore[attr-defined]
            clock.now = NOW + timedelta(days=31)  # the 60-day-old rows are 91 days old now
            await tick.run(app)
            assert counts(db) == (0, 0, 0)
        assert fake.rejected() == []


async def run_bot(
    fake: FakeBotAPI, tmp_path: Path, cache_dir: Path, db: Path, env: dict[str, str], *args: str
) -> str:
    """``newsbot run`` until it polls, then SIGTERM; its stderr."""
    environment = {
        **{k: v for k, v in os.environ.items() if k != "NEWSBOT_RETENTION_DAYS"},
        "TELEGRAM_BOT_TOKEN": fake.token,
        "NEWSBOT_API_URL": fake.base_url,
        "NEWSBOT_DB": str(db),
        "NEWSBOT_CACHE": str(cache_dir),
        **env,
    }
    command = [sys.executable, "-m", "bot", "run", "--seeds", str(SEEDS), "--intents"]
    process = subprocess.Popen(
        [*command, str(INTENTS), *args],
        env=environment,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        await fake.wait_for_calls("getUpdates", timeout=60)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr[-3000:]
    return stderr


async def test_newsbot_run_applies_the_setting_from_env_and_option(
    tmp_path: Path, cache_dir: Path
) -> None:
    """Ages are measured from the wall clock here: the real process uses the real one."""
    db = tmp_path / "bot.sqlite3"
    now = datetime.now(UTC)
    clock = Clock(now)
    with Store(db, clock=clock) as store:
        store.upsert_chat(1, "private")
        for age in (200, 45, 5):
            clock.now = now - timedelta(days=age)
            store.record_question(1, f"问题{age}", False, "ask_money", 0.1, 5.0)
            store.audit(42, "reload", f"age {age}", "ok")
    with FakeBotAPI() as fake:
        stderr = await run_bot(fake, tmp_path, cache_dir, db, {"NEWSBOT_RETENTION_DAYS": "60"})
        assert "deleted 1 question and 1 audit rows" in stderr
        assert "问题" not in stderr  # the log says how many, never what
    assert counts(db) == (2, 2, 2)
    with FakeBotAPI() as fake:  # the option wins over the environment
        env = {"NEWSBOT_RETENTION_DAYS": "0"}
        await run_bot(fake, tmp_path, cache_dir, db, env, "--retention-days", "30")
    assert counts(db) == (1, 1, 1)
