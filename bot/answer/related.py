"""Which verified suggestions go under an answer or a decline.

The pool is the suggestions the bot has verified (:mod:`bot.answer.suggest`) for the answer's
section, the rest of its article and the other articles naming the same organisations and
people.  Those about a name of the answer come first, then those of its own section; the
question just asked (however it was written) and a suggestion that leads back to the sentence
just quoted are never offered; and what this chat was shown over its last answers is offered
only when nothing else is left, so that two answers about one section do not end with the
same three buttons.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.knowledge.analysis import ENTITY_PREFIX
from bot.knowledge.build import Knowledge
from bot.nlu import resources

# The verified suggestions of one section: (article id, section) → questions
SectionSuggestions = Callable[[str, int], tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Wanted:
    """What the suggestions are for."""

    asked: str  # the question just asked, as written
    articles: Sequence[str]  # article ids, the answer's (or the named entity's) first
    section: int | None = None  # the answer's section in the first article
    names: frozenset[str] = frozenset()  # entity keys the answer is about
    answered: int | None = None  # the key of the sentence quoted
    shown: Collection[str] = ()  # what this chat was offered lately


class Related:
    def __init__(
        self, knowledge: Knowledge, for_section: SectionSuggestions, leads: Mapping[str, int]
    ) -> None:
        self.k = knowledge
        self.for_section = for_section
        self.leads = leads  # suggestion → the sentence it is answered from

    def pick(self, wanted: Wanted) -> tuple[str, ...]:
        limit = self.k.rules.thresholds.suggestions
        asked = resources.normalised(wanted.asked)
        aliases = self._aliases(wanted.names)
        ranked: list[tuple[int, int, int, str]] = []  # about a name?, own section?, order
        seen: set[str] = set()
        for order, (question, own_section) in enumerate(self._pool(wanted)):
            if question in seen or resources.normalised(question) == asked:
                continue
            seen.add(question)
            if wanted.answered is not None and self.leads.get(question) == wanted.answered:
                continue  # it would quote the sentence just shown
            about = any(a in question for a in aliases)
            ranked.append((0 if about else 1, 0 if own_section else 1, order, question))
        ranked.sort()
        return _fresh_first([q for *_, q in ranked], wanted.shown)[:limit]

    def varied(
        self, pool: Sequence[str], shown: Collection[str], kinds: Mapping[str, Hashable]
    ) -> tuple[str, ...]:
        """Up to the limit from ``pool``: not shown lately and of a kind not yet taken
        first, then not shown lately, then the rest, each in pool order."""
        limit = self.k.rules.thresholds.suggestions
        ordered = _fresh_first(pool, shown)
        chosen: list[str] = []
        taken: set[Hashable] = set()
        for question in ordered:
            kind = kinds.get(question, question)
            if question not in shown and kind not in taken:
                chosen.append(question)
                taken.add(kind)
        return tuple(dict.fromkeys([*chosen, *ordered]))[:limit]

    def _pool(self, wanted: Wanted) -> Iterable[tuple[str, bool]]:
        """Suggestions with whether they are of the answer's own section: that section,
        the rest of its article, then the other articles in turn."""
        for position, article_id in enumerate(wanted.articles):
            article = self.k.article(article_id)
            if article is None:
                continue
            first = wanted.section if position == 0 else None
            order = [first] if first is not None and first < len(article.sections) else []
            order += [s for s in range(len(article.sections)) if s != first]
            for section in order:
                for question in self.for_section(article_id, section):
                    yield question, section == first

    def _aliases(self, keys: frozenset[str]) -> tuple[str, ...]:
        table = self.k.entities.entities
        return tuple(
            a for key in keys if key in table and table[key].is_named for a in table[key].aliases
        )

    def articles_naming(self, keys: Sequence[str], first: str | None, most: int) -> list[str]:
        """``first``, then up to ``most`` other articles naming one of the entities, taken
        entity by entity in the order given (never a set's order: the same question must get
        the same buttons in every process)."""
        found = [first] if first else []
        for key in keys:
            for sentence in self.k.index.postings.get(ENTITY_PREFIX + key, ()):
                ref = self.k.index.refs.get(sentence)
                if ref is not None and ref.article_id not in found:
                    found.append(ref.article_id)
                if len(found) > most:
                    return found
        return found


def _fresh_first(questions: Sequence[str], shown: Collection[str]) -> tuple[str, ...]:
    """``questions`` without repeats, those not shown lately first, each in their order."""
    unique = list(dict.fromkeys(questions))
    return tuple([q for q in unique if q not in shown] + [q for q in unique if q in shown])
