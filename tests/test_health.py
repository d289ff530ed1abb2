"""The health endpoint and the metrics it serves."""

from __future__ import annotations

import asyncio
import json

from bot.health import HealthServer, HealthState
from bot.metrics import Metrics


async def get(port: int, path: str, method: str = "GET") -> tuple[int, str]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"{method} {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    await writer.drain()
    data = await reader.read()
    writer.close()
    await writer.wait_closed()
    head, _, body = data.decode().partition("\r\n\r\n")
    return int(head.split()[1]), body


async def test_healthz_follows_the_update_source() -> None:
    alive = {"value": True}
    server = HealthServer(HealthState(lambda: alive["value"], lambda: "abc123", Metrics()), 0)
    await server.start()
    try:
        status, body = await get(server.port, "/healthz")
        assert status == 200
        payload = json.loads(body)
        assert payload["status"] == "ok" and payload["version"] == "abc123"
        assert payload["uptime_s"] >= 0
        alive["value"] = False
        status, body = await get(server.port, "/healthz")
        assert status == 503 and json.loads(body)["status"] == "unavailable"
        assert (await get(server.port, "/nope"))[0] == 404
        assert (await get(server.port, "/healthz", "POST"))[0] == 405
    finally:
        await server.stop()


async def test_metrics_in_prometheus_format() -> None:
    metrics = Metrics()
    metrics.observe_answer(True, 0.7)
    metrics.observe_answer(False, 3.0)
    metrics.inc("digests_sent_total", 5)
    server = HealthServer(HealthState(lambda: True, lambda: "v", metrics), 0)
    await server.start()
    try:
        status, body = await get(server.port, "/metrics")
    finally:
        await server.stop()
    assert status == 200
    lines = body.splitlines()
    assert "newsbot_questions_total 2" in lines
    assert "newsbot_answered_ratio 0.5000" in lines
    assert "newsbot_digests_sent_total 5" in lines
    assert 'newsbot_answer_latency_ms_bucket{le="1"} 1' in lines
    assert 'newsbot_answer_latency_ms_bucket{le="+Inf"} 2' in lines
    assert any(line.startswith("newsbot_uptime_seconds ") for line in lines)


async def test_garbage_request_is_refused_not_crashing() -> None:
    server = HealthServer(HealthState(lambda: True, lambda: "v", Metrics()), 0)
    await server.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"\x00\x01garbage\r\n\r\n")
        await writer.drain()
        data = await reader.read()
        writer.close()
        await writer.wait_closed()
        assert data.startswith(b"HTTP/1.1 405")
        assert (await get(server.port, "/healthz"))[0] == 200
    finally:
        await server.stop()


async def test_healthz_carries_the_update_sources_figures() -> None:
    """Why it is 503 is in the body: seconds since the last successful getUpdates and the
    threshold (from :class:`bot.telegram.polling.FetchWatch` in ``newsbot run``)."""
    from bot.telegram.polling import FetchWatch, PollingLimits

    now = {"t": 50.0}
    watch = FetchWatch(PollingLimits(poll_timeout=1, stale_after=3), lambda: now["t"])
    server = HealthServer(
        HealthState(watch.healthy, lambda: "v", Metrics(), details=watch.report), 0
    )
    await server.start()
    try:
        watch.succeeded()
        status, body = await get(server.port, "/healthz")
        assert status == 200 and json.loads(body)["last_fetch_s"] == 0
        now["t"] += 3.5
        status, body = await get(server.port, "/healthz")
        payload = json.loads(body)
        assert status == 503 and payload["status"] == "unavailable"
        assert payload["last_fetch_s"] == 3.5 and payload["stale_after_s"] == 3
    finally:
        await server.stop()
