"""Related questions the bot can answer, generated from a section's facts and verified.

Every suggestion is asked of the bot itself before it is offered: a button that leads to
"the articles don't say" would be worse than no button.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.answer.types import owner_of
from bot.answer.types.base import SuggestInput
from bot.content.model import Fact, FactKind, Sentence
from bot.knowledge.build import Knowledge
from bot.knowledge.entities import EntityKind
from bot.nlu import resources

# Answers a question; returns the key of the sentence it answers from, if in that section.
Verifier = Callable[[str, str, int], int | None]


def _short_name(aliases: tuple[str, ...]) -> str:
    """The name a reader would use: the longest alias of at most six characters."""
    short = [a for a in aliases if len(a) <= 6]
    return max(short, key=len) if short else min(aliases, key=len)


class Suggester:
    def __init__(self, knowledge: Knowledge, verify: Verifier) -> None:
        self.k = knowledge
        self.verify = verify
        self.answers: dict[str, int] = {}  # suggestion → the sentence it leads to
        self.kinds: dict[str, FactKind] = {}  # suggestion → the kind of fact it asks for

    def for_section(self, article_id: str, section: int) -> tuple[str, ...]:
        w = self.k.rules.scoring
        article = self.k.article(article_id)
        if article is None or section >= len(article.sections):
            return ()
        candidates: list[str] = []
        for paragraph in article.sections[section].paragraphs:
            for sentence in paragraph.sentences:
                for fact in sentence.facts:
                    question = self._question(sentence, fact)
                    if question and question not in candidates:
                        candidates.append(question)
                        self.kinds.setdefault(question, fact.kind)
                if len(candidates) >= w.suggest_candidates:
                    break
        verified = []
        taken: set[int] = set()  # one suggestion per sentence: two would answer the same
        for question in candidates[: w.suggest_candidates]:
            key = self.verify(question, article_id, section)
            if key is not None and key not in taken:
                taken.add(key)
                self.answers[question] = key
                verified.append(question)
        return tuple(verified[: w.suggest_per_section])

    def _question(self, sentence: Sentence, fact: Fact) -> str | None:
        """The question the type owning the fact's kind asks about it (a person's role, an
        amount, a rank), if any."""
        owner = owner_of(fact.kind)
        if owner is None or owner.suggest is None:
            return None
        responses = self.k.rules.responses
        return owner.suggest(
            SuggestInput(sentence, fact, responses, lambda: self._subject(sentence, fact))
        )

    def _subject(self, sentence: Sentence, fact: Fact) -> str | None:
        """Who the fact is about: the organisation or person named closest before it (a
        person stands for their organisation: 陈宏志告诉记者，新工厂投资… is about 和天电子),
        else a place."""
        text = resources.normalised(sentence.text)
        table = self.k.entities
        named: list[tuple[int, str]] = []
        places: list[tuple[int, str]] = []
        for match in self.k.lexicons.aliases.find(text):
            entity = table.by_alias(match.phrase)
            if entity is None or not entity.is_named or match.start >= fact.start:
                continue
            if entity.kind is EntityKind.PLACE:
                places.append((match.start, sentence.text[match.start : match.end]))
                continue
            if entity.kind is EntityKind.PERSON:
                orgs = [table.entities[o] for _, o in entity.roles if o in table.entities]
                if orgs:
                    named.append((match.start, _short_name(orgs[0].aliases)))
                    continue
            named.append((match.start, sentence.text[match.start : match.end]))
        chosen = max(named or places, default=None)
        return chosen[1] if chosen else None
