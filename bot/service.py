"""The one way in: every front end — console chat, ``newsbot ask``/``chat``/``eval``, Telegram
messages, buttons and inline mode — asks its questions through one :class:`NewsService`.

Why one object: what a front end may rely on (one consistent snapshot per answer, follow-up
context per conversation, answer metrics, reload without a restart) is decided here once, so
no front end builds an answerer of its own and drifts from the others.  Reload builds a new
snapshot off the event loop while questions keep being answered from the old one, then swaps
both references in one assignment, so no request ever sees half of a reload.  Only one reload
runs at a time.  After a reload that added or changed articles the service tells its content
listeners (the Telegram wiring registers the digests feature's new-content notice there), so
the reloading code never needs to know who listens.
A question is answered with its snapshot bound (``Knowledge.bound``), so the word segmenter
and lexicon it reads are that snapshot's even while a reload builds or swaps in another.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.answer.context import Conversation
from bot.answer.engine import Answerer
from bot.answer.model import Answer
from bot.content.model import Article
from bot.errors import InputError
from bot.knowledge.build import Builder, Knowledge
from bot.knowledge.diff import KnowledgeDiff, diff
from bot.metrics import Metrics

logger = logging.getLogger(__name__)

MAX_CONVERSATIONS = 10_000
# Greetings and lists are not questions about the articles: they don't count in the rates.
META_INTENTS = frozenset(
    {
        "empty",
        "greet",
        "thanks",
        "bye",
        "who_are_you",
        "help",
        "list_articles",
        "list_topics",
        "language_hint",
    }
)

#: Told after a reload that added or changed articles: (diff, the snapshot that served before).
#: Listeners run while the reload lock is held, so long work (a fan-out) must be scheduled,
#: not awaited.
ContentListener = Callable[[KnowledgeDiff, Knowledge | None], Awaitable[object]]


class KnowledgeSource(Protocol):
    """What builds snapshots: :class:`~bot.knowledge.build.Builder` (from disk) in production."""

    def build(self) -> Knowledge: ...


@dataclass(frozen=True, slots=True)
class FixedSource:
    """A source that always returns one snapshot built elsewhere (benchmarks, tests that build
    several pages): a reload through it changes nothing."""

    knowledge: Knowledge

    def build(self) -> Knowledge:
        return self.knowledge


@dataclass(frozen=True, slots=True)
class Snapshot:
    knowledge: Knowledge
    answerer: Answerer


class NewsService:
    def __init__(
        self,
        seeds: Path | None = None,
        intents: Path | None = None,
        cache_dir: Path | None = None,
        builder: KnowledgeSource | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        if builder is None:
            if seeds is None or intents is None:
                raise TypeError("NewsService needs seeds and intents directories, or a builder")
            builder = Builder(seeds, intents, cache_dir)
        self.builder: KnowledgeSource = builder
        self.metrics = metrics or Metrics()
        self._snapshot: Snapshot | None = None
        self._conversations: OrderedDict[object, Conversation] = OrderedDict()
        self._reload_lock = asyncio.Lock()
        self._listeners: list[ContentListener] = []
        self.started = time.monotonic()

    @classmethod
    def serving(
        cls,
        knowledge: Knowledge,
        answerer: Answerer | None = None,
        *,
        metrics: Metrics | None = None,
    ) -> NewsService:
        """A loaded service over a snapshot built elsewhere (``answerer`` too, when the caller
        already paid for one); see :class:`FixedSource`."""
        service = cls(builder=FixedSource(knowledge), metrics=metrics)
        service._snapshot = Snapshot(knowledge, answerer or Answerer(knowledge))
        return service

    # --- snapshot ------------------------------------------------------------------------

    def load(self) -> Knowledge:
        """First build, synchronous (start-up); raises InputError on bad content."""
        knowledge = self.builder.build()
        self._snapshot = Snapshot(knowledge, _answerer(knowledge))
        return knowledge

    @property
    def snapshot(self) -> Snapshot:
        if self._snapshot is None:
            raise RuntimeError("NewsService.load() has not run")
        return self._snapshot

    @property
    def knowledge(self) -> Knowledge:
        return self.snapshot.knowledge

    async def reload(self) -> KnowledgeDiff:
        """Rebuild from disk in a worker thread, then swap; raises InputError and keeps the
        old snapshot when anything is wrong.  Content listeners hear of added or changed
        articles before this returns."""
        async with self._reload_lock:
            old = self._snapshot
            try:
                knowledge = await asyncio.to_thread(self.builder.build)
            except InputError:
                self.metrics.inc("reload_failures_total")
                raise
            answerer = await asyncio.to_thread(_answerer, knowledge)
            self._snapshot = Snapshot(knowledge, answerer)
            result = diff(old.knowledge if old else None, knowledge)
            self.metrics.inc("reloads_total")
            if result.removed or result.changed or result.rules_changed:
                # Follow-up context names articles and entities of the old snapshot; one that
                # is gone would make the next follow-up resolve against nothing (it crashed
                # the retriever).  Additions leave existing context valid, so it is kept.
                self._conversations.clear()
            logger.info(
                "reloaded knowledge %s (%d added, %d changed, %d removed)",
                knowledge.version,
                len(result.added),
                len(result.changed),
                len(result.removed),
            )
            if result.added or result.changed:
                await self._tell_listeners(result, old.knowledge if old else None)
            return result

    @property
    def reloading(self) -> bool:
        return self._reload_lock.locked()

    # --- content listeners -----------------------------------------------------------------

    def add_content_listener(self, listener: ContentListener) -> Callable[[], None]:
        """Register ``listener`` for new or changed content; returns what unregisters it (a
        front end that stops must, or a later reload would call into a stopped bot)."""
        self._listeners.append(listener)

        def remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return remove

    async def _tell_listeners(self, result: KnowledgeDiff, previous: Knowledge | None) -> None:
        for listener in tuple(self._listeners):
            try:
                await listener(result, previous)
            except Exception:  # a notice must never undo or fail a reload that succeeded
                logger.exception("a content listener failed (the reload itself succeeded)")

    # --- answering -----------------------------------------------------------------------

    def conversation(self, key: object) -> Conversation:
        conversation = self._conversations.get(key)
        if conversation is None:
            turns = self.knowledge.rules.thresholds.context_turns
            conversation = Conversation(turns)
            self._conversations[key] = conversation
            if len(self._conversations) > MAX_CONVERSATIONS:
                self._conversations.popitem(last=False)
        else:
            self._conversations.move_to_end(key)
        return conversation

    def ask(
        self, question: str, conversation_key: object | None = None, language: str = "zh"
    ) -> Answer:
        """Answer ``question`` from one snapshot; with a key, as the next turn of that
        conversation (follow-ups resolve against its earlier turns)."""
        snapshot = self.snapshot  # one consistent snapshot for the whole answer
        conversation = (
            self.conversation(conversation_key) if conversation_key is not None else None
        )
        started = time.perf_counter()
        with snapshot.knowledge.bound():
            answer = snapshot.answerer.answer(question, conversation, language)
        if answer.intent not in META_INTENTS:
            self.metrics.observe_answer(answer.answered, (time.perf_counter() - started) * 1000)
        return answer

    def top_answers(
        self, question: str, limit: int, language: str = "zh"
    ) -> list[tuple[str, Answer]]:
        """(question asked, answer) pairs: ``question`` first, then the related questions its
        answer suggests that are answered, up to ``limit`` in all (inline mode offers a
        choice).  Only the first counts in the metrics: nobody asked the others."""
        snapshot = self.snapshot
        max_chars = snapshot.knowledge.rules.thresholds.max_question_chars
        asked = question[:max_chars]
        first = self.ask(asked, None, language)
        found = [(asked, first)]
        for related in first.suggestions:
            if len(found) >= limit:
                break
            answer = snapshot.answerer.answer(related, None, language)
            if answer.answered:
                found.append((related, answer))
        return found

    def article_summary(self, article: Article, language: str = "zh") -> Answer:
        """The summary answer of one article, as "介绍一下…" would give it."""
        meta = self.snapshot.answerer.meta
        return meta.article_summary(article.title, "summarize_article", article, language)

    def topic_list(self, question: str, language: str = "zh") -> Answer:
        """The topics on the page, as "有哪些话题" would list them."""
        return self.snapshot.answerer.meta.topic_list(question, "list_topics", language)

    @property
    def open_conversations(self) -> int:
        """How many conversations keep follow-up context (bounded by MAX_CONVERSATIONS)."""
        return len(self._conversations)

    def reset(self, conversation_key: object) -> None:
        self._conversations.pop(conversation_key, None)


def _answerer(knowledge: Knowledge) -> Answerer:
    """An answerer made with its snapshot bound (it may read words and lists on start)."""
    with knowledge.bound():
        return Answerer(knowledge)
