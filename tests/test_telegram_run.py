"""``newsbot run`` as a process: long polling and webhook mode against FakeBotAPI, stopped by
SIGTERM and SIGINT, exit status 0, and the token never printed — even at DEBUG level.

This is the check the issue's "done when" describes: ``TELEGRAM_BOT_TOKEN=…
NEWSBOT_API_URL=http://127.0.0.1:PORT/bot newsbot run`` against a Bot-API-compatible server.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from fakebotapi import FakeBotAPI
from polling_support import wait_for_health, wait_for_port

from bot.cli import main

ROOT = Path(__file__).resolve().parent.parent


def start(
    fake: FakeBotAPI, tmp_path: Path, cache_dir: Path, *args: str, level: str = "INFO"
) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "NEWSBOT_API_URL": fake.base_url,
        "NEWSBOT_DB": str(tmp_path / "bot.sqlite3"),
        "NEWSBOT_CACHE": str(cache_dir),
        "NEWSBOT_LOG_LEVEL": level,
        "PYTHONUNBUFFERED": "1",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot",
            "run",
            "--seeds",
            str(ROOT / "seeds"),
            "--intents",
            str(ROOT / "intents"),
            *args,
        ],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stop(process: subprocess.Popen[str], sig: signal.Signals) -> str:
    process.send_signal(sig)
    try:
        _, stderr = process.communicate(timeout=15)
    except subprocess.TimeoutExpired as exc:
        process.kill()
        _, stderr = process.communicate()
        raise AssertionError(f"newsbot run did not stop on {sig.name}:\n{stderr[-3000:]}") from exc
    assert process.returncode == 0, stderr[-3000:]
    return stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_long_polling_until_sigterm(tmp_path: Path, cache_dir: Path) -> None:
    with FakeBotAPI() as fake:
        process = start(fake, tmp_path, cache_dir)
        try:
            (poll, *_) = await fake.wait_for_calls("getUpdates", timeout=30)
            assert poll["allowed_updates"] == [
                "message",
                "callback_query",
                "inline_query",
                "my_chat_member",
            ]
            fake.push_message("艾华集团投资了多少钱？")
            (message,) = await fake.wait_for_messages(1001, 1, timeout=15)
            assert "4.56亿元" in message["text"]
        finally:
            stderr = stop(process, signal.SIGTERM)
        assert fake.rejected() == []
        assert [c["command"] for c in fake.commands()][:2] == ["start", "help"]
    assert fake.token.split(":", 1)[1] not in stderr
    assert "艾华集团投资了多少钱" not in stderr  # no user text in the logs at INFO
    assert "answered=True" in stderr
    assert (tmp_path / "bot.sqlite3").exists()


async def test_webhook_until_sigint(tmp_path: Path, cache_dir: Path) -> None:
    port = free_port()
    with FakeBotAPI() as fake:
        process = start(
            fake,
            tmp_path,
            cache_dir,
            "--webhook-url",
            f"http://127.0.0.1:{port}/hook",
            "--listen",
            "127.0.0.1",
            "--port",
            str(port),
            "--secret-token",
            "s3cret",
            level="DEBUG",
        )
        try:
            await fake.wait_for(lambda: fake.webhook_url != "", timeout=30, what="setWebhook")
            await wait_for_port(port)  # listening before setWebhook, and checked here
            assert fake.calls("setWebhook")[-1]["secret_token"] == "s3cret"
            fake.push_message("/start")
            (message,) = await fake.wait_for_messages(1001, 1, timeout=15)
            assert "新闻问答机器人" in message["text"]
        finally:
            stderr = stop(process, signal.SIGINT)
        assert fake.rejected() == []
    # PTB logs every request URL at DEBUG: the token in them is redacted.
    assert fake.token.split(":", 1)[1] not in stderr and "<token>" in stderr


def test_run_without_a_token_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["run"]) == 2
    assert "TELEGRAM_BOT_TOKEN" in capsys.readouterr().err


async def test_health_endpoint_and_single_instance(tmp_path: Path, cache_dir: Path) -> None:
    """`--health-port` serves /healthz while polling runs; a second bot on the same database
    refuses to start with a plain message."""
    import urllib.request

    port = free_port()
    with FakeBotAPI() as fake:
        process = start(fake, tmp_path, cache_dir, "--health-port", str(port))
        try:
            await fake.wait_for_calls("getUpdates", timeout=30)
            # the first getUpdates can come before the application counts as running: wait
            health = await wait_for_health(port, 200)
            assert health["status"] == "ok" and len(health["version"]) == 12
            assert health["source"] == "polling" and health["stale_after_s"] == 60
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:
                assert b"newsbot_questions_total" in reply.read()
            second = start(fake, tmp_path, cache_dir)
            _, second_err = second.communicate(timeout=60)
            assert second.returncode == 2
            assert "already running" in second_err
        finally:
            stop(process, signal.SIGTERM)


def test_send_rate_out_of_range_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("NEWSBOT_DB", str(tmp_path / "bot.sqlite3"))
    assert main(["run", "--send-rate", "5000"]) == 2
    assert "--send-rate" in capsys.readouterr().err


def test_send_rate_sets_the_overall_limit(tmp_path: Path, cache_dir: Path) -> None:
    """30 messages/s to all chats by default (Telegram's limit); 0 lifts the overall cap."""
    from bot.config import Settings
    from bot.service import NewsService
    from bot.telegram.app import build_application
    from bot.telegram.deps import BotOptions
    from bot.telegram.fairsend import FairLimiter

    service = NewsService(ROOT / "seeds", ROOT / "intents", cache_dir)
    service.load()
    settings = Settings(
        seeds=ROOT / "seeds",
        intents=ROOT / "intents",
        db=tmp_path / "db",
        cache_dir=cache_dir,
        token="123:abc",
    )
    limited = build_application(settings, service).bot.rate_limiter
    unlimited = build_application(settings, service, options=BotOptions(send_rate=0))
    lifted = unlimited.bot.rate_limiter
    assert isinstance(limited, FairLimiter) and isinstance(lifted, FairLimiter)
    assert limited.policy.rate == 30 and lifted.policy.rate == 0


async def test_a_send_rate_below_one_message_per_second_still_sends() -> None:
    """0.5/s is one message every two seconds (in virtual time here); the first goes at once."""
    import asyncio

    from bot.telegram.app import overall_rate_limiter
    from bot.telegram.deps import BotOptions
    from bot.telegram.fairsend import FairLimiter

    assert overall_rate_limiter(BotOptions(send_rate=0.5)).policy.rate == 0.5
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds
        await asyncio.sleep(0)

    limiter = FairLimiter(
        overall_rate_limiter(BotOptions(send_rate=0.5)).policy, clock=lambda: now[0], sleep=sleep
    )
    await limiter.initialize()
    sent_at: list[float] = []

    async def send(*_: object, **__: object) -> bool:
        sent_at.append(now[0])
        return True

    for chat in (1, 2):
        sent = await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": chat}, None)
        assert sent is True
    assert sent_at == [0.0, 2.0]
    await limiter.shutdown()


def test_digests_keep_to_the_send_rate(cache_dir: Path) -> None:
    import argparse

    from bot.service import NewsService
    from bot.telegram.runner import digest_options

    service = NewsService(ROOT / "seeds", ROOT / "intents", cache_dir)
    gentle = digest_options(argparse.Namespace(send_rate=10.0), service)
    uncapped = digest_options(argparse.Namespace(send_rate=0.0), service)
    assert gentle.pace.messages_per_second == 10
    assert uncapped.pace.messages_per_second == 1000  # Telegram's ceiling, paid broadcasts
    assert gentle.pace.chat_interval == 1  # per-chat limit unchanged


async def test_sighup_during_start_up_does_not_kill_and_reloads_once_ready(
    tmp_path: Path, cache_dir: Path
) -> None:
    """``systemctl reload`` while the bot starts: the SIGHUP used to end the process (its
    default action) because the reload handler is installed only once the bot is ready.  Now it
    is held and replayed: the bot starts, reloads once, and answers."""
    from reliability_support import QUESTION, logs, start_bot, stop_bot, wait_until

    with FakeBotAPI() as fake:
        # setMyCommands held for 3 s: the bot is in post_init, reload handler not installed
        fake.fail_next("setMyCommands", "timeout", delay=3)
        process = start_bot(fake, tmp_path, cache_dir)
        try:
            await fake.wait_for_calls("setMyCommands", timeout=60)
            process.send_signal(signal.SIGHUP)
            await fake.wait_for_calls("getUpdates", timeout=60)
            await wait_until(lambda: "SIGHUP: reloading" in logs(tmp_path), "the held reload")
            assert process.poll() is None
            fake.push_message(QUESTION)
            (message,) = await fake.wait_for_messages(1001, 1, timeout=30)
            assert "4.56亿元" in message["text"]
            process.send_signal(signal.SIGHUP)  # and once running, SIGHUP reloads as before
            await wait_until(lambda: logs(tmp_path).count("SIGHUP: reloading") == 2, "reload")
        finally:
            assert stop_bot(process, signal.SIGTERM) == 0
    text = logs(tmp_path)
    assert "SIGHUP arrived during start-up: reloading now" in text
    assert text.count("SIGHUP: reloading") == 2


async def test_webhook_port_in_use_exits_1_with_a_plain_message(
    tmp_path: Path, cache_dir: Path
) -> None:
    with socket.socket() as taken, FakeBotAPI() as fake:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = start(
            fake,
            tmp_path,
            cache_dir,
            "--webhook-url",
            f"http://127.0.0.1:{port}/hook",
            "--port",
            str(port),
            "--secret-token",
            "s3cret",
        )
        _, stderr = process.communicate(timeout=120)
    assert process.returncode == 1, stderr[-2000:]
    assert f"newsbot run: cannot listen on 127.0.0.1:{port}" in stderr
    assert "Traceback" not in stderr
    assert fake.calls("setWebhook") == []  # never told Telegram to deliver to a dead port
