"""What every handler needs, in one object built by ``app.build_application``."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from bot.answer.engine import Answerer
from bot.config import Settings
from bot.knowledge.build import Knowledge
from bot.rules.model import Responses
from bot.service import NewsService
from bot.store import AsyncStore
from bot.telegram.examples import StartExamples
from bot.telegram.feedback_memory import RecentQuestions
from bot.telegram.flood import Clock, FloodGuard
from bot.telegram.subscribe import SubscribeHook

logger = logging.getLogger(__name__)


TELEGRAM_SEND_RATE = 30.0  # messages/s Telegram allows an ordinary bot across all chats
MAX_SEND_RATE = 1000.0  # messages/s with paid broadcasts: Telegram's ceiling for any bot


@dataclass(frozen=True, slots=True)
class BotOptions:
    """Tunables of the Telegram front end (defaults suit production; tests shrink them)."""

    flood_limit: int = 20  # messages per user per window; 0 disables
    flood_window: float = 60.0  # seconds
    clock: Clock = time.monotonic  # for the flood window
    inline_results: int = 5  # answers per inline query
    inline_cache_seconds: int = 30
    concurrent_updates: int = 8  # updates handled at once (answers are fast; sends may wait)
    rate_limit_retries: int = 3  # AIORateLimiter retries after a 429
    # messages per second to all chats together: Telegram's limit for ordinary bots is about
    # 30; bots with paid broadcasts may send up to 1,000 (0: no overall cap)
    send_rate: float = TELEGRAM_SEND_RATE


@dataclass(slots=True)
class BotDeps:
    service: NewsService
    settings: Settings
    options: BotOptions
    flood: FloodGuard
    store: AsyncStore | None = None
    subscribe: SubscribeHook | None = None
    known_chats: set[int] = field(default_factory=set)  # chats recorded in the store
    #: wording of recent answers' questions, for a 👎 (see bot.telegram.feedback)
    recent: RecentQuestions = field(default_factory=RecentQuestions)
    examples: StartExamples = field(default_factory=StartExamples)  # /start's buttons

    @property
    def knowledge(self) -> Knowledge:
        return self.service.knowledge

    @property
    def answerer(self) -> Answerer:
        return self.service.snapshot.answerer

    @property
    def responses(self) -> Responses:
        return self.service.knowledge.rules.responses

    def text(self, key: str, language: str, /, **values: object) -> str:
        return self.responses.text(key, language, **values)
