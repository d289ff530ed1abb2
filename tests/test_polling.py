"""Polling that never dies silently: ``newsbot run`` as a process against the strict fake Bot
API answering 401/404 to ``getUpdates`` for a while (what a self-hosted Bot API server or a proxy
does while it restarts), and :class:`FetchWatch` with an injected clock.

Before: PTB took the first 401/404 for an invalid token and ended polling for good ("Invalid
token. Aborting retry loop."), the process stayed up, questions were never answered and
``/healthz`` said ok.  Now the outage is ridden out with back-off, ``/healthz`` turns 503 while
no ``getUpdates`` succeeds, and past ``--api-outage-limit`` the process exits with status 1.

The tests print their figures as JSON lines (``POLLING-…``; run with ``-s``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import time
from pathlib import Path

import pytest
from fakebotapi import FakeBotAPI
from polling_support import wait_for_health
from reliability_support import ANSWER, QUESTION, free_port, logs, start_bot, stop_bot

from bot.cli import main
from bot.telegram.polling import FetchWatch, PollingLimits

FAST = ("--poll-timeout", "1", "--stale-after", "3")  # idle long polls answer every second


def getupdates_ok_after(fake: FakeBotAPI, moment: float) -> bool:
    return any(
        r.method == "getUpdates" and r.status == 200 and r.time > moment for r in fake.requests
    )


@pytest.mark.parametrize("kind", ["404", "401"])
async def test_an_outage_of_getupdates_is_ridden_out(
    kind: str, tmp_path: Path, cache_dir: Path
) -> None:
    """10 s of 404 (or 401) from getUpdates: a question asked meanwhile is answered afterwards,
    /healthz is 503 during the outage (no fetch for 3 s) and 200 again after it."""
    outage = 10.0
    health = free_port()
    with FakeBotAPI() as fake:
        process = start_bot(fake, tmp_path, cache_dir, *FAST, "--health-port", str(health))
        try:
            await fake.wait_for_calls("getUpdates", timeout=60)
            await wait_for_health(health, 200)
            began = time.time()
            fake.fail_for("getUpdates", kind, outage)
            await fake.wait_for(lambda: any(r.fault == kind for r in fake.requests), 30)
            fake.push_message(QUESTION)  # asked while getUpdates is refused
            stale = await wait_for_health(health, 503, timeout=outage)
            unhealthy_after = time.time() - began
            assert stale["source"] == "polling" and stale["last_fetch_s"] >= 3
            assert stale["failing_for_s"] is not None
            (message,) = await fake.wait_for_messages(1001, 1, timeout=outage + 30)
            answered_after = time.time() - began
            assert ANSWER in message["text"]
            assert answered_after >= outage
            await wait_for_health(health, 200, timeout=10)
            refused = [r for r in fake.requests if r.fault == kind]
            assert len(refused) >= 3  # retried, with back-off (not a tight loop)
            assert len(refused) <= 12
            assert process.poll() is None
        finally:
            assert stop_bot(process, signal.SIGTERM) == 0
        assert fake.rejected() == []
    text = logs(tmp_path)
    assert "Aborting retry loop" not in text
    assert "getUpdates failed (HTTP " + kind in text and "works again" in text
    figures = {
        "kind": kind,
        "outage_s": outage,
        "healthz_503_after_s": round(unhealthy_after, 1),
        "answered_after_s": round(answered_after, 1),
        "refused_polls": len(refused),
    }
    print("POLLING-OUTAGE", json.dumps(figures))


async def test_polling_gives_up_after_the_outage_limit_and_exits_1(
    tmp_path: Path, cache_dir: Path
) -> None:
    """A 401 that does not end (a revoked token): after --api-outage-limit seconds the process
    says so in one line and exits with status 1, so systemd/Docker restart it."""
    limit = 4.0
    health = free_port()
    with FakeBotAPI() as fake:
        process = start_bot(
            fake,
            tmp_path,
            cache_dir,
            *FAST,
            "--api-outage-limit",
            str(limit),
            "--health-port",
            str(health),
        )
        try:
            await fake.wait_for_calls("getUpdates", timeout=60)
            await wait_for_health(health, 200)
            began = time.time()
            fake.fail_for("getUpdates", "401", 3600)
            # (/healthz turning 503 is the outage test's; here the server goes with the process)
            code = await asyncio.to_thread(process.wait, limit + 30)
            exited_after = time.time() - began
        finally:
            if process.poll() is None:
                stop_bot(process)
        assert fake.rejected() == []
    assert code == 1
    text = logs(tmp_path)
    assert "polling gave up: no successful getUpdates for" in text
    assert "newsbot run: polling gave up" in text
    assert "Aborting retry loop" not in text and "Traceback" not in text
    assert limit <= exited_after < limit + 20
    figures = {"limit_s": limit, "exited_after_s": round(exited_after, 1)}
    print("POLLING-GIVE-UP", json.dumps(figures))


def test_limits_that_cannot_work_are_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("NEWSBOT_DB", str(tmp_path / "bot.sqlite3"))
    assert main(["run", "--poll-timeout", "10", "--stale-after", "5"]) == 2
    assert "--stale-after" in capsys.readouterr().err
    assert main(["run", "--api-outage-limit", "-1"]) == 2
    assert "--api-outage-limit" in capsys.readouterr().err


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_watch_tracks_freshness_and_the_outage_limit() -> None:
    clock = Clock()
    watch = FetchWatch(PollingLimits(poll_timeout=10, outage_limit=30, stale_after=20), clock)
    gave_up: list[bool] = []
    watch.on_give_up = lambda: gave_up.append(True)
    assert watch.healthy()  # start-up grace: stale_after from start
    clock.now += 19.9
    assert watch.healthy()
    clock.now += 0.2
    assert not watch.healthy()  # never fetched in 20 s
    watch.succeeded()
    assert watch.healthy() and watch.report()["last_fetch_s"] == 0
    clock.now += 5
    assert not watch.failed("HTTP 404")
    assert watch.report()["failing_for_s"] == 0 and watch.remaining() == 30
    clock.now += 29
    assert not watch.failed("HTTP 404") and gave_up == []
    assert not watch.healthy()  # 34 s since the last fetch
    watch.succeeded()  # the outage ends: its clock starts again next time
    assert watch.healthy() and watch.outage_since is None
    clock.now += 1
    watch.failed("HTTP 401")
    clock.now += 30
    assert watch.failed("HTTP 401") and gave_up == [True]
    assert watch.failure is not None and "HTTP 401" in watch.failure
    watch.succeeded()
    assert not watch.healthy()  # once given up, it stays given up


async def test_a_malformed_update_is_skipped_without_its_text_and_polling_goes_on(
    tmp_path: Path, cache_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """One update PTB cannot parse used to stop polling for good: PTB logged the whole batch
    (users' texts) at CRITICAL and fetched it again at once, hundreds of times a second, and no
    update was handled.  Now it is skipped with one short line and the next question answered."""
    from polling_support import polling
    from reliability_support import make_settings
    from tests_paths import INTENTS, SEEDS

    from bot.service import NewsService
    from bot.telegram.app import build_application

    marker = "用户隐私标记-polling"
    caplog.set_level(logging.INFO)
    service = NewsService(SEEDS, INTENTS, cache_dir)
    service.load()
    with FakeBotAPI() as fake:
        app = build_application(make_settings(fake, tmp_path, cache_dir), service)
        async with polling(app, timeout=1):
            await fake.wait_for_calls("getUpdates", timeout=30)
            chat = {"id": 1001, "type": "private"}
            bad_entity = [{"type": "bold"}]  # no offset, no length
            content = {"message_id": 1, "date": 1, "chat": chat, "text": marker}
            broken = fake.push_raw_update("message", {**content, "entities": bad_entity})
            fake.push_message(QUESTION)
            (message,) = await fake.wait_for_messages(1001, 1, timeout=30)
            polls = len(fake.calls("getUpdates"))
        assert ANSWER in message["text"]
        assert fake.rejected() == []
    assert polls < 10  # not a tight loop
    assert marker not in caplog.text
    assert f"update {broken['update_id']} could not be parsed (TypeError); skipped" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
