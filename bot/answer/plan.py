"""What scoring needs from a question, prepared once for all its candidates.

:meth:`bot.answer.score.Scorer.plan` makes a :class:`Plan` from a need: each content word
with its weight and the ways an answer may write it, the names with their groups.  While
the question's candidates are scored, the plan remembers which of its words each paragraph
and each section's headings say (:func:`said_by`), so no paragraph is searched twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.answer.surfaces import as_the_post
from bot.knowledge.entities import Entity

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
