"""Conversation memory for follow-ups: "他们一年营收多少？", "研发团队呢？", "是哪一年成立的？"."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace

from bot.answer.types import kind_of
from bot.knowledge.analysis import CONCEPT_PREFIX
from bot.knowledge.entities import Entity, EntityKind
from bot.nlu.need import Need, need_from_query
from bot.nlu.understand import COUNTED_PHRASE, Query
from bot.rules.model import AnswerType

PERSON_PRONOUNS = ("他", "她")
SHOWN_SUGGESTIONS = 6  # two answers' worth of buttons


@dataclass(frozen=True, slots=True)
class Turn:
    need: Need
    answered: bool
    article_id: str | None = None
    key: int | None = None  # the sentence quoted, when one was


class Conversation:
    """The last few turns of one chat; the engine reads and appends, nothing else."""

    def __init__(self, max_turns: int = 3) -> None:
        self.turns: deque[Turn] = deque(maxlen=max(1, max_turns))
        # suggestions offered over the last few answers: the next ones differ when they can
        self.shown: deque[str] = deque(maxlen=SHOWN_SUGGESTIONS)

    def offered(self, suggestions: tuple[str, ...]) -> None:
        self.shown.extend(suggestions)

    def last(self) -> Turn | None:
        return self.turns[-1] if self.turns else None

    def record(self, turn: Turn) -> None:
        self.turns.append(turn)

    def reset(self) -> None:
        self.turns.clear()
        self.shown.clear()


def resolve(query: Query, conversation: Conversation | None) -> tuple[Need, bool]:
    """The need of ``query`` with pronouns and ellipsis filled from the previous turn.

    Returns the need and whether context was used.
    """
    need = need_from_query(query)
    previous = conversation.last() if conversation else None
    if previous is None:
        return need, False
    if query.ellipsis and (query.classification.intent is None or kind_of(need.answer).inherits):
        return _ellipsis(need, previous.need), True
    if query.pronoun:
        assert conversation is not None
        earlier = [t.need for t in reversed(conversation.turns)]
        return _with_names(need, _referent(query, earlier)), True
    return need, False


def with_previous_names(query: Query, conversation: Conversation | None) -> Need | None:
    """A bare follow-up ("是哪一年成立的？") read as being about the previous turn's names."""
    need = need_from_query(query)
    previous = conversation.last() if conversation else None
    if previous is None or need.names or not previous.need.names:
        return None
    named = [e for e in previous.need.names if e.kind is not EntityKind.PLACE]
    return _with_names(need, tuple((named or list(previous.need.names))[:1]))


def _referent(query: Query, needs: list[Need]) -> tuple[Entity, ...]:
    """Who a pronoun points at: for 他/她 the previous turn's person or, when that turn named
    none (他们村… asked in between), the latest person named before it; else the previous
    turn's other names first."""
    previous = needs[0]
    wants_person = any(p in query.text for p in PERSON_PRONOUNS) and not any(
        p in query.text for p in ("他们", "她们")
    )
    named = [[e for e in n.names if e.kind is EntityKind.PERSON] for n in needs]
    people = next((p for p in named if p), []) if wants_person else named[0]
    others = [e for e in previous.names if e.kind is not EntityKind.PERSON]
    ordered = (people + others) if wants_person else (others + people)
    return tuple(ordered[:1])


def _without_swapped(previous: Need, concepts: tuple[str, ...]) -> tuple[str, ...]:
    """ "入境游客呢？" after "接待了多少国内游客": 国内游客 is the item swapped out, so its words
    go; the rest of the question (接待) stays."""
    keys = [c.removeprefix(CONCEPT_PREFIX) for c in concepts]
    phrases = [w[1:] for w in previous.counted if w.startswith(COUNTED_PHRASE)]
    return tuple(
        t
        for t in previous.terms
        if not any(t in k for k in keys)
        and not any(t in p and any(p[-2:] in k for k in keys) for p in phrases)
    )


def _with_names(need: Need, names: tuple[Entity, ...]) -> Need:
    merged = tuple(dict.fromkeys((*need.names, *names)))
    return replace(need, names=merged)


def _ellipsis(new: Need, previous: Need) -> Need:
    """Reuse the previous question, swapping in what the follow-up names."""
    if new.year is None and new.year_offset is None:
        new = replace(new, year=previous.year, year_offset=previous.year_offset)
    if new.page_time is None:
        new = replace(new, page_time=previous.page_time)  # still the pages of 1月19日
    answer = previous.answer if kind_of(new.answer).inherits else new.answer
    if new.answer is AnswerType.ANY:
        answer = kind_of(previous.answer).followup or answer  # "研发团队呢？" after a count
    if not new.terms:
        kinds = {e.kind for e in new.names}
        names = tuple(e for e in previous.names if e.kind not in kinds) + new.names
        concepts = new.concepts or previous.concepts
        terms = previous.terms
        if new.concepts and not new.names:
            concepts = new.concepts
            terms = _without_swapped(previous, new.concepts)
        return replace(new, answer=answer, unit=None, names=names, concepts=concepts, terms=terms)
    return replace(new, answer=answer, unit=None, names=new.names or previous.names)
