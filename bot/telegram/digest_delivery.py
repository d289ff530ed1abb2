"""Digest delivery on Telegram: the scheduler tick, ``/digest``, the new-content notice.

The core (:mod:`bot.digest`) decides what to send, paces it, retries it and writes the ledger;
this module only renders a planned message and posts it, translating python-telegram-bot's
errors into the core's: ``Forbidden`` → :class:`ChatUnreachable`, ``ChatMigrated`` →
:class:`ChatMoved`, ``RetryAfter`` → :class:`RetryLater`, ``TimedOut``/``NetworkError`` →
:class:`TransientSendError`.

Why a bot of its own: the application's bot sits behind its fair limiter (``fairsend``),
which resends a message after a 429 by itself (waiting in real time, unseen by the core), and
``send.send_html`` follows migrations and resends after 5xx.  Either would make one core
"attempt" several HTTP requests and hide the outcome the ledger depends on.  So digests and
notices go out through a plain :class:`telegram.Bot` on the same token and API URL: one
``sendMessage`` per attempt, every outcome reported, pacing by the shared :class:`Pacer`
(30 messages/s overall, 1/s per chat, 20/min per group).  Replies to users keep the
application's bot and its fair limiter; once the application runs, every digest message also
waits for a turn of that limiter's (:attr:`DigestRuntime.gate`, below every waiting reply),
so replies and digests share one overall rate and a reply never waits behind a fan-out.

Time is injected (:class:`DigestOptions`): the wall clock decides which chats are due, the
pacer's clock and sleep decide waits, so tests move a fake clock and never sleep.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.request import HTTPXRequest

from bot.config import Settings
from bot.digest import (
    ChatMoved,
    ChatUnreachable,
    Digest,
    DigestMessage,
    FanoutReport,
    LayoutFor,
    MessageLayout,
    Notice,
    PaceLimits,
    Pacer,
    RetryLater,
    RetryPolicy,
    SendDigest,
    SendError,
    SendNotice,
    SendNowResult,
    TransientSendError,
    deliver_due,
    notify_new_content,
    send_now,
)
from bot.digest.delivery import DEFAULT_CONCURRENCY
from bot.digest.pacing import Clock, Sleep
from bot.digest.plan import DEFAULT_MAX_MESSAGES
from bot.knowledge.build import Knowledge
from bot.knowledge.diff import KnowledgeDiff
from bot.metrics import Metrics
from bot.service import NewsService
from bot.store import AsyncStore, Chat, utc_now
from bot.telegram.digest_render import digest_layout, render_digest, render_notice
from bot.telegram.send import NO_PREVIEW

logger = logging.getLogger(__name__)

WallClock = Callable[[], datetime]

#: Bad Requests that mean the chat is gone for good (deleted account, deleted group): treated
#: like a block, so the chat is marked inactive and comes back if it ever talks to us again.
GONE_CHAT_ERRORS: Final = ("chat not found", "chat was deactivated", "user is deactivated")
#: Set as a flood hold when stopping: longer than any tick waits out, so the fan-out in
#: progress grants no new send slot and leaves the chats it has not reached due.
_STOPPING_HOLD: Final = 24 * 3600.0
STOP_GRACE_SECONDS: Final = 10.0  # then the fan-out is cancelled (at most a message in flight)


@dataclass(frozen=True, slots=True)
class DigestOptions:
    """Tunables of digest delivery; production uses the defaults, tests inject time."""

    tick_interval: timedelta = timedelta(seconds=30)  # how often due chats are looked for
    clock: WallClock = utc_now  # which chats are due; share it with the Store's clock
    monotonic: Clock = time.monotonic  # the pacer's clock …
    sleep: Sleep = asyncio.sleep  # … and how it waits
    pace: PaceLimits = field(default_factory=PaceLimits)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    send_empty: bool = False  # scheduled "nothing new" messages (off: no pending, no message)
    max_messages: int | None = DEFAULT_MAX_MESSAGES  # per digest; the rest leads the next one
    concurrency: int = DEFAULT_CONCURRENCY  # chats in flight during a fan-out
    metrics: Metrics | None = None  # digests_sent_total / notices_sent_total

    def __post_init__(self) -> None:
        if self.tick_interval <= timedelta(0):
            raise ValueError("tick_interval must be positive")
        if self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")


def send_error(exc: TelegramError) -> SendError | None:
    """The core's name for a failed ``sendMessage``; None for errors that are bugs."""
    if isinstance(exc, RetryAfter):
        wait = exc.retry_after
        return RetryLater(wait.total_seconds() if isinstance(wait, timedelta) else float(wait))
    if isinstance(exc, ChatMigrated):
        return ChatMoved(int(exc.new_chat_id))
    if isinstance(exc, Forbidden):
        return ChatUnreachable(str(exc))
    if isinstance(exc, BadRequest):  # a subclass of NetworkError, but never transient
        text = str(exc).lower()
        return ChatUnreachable(str(exc)) if any(e in text for e in GONE_CHAT_ERRORS) else None
    if isinstance(exc, NetworkError):  # TimedOut included: Telegram may have it; risk one repeat
        return TransientSendError(str(exc))
    return None


