"""Long polling that never dies silently: outages are ridden out for a bounded time, then the
process exits non-zero; ``/healthz`` sees how long ago updates were last fetched.

Why this exists: PTB treats a 401 or 404 from ``getUpdates`` as an invalid token and ends its
polling loop for good ("Invalid token. Aborting retry loop.") while the process stays up, so a
self-hosted Bot API server or a proxy that answers 404 for a few seconds while it restarts used
to leave a bot that never answered again and still looked healthy.  Here every ``getUpdates``
goes through :class:`WatchedRequest` (PTB's ``get_updates_request`` hook, used for nothing
else), which

* retries a 401/404 itself (below PTB's error mapping), with back-off, for at most
  :attr:`PollingLimits.outage_limit` seconds of failures in a row (other failures — network
  errors, 5xx, 409, 429 — keep PTB's own back-off and are counted in the same outage);
* when the outage outlasts the limit, logs one clear ERROR line, asks the application to stop
  (``on_give_up``) and parks the polling call until PTB's stop cancels it, so shutdown runs the
  normal hooks and ``newsbot run`` can exit with status 1 for the supervisor to restart it;
* records each success, which is what :meth:`FetchWatch.healthy` reports on;
* screens a batch PTB failed to parse (:func:`screen_updates`): one malformed update used to
  stop polling in a tight loop that logged users' texts at CRITICAL.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.request import HTTPXRequest, RequestData

logger = logging.getLogger(__name__)

#: Long-poll timeout of each getUpdates (PTB's default): an idle bot gets an answer this often.
POLL_TIMEOUT_S = 10.0
#: How long getUpdates may fail in a row before the process gives up and exits non-zero.
#: A Bot API server or proxy restart takes seconds; five minutes rides out a slow one.
OUTAGE_LIMIT_S = 300.0
#: /healthz turns 503 when the last successful getUpdates is older than this.
STALE_AFTER_S = 60.0
#: Back-off between retries of a 401/404: first delay, growth factor, longest delay.  The
#: longest delay bounds how late the bot notices that the API is back (one request per 5 s is
#: nothing to a server that is starting).
BACKOFF_FIRST_S = 0.5
BACKOFF_FACTOR = 2.0
BACKOFF_MAX_S = 5.0
#: Answers that PTB takes for an invalid token and stops polling on; ridden out here.
RIDDEN_OUT = frozenset({HTTPStatus.UNAUTHORIZED, HTTPStatus.NOT_FOUND})
NO_UPDATES = b'{"ok": true, "result": []}'
#: getUpdates' connection pool: one poll at a time, as ApplicationBuilder's default.
POOL_SIZE = 1


class PollingConfigError(ValueError):
    """Limits that cannot work together (e.g. a staleness threshold shorter than a long poll)."""


@dataclass(frozen=True, slots=True)
class PollingLimits:
    """The bounds of ``newsbot run`` in long-polling mode (``--poll-timeout``,
    ``--api-outage-limit``, ``--stale-after``)."""

    poll_timeout: float = POLL_TIMEOUT_S
    outage_limit: float = OUTAGE_LIMIT_S
    stale_after: float = STALE_AFTER_S

    def problem(self) -> str | None:
        """Why these limits cannot work, or None."""
        if not 0 <= self.poll_timeout <= 50:
            return f"--poll-timeout must be between 0 and 50 seconds, got {self.poll_timeout:g}"
        if self.outage_limit <= 0:
            return f"--api-outage-limit must be positive, got {self.outage_limit:g}"
        if self.stale_after <= self.poll_timeout:
            return (
                f"--stale-after ({self.stale_after:g} s) must be longer than --poll-timeout "
                f"({self.poll_timeout:g} s): an idle long poll answers only that often"
            )
        return None


class FetchWatch:
    """When ``getUpdates`` last worked, and since when it has been failing.

    ``clock`` is injectable (monotonic seconds) so tests and the health endpoint agree on time.
    """

    def __init__(self, limits: PollingLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self.started = clock()
        self.last_ok: float | None = None
        self.outage_since: float | None = None
        self.last_error = ""
        self.failure: str | None = None  # set once, when polling gave up
        self.on_give_up: Callable[[], None] | None = None

    def succeeded(self) -> None:
        now = self.clock()
        if self.outage_since is not None:
            logger.info("getUpdates works again after %.1f s of failures", now - self.outage_since)
        self.last_ok, self.outage_since, self.last_error = now, None, ""

    def failed(self, error: str) -> bool:
        """Count a failed getUpdates; True when the outage has outlasted the limit."""
        now = self.clock()
        self.last_error = error
        if self.outage_since is None:
            self.outage_since = now
            logger.warning(
                "getUpdates failed (%s); retrying with back-off for up to %g s",
                self.last_error,
                self.limits.outage_limit,
            )
        if self.failure is None and now - self.outage_since >= self.limits.outage_limit:
            self.failure = (
                f"no successful getUpdates for {now - self.outage_since:.1f} s "
                f"(limit {self.limits.outage_limit:g} s; last error {self.last_error})"
            )
            logger.error("polling gave up: %s; stopping, exit status 1", self.failure)
            if self.on_give_up is not None:
                self.on_give_up()
        return self.failure is not None

    def remaining(self) -> float:
        """Seconds of the current outage left before giving up."""
        if self.outage_since is None:
            return self.limits.outage_limit
        return max(0.0, self.limits.outage_limit - (self.clock() - self.outage_since))

    def since_last_fetch(self) -> float:
        """Seconds since the last successful getUpdates (since start-up before the first)."""
        last = self.last_ok if self.last_ok is not None else self.started
        return max(0.0, self.clock() - last)

    def healthy(self) -> bool:
        return self.failure is None and self.since_last_fetch() < self.limits.stale_after

    def report(self) -> dict[str, Any]:
        """Fields for ``/healthz``: what an operator needs to see why it is (un)healthy."""
        return {
            "source": "polling",
            "last_fetch_s": round(self.since_last_fetch(), 1),
            "stale_after_s": self.limits.stale_after,
            "failing_for_s": (
                None if self.outage_since is None else round(self.clock() - self.outage_since, 1)
            ),
        }


class WatchedRequest(HTTPXRequest):
    """The request object of ``getUpdates`` only: 401/404 retried here (below PTB's mapping of
    them to ``InvalidToken``, which would end its polling loop), every outcome told to the
    :class:`FetchWatch`.  Sleeping here is safe: PTB's stop cancels the polling call."""

    def __init__(
        self, watch: FetchWatch, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    ) -> None:
        super().__init__(connection_pool_size=POOL_SIZE)
        self.watch = watch
        self.sleep = sleep
        self._offset: object = None  # the offset asked for last, and whether updates came
        self._had_updates = False
        install_parse_log_screen()

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        if self.watch.failure is not None:  # PTB's last getUpdates while stopping
            return await self._last_call(*args, **kwargs)
        delay = BACKOFF_FIRST_S
        while True:
            try:
                code, payload = await super().do_request(*args, **kwargs)
            except TelegramError as exc:  # network errors, timeouts: PTB backs these off
                await self._failed(f"{type(exc).__name__}: {exc}")
                raise
            if code == HTTPStatus.OK:
                self.watch.succeeded()
                return code, self._screened(kwargs.get("request_data"), payload)
            await self._failed(f"HTTP {code}")
            if code not in RIDDEN_OUT:  # 5xx, 409, 429: PTB's own back-off and retry
                return code, payload
            await self.sleep(min(delay, max(self.watch.remaining(), 0.01)))
            delay = min(delay * BACKOFF_FACTOR, BACKOFF_MAX_S)

    def _screened(self, request_data: RequestData | None, payload: bytes) -> bytes:
        """The payload, screened when PTB did not take the previous batch: the same offset
        asked for again after updates came means PTB failed to parse them (parsing every batch
        twice would cost about as much as PTB's own parsing, on every update)."""
        offset = request_data.parameters.get("offset") if request_data is not None else None
        retried = self._had_updates and offset == self._offset
        self._offset, self._had_updates = offset, b'"update_id"' in payload
        return screen_updates(payload) if retried else payload

    async def _last_call(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """After giving up, PTB's stop still calls getUpdates once to confirm the last offset.
        If the API still refuses, there is nothing to confirm: answered as "no updates" here
        rather than logged by PTB as a traceback with advice about timeouts."""
        try:
            code, payload = await super().do_request(*args, **kwargs)
        except TelegramError as exc:
            code, payload = 0, str(exc).encode()
        if code == HTTPStatus.OK:
            return code, payload
        logger.debug("final getUpdates refused too (%s): nothing to confirm", code or payload)
        return HTTPStatus.OK, NO_UPDATES

    async def _failed(self, error: str) -> None:
        if self.watch.failed(error) and self.watch.on_give_up is not None:
            await asyncio.Event().wait()  # parked until PTB's stop cancels this call


def screen_updates(payload: bytes) -> bytes:
    """Replace each update PTB cannot parse by its bare ``update_id``.

    Why: PTB parses a whole ``getUpdates`` batch at once; one malformed update (a buggy
    self-hosted server or proxy) made it log the batch — users' texts — at CRITICAL and fetch
    the same batch again at once, for ever: hundreds of lines a second, no update handled.  When
    a batch comes back (see ``WatchedRequest._screened``), a bare id replaces the broken update:
    it parses, moves the offset past it and matches no handler; the good updates of the batch
    are handled.  One short WARNING line per broken update, no content.
    """
    try:
        data = json.loads(payload)
        updates = data["result"]
    except (ValueError, KeyError, TypeError, RecursionError):
        return payload  # not a batch we can screen: PTB reports it as it would
    if not isinstance(updates, list):
        return payload
    changed = False
    for index, raw in enumerate(updates):
        try:
            Update.de_json(raw, None)
        except Exception as exc:  # anything de_json raises on a malformed update
            update_id = raw.get("update_id") if isinstance(raw, dict) else None
            if not isinstance(update_id, int):
                continue  # no id to skip it by: left to PTB
            logger.warning(
                "update %d could not be parsed (%s); skipped", update_id, type(exc).__name__
            )
            updates[index] = {"update_id": update_id}
            changed = True
    return json.dumps(data).encode() if changed else payload


#: PTB's log lines about a batch it could not parse: the first carries the batch (users' texts).
_PARSE_FAILURES = (
    ("telegram.ext.ExtBot", "Error while parsing updates!"),
    ("telegram.Bot", "Error while parsing updates!"),
    ("telegram.ext.Updater", "Something went wrong processing the data received from Telegram"),
)


class _ParseFailureScreen(logging.Filter):
    """Turns PTB's CRITICAL lines about an unparsable batch into one short WARNING without the
    data or the traceback (whose message can quote it); the batch is screened on its retry."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith(self.prefix):
            error = record.exc_info[1] if record.exc_info else None
            record.msg = "PTB could not parse a getUpdates batch (%s); it will be screened"
            record.args = (type(error).__name__ if error is not None else "?",)
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def install_parse_log_screen() -> None:
    """Put :class:`_ParseFailureScreen` on PTB's loggers once (logger filters see every record
    those loggers create, whatever handlers are configured later)."""
    for name, prefix in _PARSE_FAILURES:
        target = logging.getLogger(name)
        if not any(isinstance(f, _ParseFailureScreen) for f in target.filters):
            target.addFilter(_ParseFailureScreen(prefix))
