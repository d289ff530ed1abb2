"""The three example questions under ``/start``: answerable, and of different kinds.

Why checked at run time: the editors' favourites live in ``responses.yaml``
(``tg_start_examples``, one question a line), but a reload can take away the article one of
them was about.  So each candidate is asked through the current snapshot, and only those the
bot answers *from a source* are kept, one per answer kind (a money question, a ranking, an
article summary…) so a newcomer sees the range; the answerer's own starter suggestions fill
any gap.  Computed once per snapshot (a few milliseconds), then cached.
"""

from __future__ import annotations

import logging
from typing import Final

from bot.service import NewsService, Snapshot

logger = logging.getLogger(__name__)

EXAMPLE_COUNT: Final = 3  # buttons under /start (the brief's "three examples")


class StartExamples:
    """The examples of the snapshot being served, recomputed after a reload."""

    def __init__(self) -> None:
        self._snapshot: Snapshot | None = None
        self._questions: tuple[str, ...] = ()

    def questions(self, service: NewsService) -> tuple[str, ...]:
        snapshot = service.snapshot
        if snapshot is not self._snapshot:
            self._questions = pick_examples(snapshot)
            self._snapshot = snapshot
            logger.debug("start examples: %d chosen", len(self._questions))
        return self._questions


def candidates(snapshot: Snapshot) -> list[str]:
    """Editors' examples first, then the answerer's starter suggestions, without repeats."""
    responses = snapshot.knowledge.rules.responses
    listed = (
        responses.text("tg_start_examples", "zh") if responses.has("tg_start_examples") else ""
    )
    found = [line.strip() for line in listed.splitlines() if line.strip()]
    found += snapshot.answerer.starter_suggestions()
    return list(dict.fromkeys(found))


def pick_examples(snapshot: Snapshot, count: int = EXAMPLE_COUNT) -> tuple[str, ...]:
    """Up to ``count`` candidates the snapshot answers from a source, distinct kinds first."""
    answered: list[tuple[str, str]] = []
    for question in candidates(snapshot):
        answer = snapshot.answerer.answer(question, None, "zh")
        if answer.answered and answer.source is not None:
            answered.append((question, answer.intent))
    chosen: list[str] = []
    kinds: set[str] = set()
    for question, intent in answered:
        if intent not in kinds and len(chosen) < count:
            chosen.append(question)
            kinds.add(intent)
    for question, _intent in answered:  # not enough kinds: repeat one
        if question not in chosen and len(chosen) < count:
            chosen.append(question)
    return tuple(chosen)
