"""The answerer: question + conversation → Answer.  The one entry point every front end uses."""

from __future__ import annotations

import logging
from collections import OrderedDict

from bot.answer.choose import agent_fact, choose_fact, facts_of_the_time_asked, ranks_asked
from bot.answer.compose import extend_with_cue, quote_for, summary_for
from bot.answer.context import Conversation, Turn, resolve, with_previous_names
from bot.answer.meta import MetaResponder
from bot.answer.model import Answer, Source
from bot.answer.retrieve import CUES, Candidate, Need, Retriever
from bot.answer.suggest import Suggester
from bot.content.model import FactKind
from bot.knowledge.build import Knowledge
from bot.nlu.understand import Query, understand
from bot.rules.model import AnswerType, IntentKind
from bot.text import tokenizer
from bot.text.normalize import clean_control

logger = logging.getLogger(__name__)

SUGGESTION_CACHE_SIZE = 512
CONTEXT_MARGIN = 0.05  # a follow-up reading wins unless the standalone one is this much better


class Answerer:
    """Stateless apart from caches; conversation state is passed in by the caller."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self.retriever = Retriever(knowledge)
        self.meta = MetaResponder(knowledge)
        self.suggester = Suggester(knowledge, self._verify)
        self._suggestions: OrderedDict[tuple[str, int], tuple[str, ...]] = OrderedDict()
        tokenizer.proper_nouns()  # loaded now, not on the first question (≈0.1 s)

    # --- public --------------------------------------------------------------------------

    def answer(
        self, question: str, conversation: Conversation | None = None, language: str = "zh"
    ) -> Answer:
        question = clean_control(question)
        responses = self.knowledge.rules.responses
        if not question.strip():
            return Answer(question, True, "empty", 1.0, responses.text("empty", language))
        query = understand(question, self.knowledge)
        intent = query.classification.intent
        if intent is not None and intent.kind is not IntentKind.QUESTION:
            meta = self.meta.respond(query, intent, language)
            if conversation is not None and meta.source is not None:
                conversation.record(
                    Turn(Need(AnswerType.ANY, None, (), (), ()), True, meta.source.article_id)
                )
            return meta
        need, used_context = resolve(query, conversation)
        candidate = self.retriever.best(need)
        bare = None if used_context else with_previous_names(query, conversation)
        if bare is not None:
            # "是哪一年成立的？" / "向哪个海关申报的？": about the previous turn's names, unless
            # the question stands much better on its own.
            in_context = self.retriever.best(bare)
            if in_context is not None and (
                candidate is None or in_context.confidence >= candidate.confidence - CONTEXT_MARGIN
            ):
                candidate, need = in_context, bare
        if conversation is not None:
            conversation.record(
                Turn(need, candidate is not None, candidate.ref.article_id if candidate else None)
            )
        if candidate is None:
            return self._decline(query, need, language)
        return self._answered(query, need, candidate, language)

    # --- composing -----------------------------------------------------------------------

    def _answered(self, query: Query, need: Need, c: Candidate, language: str) -> Answer:
        focus = [n.surface for n in query.names] + list(query.terms)
        focus += [a for e in need.names for a in e.aliases]
        facts = facts_of_the_time_asked(c.facts, c.sentence.text, need.tense)
        if need.answer is AnswerType.RANK:
            facts = ranks_asked(facts, query.text)
        words = self.retriever.words(need)  # terms, and each concept as written (面积)
        fact = choose_fact(c.sentence.text, facts, focus, words)
        if need.answer is AnswerType.PERSON:
            fact = agent_fact(c.sentence.text, words) or fact
        org_name = None
        if fact is not None and fact.kind is FactKind.PERSON:
            person = self.knowledge.entities.by_alias(str(fact.value))
            if person is not None:
                org_name = next(
                    (
                        self.knowledge.entities.entities[o].name
                        for _, o in person.roles
                        if o in self.knowledge.entities.entities
                    ),
                    None,
                )
        section = c.article.sections[c.ref.section]
        paragraph = section.paragraphs[c.ref.paragraph]
        quote = quote_for(c.sentence.text, fact)
        if c.type_fit < 1.0 and need.answer in CUES and quote == c.sentence.text:
            quote = extend_with_cue(paragraph, c.ref.index, CUES[need.answer]) or quote
        source = Source(
            c.article.id,
            c.article.title,
            section.heading,
            c.article.file,
            c.sentence.line,
            c.ref.section,
            c.ref.paragraph,
        )
        intent = query.classification.intent
        topics = self.knowledge.topics.by_section.get((c.article.id, c.ref.section), ())
        return Answer(
            question=query.raw,
            answered=True,
            intent=intent.id if intent else "ask_general",
            confidence=min(1.0, c.confidence),
            summary=summary_for(c.sentence.text, fact, org_name, need.terms),
            quote=quote,
            source=source,
            suggestions=self._related(c, query.raw),
            topic=topics[0] if topics else None,
        )

    def _organisation_of(self, person_name: str) -> str | None:
        table = self.knowledge.entities
        person = table.by_alias(person_name)
        if person is None:
            return None
        return next((table.entities[o].name for _, o in person.roles if o in table.entities), None)

    def _decline(self, query: Query, need: Need, language: str) -> Answer:
        responses = self.knowledge.rules.responses
        named = [n for n in query.names if n.entity.is_named]
        suggestions: tuple[str, ...] = ()
        article_id = None
        if named:
            article_id = self._article_of(named[0].entity.key)
        if article_id is not None:
            suggestions = self.suggestions_for_article(article_id, exclude=query.raw)
        if not suggestions:
            suggestions = self.starter_suggestions()
        if named and article_id is not None:
            summary = (
                responses.text("decline_near_miss", language, entity=named[0].entity.name)
                + responses.text("decline_with_suggestions", language)[
                    len(responses.text("decline", language)) :
                ]
            )
        else:
            summary = responses.text(
                "decline_with_suggestions" if suggestions else "decline", language
            )
        intent = query.classification.intent
        return Answer(
            query.raw,
            False,
            intent.id if intent else "ask_general",
            0.0,
            summary,
            None,
            None,
            suggestions,
        )

    def _article_of(self, entity_key: str) -> str | None:
        keys = self.knowledge.index.postings.get("@" + entity_key)
        if not keys:
            return None
        ref = self.knowledge.index.refs.get(keys[0])
        return ref.article_id if ref else None

    # --- suggestions ---------------------------------------------------------------------

    def suggestions_for(
        self, article_id: str, section: int, exclude: str = "", *, answered: int | None = None
    ) -> tuple[str, ...]:
        """Verified questions about a section; ``answered`` drops those that lead back to
        the sentence just quoted (和天电子有限公司的董事长是谁？ after 和天电子的董事长是谁？)."""
        key = (article_id, section)
        cached = self._suggestions.get(key)
        if cached is None:
            cached = self.suggester.for_section(article_id, section)
            self._suggestions[key] = cached
            if len(self._suggestions) > SUGGESTION_CACHE_SIZE:
                self._suggestions.popitem(last=False)
        else:
            self._suggestions.move_to_end(key)
        limit = self.knowledge.rules.thresholds.suggestions
        leads = self.suggester.answers
        return tuple(
            s for s in cached if s != exclude and (answered is None or leads.get(s) != answered)
        )[:limit]

    def _related(self, c: Candidate, question: str) -> tuple[str, ...]:
        """The section's suggestions, topped up from the rest of the article."""
        found = list(self.suggestions_for(c.article.id, c.ref.section, question, answered=c.key))
        limit = self.knowledge.rules.thresholds.suggestions
        for index in range(len(c.article.sections)):
            if len(found) >= limit:
                break
            if index != c.ref.section:
                found += self.suggestions_for(c.article.id, index, question, answered=c.key)
        return tuple(dict.fromkeys(found))[:limit]

    def suggestions_for_article(self, article_id: str, exclude: str = "") -> tuple[str, ...]:
        article = self.knowledge.article(article_id)
        if article is None:
            return ()
        found: list[str] = []
        for index in range(len(article.sections)):
            found += self.suggestions_for(article_id, index, exclude)
        limit = self.knowledge.rules.thresholds.suggestions
        return tuple(dict.fromkeys(found))[:limit]

    def starter_suggestions(self) -> tuple[str, ...]:
        found: list[str] = []
        limit = self.knowledge.rules.thresholds.suggestions
        for article in self.knowledge.articles:
            found += self.suggestions_for(article.id, 0)[:1]
            if len(found) >= limit:
                break
        return tuple(dict.fromkeys(found))[:limit]

    def _verify(self, question: str, article_id: str, section: int) -> int | None:
        """A suggestion is offered only if the bot itself answers it from that section;
        returns the key of the sentence it answers from."""
        query = understand(question, self.knowledge)
        intent = query.classification.intent
        if intent is None or intent.kind is not IntentKind.QUESTION:
            return None
        need, _ = resolve(query, None)
        candidate = self.retriever.best(need)
        if (
            candidate is not None
            and candidate.ref.article_id == article_id
            and candidate.ref.section == section
        ):
            return candidate.key
        return None
