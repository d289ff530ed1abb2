"""What every handler needs, in one object built by ``app.build_application``."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace

from bot.answer.engine import Answerer
from bot.config import Settings
from bot.knowledge.build import Knowledge
from bot.rules.model import Responses
from bot.service import NewsService
from bot.store import AsyncStore
from bot.telegram.examples import StartExamples
from bot.telegram.fairsend import FairLimiter
from bot.telegram.feedback_memory import RecentQuestions
from bot.telegram.flood import Budget, ChatBacklog, Clock, Floods, Kind
from bot.telegram.sendpolicy import SendPolicy
from bot.telegram.subscribe import SubscribeHook

logger = logging.getLogger(__name__)


TELEGRAM_SEND_RATE = 30.0  # messages/s Telegram allows an ordinary bot across all chats
MAX_SEND_RATE = 1000.0  # messages/s with paid broadcasts: Telegram's ceiling for any bot


@dataclass(frozen=True, slots=True)
class BotOptions:
    """Tunables of the Telegram front end (defaults suit production; tests shrink them)."""

    flood_limit: int = 20  # messages per user per window; 0 disables every flood budget
    flood_window: float = 60.0  # seconds, for every budget below
    button_limit: int = 30  # button presses per user per window (a budget of their own)
    inline_limit: int = 30  # inline queries per user per window (cached answers are free)
    admin_limit: int = 120  # an admin's messages per window (uploads, /reload, questions)
    chat_backlog: int = 5  # messages of one chat in progress at once; more are dropped, told
    group_backlog: int = 20  # the same for a group (a minute of Telegram's 20/min per group)
    clock: Clock = time.monotonic  # for the flood windows and the inline cache
    inline_results: int = 5  # answers per inline query
    inline_cache_seconds: int = 30  # how long Telegram may cache an inline answer
    inline_ttl: float = 20.0  # how long the bot reuses its own answer to the same query
    inline_cache_size: int = 1024  # distinct queries kept
    # updates handled at once: a handler waiting for its chat's send turn holds a slot, and
    # slots are handed out first come, first served, so there must be room for every busy
    # chat's backlog (chat_backlog bounds each) or an uninvolved user queues behind a flood
    concurrent_updates: int = 4096
    rate_limit_retries: int = 3  # resends after a 429 (that chat is held meanwhile)
    # messages per second to all chats together: Telegram's limit for ordinary bots is about
    # 30; bots with paid broadcasts may send up to 1,000 (0: no overall cap)
    send_rate: float = TELEGRAM_SEND_RATE
    # the rest of the fair-sending policy (its rate and retries come from the two above)
    send: SendPolicy = field(default_factory=SendPolicy)

    def floods(self) -> Floods:
        """The flood guards these options describe (``flood_limit=0`` turns them all off)."""
        on = self.flood_limit > 0
        window = self.flood_window
        budgets = {
            Kind.MESSAGE: Budget(self.flood_limit, window),
            Kind.BUTTON: Budget(self.button_limit if on else 0, window),
            Kind.INLINE: Budget(self.inline_limit if on else 0, window),
        }
        return Floods(budgets, Budget(self.admin_limit if on else 0, window), self.clock)

    def limiter(self) -> FairLimiter:
        """The fair limiter for everything the application's bot sends."""
        policy = replace(self.send, rate=self.send_rate, retries=self.rate_limit_retries)
        return FairLimiter(policy)


@dataclass(slots=True)
class BotDeps:
    service: NewsService
    settings: Settings
    options: BotOptions
    flood: Floods
    backlog: ChatBacklog
    limiter: FairLimiter
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
