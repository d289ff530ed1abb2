"""The running service's core: the current Knowledge, its answerer, per-chat conversations.

Front ends (console, Telegram) share this.  Reload builds a new snapshot off the event loop
while questions keep being answered from the old one, then swaps both references in one
assignment, so no request ever sees half of a reload.  Only one reload runs at a time.
A question is answered with its snapshot bound (``Knowledge.bound``), so the word segmenter
and lexicon it reads are that snapshot's even while a reload builds or swaps in another.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from bot.answer.context import Conversation
from bot.answer.engine import Answerer
from bot.answer.model import Answer
from bot.errors import InputError
from bot.knowledge.build import Builder, Knowledge
from bot.knowledge.diff import KnowledgeDiff, diff
from bot.metrics import Metrics

logger = logging.getLogger(__name__)

MAX_CONVERSATIONS = 10_000
# Greetings and lists are not questions about the articles: they don't count in the rates.
META_INTENTS = frozenset(
    {"empty", "greet", "thanks", "bye", "who_are_you", "help", "list_articles", "list_topics"}
)


@dataclass(frozen=True, slots=True)
class Snapshot:
    knowledge: Knowledge
    answerer: Answerer


class NewsService:
    def __init__(
        self,
        seeds: Path,
        intents: Path,
        cache_dir: Path | None = None,
        builder: Builder | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.builder = builder or Builder(seeds, intents, cache_dir)
        self.metrics = metrics or Metrics()
        self._snapshot: Snapshot | None = None
        self._conversations: OrderedDict[object, Conversation] = OrderedDict()
        self._reload_lock = asyncio.Lock()
        self.started = time.monotonic()

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
        old snapshot when anything is wrong."""
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
            return result

    @property
    def reloading(self) -> bool:
        return self._reload_lock.locked()

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

    def reset(self, conversation_key: object) -> None:
        self._conversations.pop(conversation_key, None)


def _answerer(knowledge: Knowledge) -> Answerer:
    """An answerer made with its snapshot bound (it may read words and lists on start)."""
    with knowledge.bound():
        return Answerer(knowledge)
