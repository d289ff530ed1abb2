"""Related questions the bot can answer, generated from a section's facts and verified.

Every suggestion is asked of the bot itself before it is offered: a button that leads to
"the articles don't say" would be worse than no button.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.content.lexicon import lexicon
from bot.content.model import Fact, FactKind, Sentence
from bot.knowledge.build import Knowledge
from bot.knowledge.entities import EntityKind
from bot.text import tokenizer
from bot.text.normalize import normalize

MAX_CANDIDATES = 8
MAX_PER_SECTION = 4

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

    def for_section(self, article_id: str, section: int) -> tuple[str, ...]:
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
                if len(candidates) >= MAX_CANDIDATES:
                    break
        verified = []
        for question in candidates[:MAX_CANDIDATES]:
            key = self.verify(question, article_id, section)
            if key is not None and key not in self.answers.values():
                self.answers[question] = key
                verified.append(question)
        return tuple(verified[:MAX_PER_SECTION])

    def _question(self, sentence: Sentence, fact: Fact) -> str | None:
        responses = self.k.rules.responses
        if fact.kind is FactKind.PERSON and fact.role and fact.org:
            role = fact.role.split("、")[-1]
            if role in ("记者", "通讯员"):
                return None
            return responses.text("suggest_person", "zh", org=fact.org, role=role)
        subject = self._subject(sentence, fact)
        if subject is None:
            return None
        if fact.kind is FactKind.MONEY:
            word = self._word_before(sentence.text, fact.start)
            if word in lexicon().money_verbs:
                return responses.text("suggest_money", "zh", subject=subject, verb=word)
            if (
                word
                and tokenizer.is_word(word)
                and word not in lexicon().rank_words
                and (word not in tokenizer.boundary_words() or word in lexicon().amount_nouns)
            ):
                # a noun (经费, 营收): "信维电科的经费是多少？", not "信维电科经费了多少钱？";
                # never a verb (完成15亿元融资 → not "…的完成是多少？")
                return responses.text("suggest_amount", "zh", subject=subject, noun=word)
        if fact.kind is FactKind.RANK and "第" in fact.text:
            return responses.text("suggest_rank", "zh", subject=subject)
        return None

    def _subject(self, sentence: Sentence, fact: Fact) -> str | None:
        """Who the fact is about: the organisation or person named closest before it (a
        person stands for their organisation: 陈宏志告诉记者，新工厂投资… is about 和天电子),
        else a place."""
        text = normalize(sentence.text)
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

    @staticmethod
    def _word_before(text: str, position: int) -> str | None:
        tokens = tokenizer.cut(text[max(0, position - 8) : position])
        word = tokens[-1] if tokens else ""
        if len(word) == 2 and all("\u4e00" <= c <= "\u9fff" for c in word):
            return word
        return None