class DigestRuntime:
    """The delivery side of the digests feature: its bot, its pacer, its tick.

    One per application.  ``tick`` may be called directly (tests, a manual run); the job
    queue's ticks run it in a background task so a long fan-out neither blocks the job queue
    nor overlaps itself.
    """

    def __init__(
        self,
        settings: Settings,
        service: NewsService,
        store: AsyncStore,
        options: DigestOptions | None = None,
    ) -> None:
        if not settings.token:
            raise ValueError("a bot token is required")
        self.service = service
        self.store = store
        self.options = options = options or DigestOptions()
        self.pacer = Pacer(options.pace, clock=options.monotonic, sleep=options.sleep)
        pool = options.concurrency + 8  # fan-out workers plus /digest and notices
        self.bot = Bot(
            settings.token,
            base_url=settings.api_url,
            base_file_url=settings.file_url,
            request=HTTPXRequest(connection_pool_size=pool, pool_timeout=5.0),
        )
        #: Awaited before every send (the application's fair limiter's bulk turn; None: none).
        self.gate: Callable[[], Awaitable[None]] | None = None
        self.ticks_completed = 0
        self.last_report: FanoutReport | None = None
        self._tick_lock = asyncio.Lock()
        self._task: asyncio.Task[FanoutReport] | None = None
        self._stopping = False

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the delivery bot's connections and run the first tick at once: digests that
        fell due while the bot was down go out now, not one interval later (the job queue
        counts its first interval from when the job was added, before start-up)."""
        self._stopping = False
        try:
            await self.bot.initialize()
        except TelegramError as exc:
            logger.warning("digest bot not initialised (sends will retry): %s", exc)
        self.spawn_tick()

    async def stop(self) -> None:
        """Let a fan-out in progress end, then close the bot.

        No send slot is granted any more (a hold longer than any tick waits out), so each
        worker finishes the message it already had a slot for — sent and recorded, not cut off
        mid-request — and every chat not reached stays due for the next start.  Only if that
        takes longer than :data:`STOP_GRACE_SECONDS` is the tick cancelled.
        """
        self._stopping = True
        if self._tick_lock.locked():
            logger.info("stopping: no new digest sends; chats not reached stay due")
        self.pacer.hold(_STOPPING_HOLD)
        try:
            await asyncio.wait_for(self._idle(), STOP_GRACE_SECONDS)
        except TimeoutError:
            logger.warning("digest fan-out did not stop in time; cancelling it")
            task = self._task
            if task is not None and not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        options = self.options  # the stop hold must not outlive this run of the bot
        self.pacer = Pacer(options.pace, clock=options.monotonic, sleep=options.sleep)
        try:
            await self.bot.shutdown()
        except TelegramError as exc:
            logger.warning("digest bot did not shut down cleanly: %s", exc)

    # --- the scheduler --------------------------------------------------------------------

    async def _idle(self) -> None:
        """Return once no tick is running."""
        async with self._tick_lock:
            return

    def spawn_tick(self) -> bool:
        """Start a tick in the background unless one is running; True if started."""
        if self._stopping or (self._task is not None and not self._task.done()):
            logger.debug("digest tick still running; not starting another")
            return False
        self._task = asyncio.create_task(self.tick(), name="digest-tick")
        self._task.add_done_callback(_log_failure)
        return True

    async def tick(self) -> FanoutReport:
        """Send every due chat its digest once (``deliver_due``) at the injected time."""
        async with self._tick_lock:
            snapshot = self.service.snapshot
            knowledge = snapshot.knowledge
            report = await deliver_due(
                self.options.clock(),
                self.store,
                knowledge,
                self.digest_sender(knowledge),
                send_empty=self.options.send_empty,
                pace=self.pacer,
                layout=layouts(knowledge),
                retry=self.options.retry,
                answerer=snapshot.answerer,
                concurrency=self.options.concurrency,
                max_messages=self.options.max_messages,
            )
            self.ticks_completed += 1
            self.last_report = report
            return report

    async def send_now(self, chat_id: int) -> SendNowResult:
        """``/digest``: what the next digest would hold, now, recorded in the ledger."""
        snapshot = self.service.snapshot
        knowledge = snapshot.knowledge
        return await send_now(
            chat_id,
            self.store,
            knowledge,
            self.digest_sender(knowledge),
            pace=self.pacer,
            layout=layouts(knowledge),
            retry=self.options.retry,
            answerer=snapshot.answerer,
            max_messages=self.options.max_messages,
        )

    async def announce(self, diff: KnowledgeDiff, previous: Knowledge | None) -> int:
        """The new-content notice after a reload (current snapshot vs ``previous``)."""
        snapshot = self.service.snapshot
        return await notify_new_content(
            diff,
            self.store,
            snapshot.knowledge,
            self.notice_sender(snapshot.knowledge),
            self.options.clock(),
            previous=previous,
            pace=self.pacer,
            retry=self.options.retry,
            answerer=snapshot.answerer,
            concurrency=self.options.concurrency,
        )

    # --- sending --------------------------------------------------------------------------

    def digest_sender(self, knowledge: Knowledge) -> SendDigest:
        """``send`` for the core: render one planned message in the chat's language, post it."""
        responses = knowledge.rules.responses

        async def send(chat: Chat, message: DigestMessage, digest: Digest) -> None:
            rendered = render_digest(message, responses, chat.language)
            await self.post(chat.chat_id, rendered.html, rendered.keyboard)
            self._count("digests_sent_total")

        return send

    def notice_sender(self, knowledge: Knowledge) -> SendNotice:
        responses = knowledge.rules.responses

        async def send(chat: Chat, notice: Notice) -> None:
            await self.post(chat.chat_id, render_notice(notice, responses, chat.language))
            self._count("notices_sent_total")

        return send

    async def post(
        self, chat_id: int, html: str, keyboard: InlineKeyboardMarkup | None = None
    ) -> None:
        """Exactly one ``sendMessage``; its failure as the core's error (others propagate)."""
        if self.gate is not None:
            await self.gate()
        try:
            await self.bot.send_message(
                chat_id,
                html,
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
                reply_markup=keyboard,
            )
        except TelegramError as exc:
            mapped = send_error(exc)
            if mapped is None:
                raise
            raise mapped from exc

    def _count(self, name: str) -> None:
        if self.options.metrics is not None:
            self.options.metrics.inc(name)


def layouts(knowledge: Knowledge) -> LayoutFor:
    """The HTML layout per chat language (built once per language per call)."""
    responses = knowledge.rules.responses
    cache: dict[str, MessageLayout] = {}

    def layout(chat: Chat) -> MessageLayout:
        found = cache.get(chat.language)
        if found is None:
            found = cache[chat.language] = digest_layout(responses, chat.language)
        return found

    return layout


def _log_failure(task: asyncio.Task[FanoutReport]) -> None:
    if task.cancelled():
        return
    error = task.exception()
    if error is not None:
        logger.error("digest tick failed: %r", error, exc_info=error)
