"""What scoring needs from a question, prepared once for all its candidates.

:meth:`bot.answer.score.Scorer.plan` makes a :class:`Plan` from a need: each content word
with its weight and the ways an answer may write it, the names with their groups.  While
the question's candidates are scored, the plan remembers which of its words each paragraph
and each section's headings say (:func:`said_by`), so no paragraph is searched twice.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from bot.answer.names import REQUIRED_KINDS
from bot.answer.surfaces import as_the_post, surfaces
from bot.answer.types import kind_of
from bot.knowledge.analysis import CONCEPT_PREFIX
from bot.knowledge.build import Knowledge
from bot.knowledge.entities import Entity
from bot.nlu.need import Need

Place = tuple[str, int, int] | tuple[str, int]  # a paragraph, or a section's headings


@dataclass(frozen=True, slots=True)
class PlanItem:
    item: str  # a content word or ≈concept of the question
    weight: float
    surfaces: tuple[str, ...]
    concept: bool
    unknown: bool  # a plain word the corpus never uses
    single: str | None  # the one surface, when there is one (the common case, tested fast)
    role: bool = False  # a title (主任): not said by 副主任 / 常务副主任, another post

    def written_in(self, text: str) -> bool:
        """Whether ``text`` (a sentence, paragraph or heading) writes the item — a title as
        that post, not only inside a deputy's."""
        if self.role:
            return any(as_the_post(text, s) for s in self.surfaces)
        one = self.single
        if one is not None:
            return one in text
        return any(s in text for s in self.surfaces)


@dataclass(frozen=True, slots=True)
class Plan:
    """A need prepared for scoring many sentences."""

    items: tuple[PlanItem, ...]
    total: float
    names: tuple[tuple[Entity, frozenset[str], bool], ...]  # entity, its group, required
    name_like: tuple[str, ...]
    # paragraph or section → which items it says: filled while one question's candidates
    # are scored
    memo: dict[Place, tuple[bool, ...]] = field(default_factory=dict, compare=False)


def said_by(plan: Plan, place: Place, text: str) -> tuple[bool, ...]:
    """Which of the plan's items a paragraph (or a section's headings) says: worked out
    once per question and place, since a paragraph holds several candidates."""
    said = plan.memo.get(place)
    if said is None:
        said = plan.memo[place] = tuple(item.written_in(text) for item in plan.items)
    return said


def make_plan(
    k: Knowledge, need: Need, roles: Collection[str], name_like: Callable[[str], bool]
) -> Plan:
    """Each content word of ``need`` with its weight and the ways a sentence may write it
    (``roles``: titles, which a deputy's title does not say), and the names with their
    groups (``name_like``: plain words that must be near the answer like names)."""
    heads = k.lexicon.head_asked
    items = tuple(
        PlanItem(
            item,
            _weight(k, item, need),
            written,
            item.startswith(CONCEPT_PREFIX),
            not item.startswith(CONCEPT_PREFIX) and not k.index.df(item),
            written[0] if len(written) == 1 else None,
            item in roles or not heads.isdisjoint(written),  # not said by 副董事长
        )
        for item in (*need.concepts, *need.terms)
        for written in (surfaces(k, item),)
    )
    names = tuple((e, k.entities.group(e.key), e.kind in REQUIRED_KINDS) for e in need.names)
    return Plan(items, sum(i.weight for i in items), names, tuple(filter(name_like, need.terms)))


def _weight(k: Knowledge, item: str, need: Need) -> float:
    """IDF; single characters (大, 投) say little on their own and count less, while a
    real word the articles never use (毕业, 当上) is what a near-miss question hinges on
    and counts more."""
    w = k.rules.scoring
    weight = k.index.idf(item)
    if len(item) == 1:
        weight *= w.single_char_weight
    elif (
        not kind_of(need.answer).fact_typed
        and not item.startswith(CONCEPT_PREFIX)
        and not k.index.df(item)
    ):
        weight *= w.unknown_word_weight  # open questions have no fact type to check
    return weight
