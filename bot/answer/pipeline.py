"""The staged answering pipeline over one typed message.

    normalise → segment → names → slots → classify      (bot.nlu.understand)
    → need (+ conversation)                              (bot.nlu.need, bot.answer.context)
    → candidate pool → score → accept                    (bot.answer.retrieve)
    → choose fact → compose                              (bot.answer.choose, bot.answer.compose)

Each stage is its own module with one job; this one only runs them in order and hands the
answer type's own behaviour (narrowing facts, reading an agent, quoting the next sentence)
from the registry (:mod:`bot.answer.types`) to the stages that use it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.answer.backend import RetrievalBackend
from bot.answer.choose import choose_fact, facts_after_a_change, facts_of_the_time_asked
from bot.answer.compose import extend_with_cue, quote_for, summary_for
from bot.answer.context import Conversation, resolve, with_previous_names
from bot.answer.model import Source
from bot.answer.retrieve import Candidate, Retriever
from bot.answer.types import kind_of
from bot.knowledge.build import Knowledge
from bot.nlu import homophones
from bot.nlu.need import Need
from bot.nlu.understand import Query, understand

_ANYTHING = re.compile("")  # extend with the next sentence whatever it says


@dataclass(frozen=True, slots=True)
class Found:
    """What the retrieval stages made of a question: its need and the accepted sentence."""

    need: Need
    candidate: Candidate | None
    used_context: bool


@dataclass(frozen=True, slots=True)
class Composed:
    summary: str
    quote: str
    source: Source


class Pipeline:
    """Per snapshot: the stages and their caches."""

    def __init__(self, knowledge: Knowledge, backend: RetrievalBackend | None = None) -> None:
        self.k = knowledge
        self.retriever = Retriever(knowledge, backend)
        self.dates = self.retriever.pool.dates
        homophones.prepare(knowledge)

    def read(self, question: str, today: dt.date | None = None) -> Query:
        return understand(question, self.k, today)

    def find(self, query: Query, conversation: Conversation | None) -> Found:
        """The need (with pronouns and ellipsis resolved) and the sentence that answers it.

        A bare follow-up ("是哪一年成立的？" / "向哪个海关申报的？") is read as being about the
        previous turn's names, unless the question stands much better on its own."""
        need, used_context = resolve(query, conversation)
        candidate = self.retriever.best(need)
        bare = None if used_context else with_previous_names(query, conversation)
        if bare is not None:
            in_context = self.retriever.best(bare)
            margin = self.k.rules.scoring.context_margin
            if in_context is not None and (
                candidate is None or in_context.confidence >= candidate.confidence - margin
            ):
                return Found(bare, in_context, True)
        short = len(query.text) <= self.k.rules.scoring.followup_max_chars
        if not used_context and not need.names and short:
            nearby = self._near_the_last_quote(need, conversation)
            margin = self.k.rules.scoring.context_margin
            if nearby is not None and (
                candidate is None or nearby.confidence >= candidate.confidence - margin
            ):
                return Found(need, nearby, True)
        return Found(need, candidate, used_context)

    def _announces(self, text: str) -> bool:
        """A sentence that only introduces what follows: it ends with a colon, or is a short
        topic sentence (at most ``announcing_max_chars``)."""
        body = text.rstrip()
        return body.endswith(("：", ":")) or len(body) <= self.k.rules.scoring.announcing_max_chars

    def _near_the_last_quote(
        self, need: Need, conversation: Conversation | None
    ) -> Candidate | None:
        """ "同比增长了多少？" after "成交额是多少？": a short follow-up naming nothing is about
        what the last answer quoted — of the acceptable sentences of its article (nearly as good as
        the best), the one nearest that quote."""
        last = conversation.last() if conversation is not None else None
        if last is None or last.key is None or last.article_id is None:
            return None
        quoted = last.key
        keys = self.k.index.article_keys.get(last.article_id, ())
        ranked = [c for c in self.retriever.rank(need, keys) if self.retriever.acceptable(need, c)]
        if not ranked:
            return None
        floor = ranked[0].confidence - self.k.rules.scoring.context_margin
        near = [c for c in ranked if c.confidence >= floor]
        return min(near, key=lambda c: abs(c.key - quoted))

    def _word_weight(self, need: Need) -> Callable[[str], float]:
        """How much a question word says which of a sentence's facts answers: its rarity,
        more for the word the figure is asked of (快充桩 of 快充桩有多少个)."""
        idf, asked = self.k.index.idf, need.attribute
        boost = self.k.rules.scoring.attribute_weight
        return lambda word: idf(word) * (boost if word == asked else 1.0)

    def compose(self, query: Query, need: Need, c: Candidate) -> Composed:
        """Choose the fact, then write the summary and cut the quote."""
        kind = kind_of(need.answer)
        text = c.sentence.text
        focus = [n.surface for n in query.names] + list(query.terms)
        focus += [a for e in need.names for a in e.aliases]
        facts = facts_of_the_time_asked(c.facts, text, need.tense)
        facts = facts_after_a_change(facts, text, need.tense, self.k.rules.scoring.change_tail)
        if kind.narrow is not None:
            facts = kind.narrow(facts, query.text)
        words = self.retriever.words(need)  # terms, and each concept as written (面积)
        fact = choose_fact(text, facts, focus, words, self._word_weight(need))
        if kind.choose is not None:
            fact = kind.choose(text, words, self.k.rules.scoring) or fact
        section = c.article.sections[c.ref.section]
        paragraph = section.paragraphs[c.ref.paragraph]
        quote = quote_for(text, fact)
        if c.type_fit < 1.0 and kind.cued and quote == text:
            # the sentence lacks the cue word: the next one may give the reason or method
            cue = self.k.rules.scoring.cue(need.answer.value)
            quote = extend_with_cue(paragraph, c.ref.index, cue) or quote
        if not c.facts and quote == text and self._announces(text):
            # "当然，这一产业也还有短板。" / "…有三点：": what it announces comes next
            quote = extend_with_cue(paragraph, c.ref.index, _ANYTHING) or quote
        source = Source(
            c.article.id,
            c.article.title,
            section.heading,
            c.article.file,
            c.sentence.line,
            c.ref.section,
            c.ref.paragraph,
            self.dates.of(c.article),
        )
        return Composed(summary_for(text, fact, self.k, need.terms), quote, source)
