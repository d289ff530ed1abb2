"""The answerer: question + conversation → Answer.  The one entry point every front end uses."""

from __future__ import annotations

import datetime as dt
import logging
from collections import OrderedDict
from collections.abc import Callable, Collection

from bot.answer.archive import no_pages
from bot.answer.backend import RetrievalBackend
from bot.answer.context import Conversation, Turn
from bot.answer.meta import MetaResponder
from bot.answer.model import Answer
from bot.answer.pipeline import Pipeline
from bot.answer.related import Related, Wanted
from bot.answer.retrieve import Candidate
from bot.answer.suggest import Suggester
from bot.knowledge.build import Knowledge
from bot.nlu import resources
from bot.nlu.need import Need
from bot.nlu.understand import Query
from bot.rules.model import AnswerType, IntentKind
from bot.text.normalize import clean_control

logger = logging.getLogger(__name__)

SUGGESTION_CACHE_SIZE = 512
VERIFIED_CACHE_SIZE = 4096  # generated questions remembered with where they are answered
STARTERS_PER_ARTICLE = 3  # questions of each article to choose starters from
RELATED_ARTICLES = 2  # other articles naming the answer's names whose questions may be offered


class Answerer:
    """Stateless apart from caches; conversation state is passed in by the caller."""

    def __init__(
        self,
        knowledge: Knowledge,
        today: Callable[[], dt.date] = dt.date.today,
        backend: RetrievalBackend | None = None,
    ) -> None:
        """``today``: the clock page times count from (上周的报道); tests pass a fixed day.
        ``backend``: where candidate sentences come from (bot/answer/backend.py)."""
        self.knowledge = knowledge
        self.today = today
        self.pipeline = Pipeline(knowledge, backend)
        self.retriever = self.pipeline.retriever
        self.meta = MetaResponder(knowledge, self.pipeline.dates)
        self.suggester = Suggester(knowledge, self._verify)
        self.related = Related(knowledge, self.suggestions_for, self.suggester.answers)
        self._suggestions: OrderedDict[tuple[str, int], tuple[str, ...]] = OrderedDict()
        self._verified: OrderedDict[str, tuple[str, int, int] | None] = OrderedDict()
        resources.proper_nouns()  # loaded now, not on the first question (≈0.1 s)
        resources.person_names()  # the grounding stage's dictionary tags (≈0.2 s)

    # --- public --------------------------------------------------------------------------

    def answer(
        self, question: str, conversation: Conversation | None = None, language: str = "zh"
    ) -> Answer:
        """The answer from this answerer's snapshot.  The snapshot is bound for the whole
        question, so every stage that reaches the segmenter or the lexicon
        (``bot/nlu/resources.py``) reads this snapshot's, whichever front end asks and even
        while a reload builds and swaps in another."""
        with self.knowledge.bound():
            answer = self._answer(question, conversation, language)
        if conversation is not None:
            conversation.offered(answer.suggestions)
        return answer

    def _answer(self, question: str, conversation: Conversation | None, language: str) -> Answer:
        question = clean_control(question)
        responses = self.knowledge.rules.responses
        if not question.strip():
            # nothing was asked, so nothing was answered: a front end shows the prompt
            return Answer(question, False, "empty", 0.0, responses.text("empty", language))
        query = self.pipeline.read(question, self.today())
        intent = query.classification.intent
        if intent is None and _latin_only(query.text):
            return self._language_hint(query)
        when = query.page_time
        if when is not None and when.bounded and not self.pipeline.dates.any_within(when):
            summary = no_pages(self.knowledge.rules.responses, self.pipeline.dates, when, language)
            return _declined(query, summary, self.starter_suggestions())
        if intent is not None and intent.kind is not IntentKind.QUESTION:
            meta = self.meta.respond(query, intent, language)
            if conversation is not None and meta.source is not None:
                conversation.record(
                    Turn(Need(AnswerType.ANY, None, (), (), ()), True, meta.source.article_id)
                )
            return meta
        if query.unknown:
            if conversation is not None:
                conversation.record(Turn(Need(AnswerType.ANY, None, (), (), ()), False, None))
            return self._decline_unknown(query, language, _shown(conversation))
        previous = conversation.last() if conversation is not None else None
        if query.ellipsis and intent is None and previous is None:
            # "那信维呢？" with nothing before it asks nothing yet: offer what can be asked
            # rather than quote whatever sentence names it
            return self._ask_what(query, language)
        found = self.pipeline.find(query, conversation)
        need, candidate = found.need, found.candidate
        if conversation is not None:
            conversation.record(
                Turn(
                    need,
                    candidate is not None,
                    candidate.ref.article_id if candidate else None,
                    candidate.key if candidate else None,
                )
            )
        if candidate is None:
            return self._decline(query, language, _shown(conversation))
        return self._answered(query, need, candidate, _shown(conversation))

    # --- composing -----------------------------------------------------------------------

    def _answered(self, query: Query, need: Need, c: Candidate, shown: Collection[str]) -> Answer:
        composed = self.pipeline.compose(query, need, c)
        intent = query.classification.intent
        topics = self.knowledge.topics.by_section.get((c.article.id, c.ref.section), ())
        return Answer(
            question=query.raw,
            answered=True,
            intent=intent.id if intent else "ask_general",
            confidence=self.retriever.calibrated(c),
            summary=composed.summary,
            quote=composed.quote,
            source=composed.source,
            suggestions=self._related(query, need, c, shown),
            topic=topics[0] if topics else None,
        )

    def _decline(self, query: Query, language: str, shown: Collection[str]) -> Answer:
        responses = self.knowledge.rules.responses
        named = [n for n in query.names if n.entity.is_named]
        article_id = self._article_of(named[0].entity.key) if named else None
        suggestions: tuple[str, ...] = ()
        if article_id is not None:
            keys = [n.entity.key for n in named]
            articles = self.related.articles_naming(keys, article_id, RELATED_ARTICLES)
            wanted = Wanted(query.raw, articles, None, frozenset(keys), None, shown)
            suggestions = self.related.pick(wanted)
        if not suggestions:
            suggestions = self.starter_suggestions(shown)
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
        return _declined(query, summary, suggestions)

    def _language_hint(self, query: Query) -> Answer:
        """A message in Latin script only: the bot reads Chinese, so say so in English with
        a question it can answer."""
        starters = self.starter_suggestions()
        example = starters[0] if starters else self.knowledge.rules.responses.text("empty", "en")
        text = self.knowledge.rules.responses.text("ask_in_chinese", "en", example=example)
        return Answer(query.raw, False, "language_hint", 0.0, text, None, None, starters)

    def _ask_what(self, query: Query, language: str) -> Answer:
        """A follow-up with no previous turn: decline, offering the named entity's questions."""
        responses = self.knowledge.rules.responses
        named = [n for n in query.names if n.entity.is_named]
        article_id = self._article_of(named[0].entity.key) if named else None
        suggestions = (
            self.suggestions_for_article(article_id, exclude=query.raw) if article_id else ()
        ) or self.starter_suggestions()
        if named:
            summary = responses.text(
                "followup_without_context", language, entity=named[0].entity.name
            )
        else:
            summary = responses.text("decline_with_suggestions", language)
        return Answer(query.raw, False, "ask_general", 0.0, summary, None, None, suggestions)

    def _decline_unknown(self, query: Query, language: str, shown: Collection[str]) -> Answer:
        """The question's subject is not on the page: say so, naming it, rather than answer
        with another entity's fact (小米公司的董事长 is not 和天电子's)."""
        responses = self.knowledge.rules.responses
        suggestions = self.starter_suggestions(shown)
        summary = responses.text("decline_unknown_name", language, name=query.unknown[0].text)
        if suggestions:
            tail = responses.text("decline_with_suggestions", language)
            summary += tail[len(responses.text("decline", language)) :]
        logger.debug("declined: %s is not on the page", query.unknown[0].kind.value)
        return _declined(query, summary, suggestions)

    def _article_of(self, entity_key: str) -> str | None:
        keys = self.knowledge.index.postings.get("@" + entity_key)
        if not keys:
            return None
        ref = self.knowledge.index.refs.get(keys[0])
        return ref.article_id if ref else None

    # --- suggestions ---------------------------------------------------------------------

    def suggestions_for(self, article_id: str, section: int, exclude: str = "") -> tuple[str, ...]:
        """Verified questions about a section (those that lead back to the sentence just
        quoted are dropped by :mod:`bot.answer.related`)."""
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
        return tuple(s for s in cached if s != exclude)[:limit]

    def _related(
        self, query: Query, need: Need, c: Candidate, shown: Collection[str]
    ) -> tuple[str, ...]:
        """About the names of the question and of the quoted sentence: the answer's section
        first, then its article, then other articles naming them."""
        asked = [e.key for e in need.names]
        quoted = sorted(self.knowledge.index.mentions.get(c.key, frozenset()) - set(asked))
        keys = [*asked, *quoted]  # in a fixed order: the other articles are taken in it
        articles = self.related.articles_naming(keys, c.article.id, RELATED_ARTICLES)
        wanted = Wanted(query.raw, articles, c.ref.section, frozenset(keys), c.key, shown)
        return self.related.pick(wanted)

    def suggestions_for_article(self, article_id: str, exclude: str = "") -> tuple[str, ...]:
        article = self.knowledge.article(article_id)
        if article is None:
            return ()
        found: list[str] = []
        for index in range(len(article.sections)):
            found += self.suggestions_for(article_id, index, exclude)
        limit = self.knowledge.rules.thresholds.suggestions
        return tuple(dict.fromkeys(found))[:limit]

    def starter_suggestions(self, shown: Collection[str] = ()) -> tuple[str, ...]:
        """Questions from the start of the articles: of different kinds (an amount, a
        person's role, a date…), and those this chat was not shown lately first."""
        limit = self.knowledge.rules.thresholds.suggestions
        pool: list[str] = []
        for article in self.knowledge.heads:
            pool += self.suggestions_for_article(article.id)[:STARTERS_PER_ARTICLE]
            if len(pool) >= limit * STARTERS_PER_ARTICLE:
                break
        return self.related.varied(pool, shown, self.suggester.kinds)

    def _verify(self, question: str, article_id: str, section: int) -> int | None:
        """A suggestion is offered only if the bot itself answers it from that section;
        returns the key of the sentence it answers from."""
        found = self._answered_from(question)
        if found is not None and found[:2] == (article_id, section):
            return found[2]
        return None

    def _answered_from(self, question: str) -> tuple[str, int, int] | None:
        """Where the bot answers ``question`` from (article, section, sentence key), read
        once per snapshot: sections generate the same questions ("…投资了多少钱？") and a
        section whose suggestions left the cache asks them all again."""
        if question in self._verified:
            self._verified.move_to_end(question)
            return self._verified[question]
        query = self.pipeline.read(question, self.today())
        intent = query.classification.intent
        found = None
        if intent is not None and intent.kind is IntentKind.QUESTION:
            candidate = self.pipeline.find(query, None).candidate
            if candidate is not None:
                found = (candidate.ref.article_id, candidate.ref.section, candidate.key)
        self._verified[question] = found
        if len(self._verified) > VERIFIED_CACHE_SIZE:
            self._verified.popitem(last=False)
        return found


def _shown(conversation: Conversation | None) -> Collection[str]:
    return conversation.shown if conversation is not None else ()


def _latin_only(text: str) -> bool:
    """Letters, all of them Latin (an English question), and no Chinese character."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) > 1 and all(c.isascii() for c in letters)


def _declined(query: Query, summary: str, suggestions: tuple[str, ...]) -> Answer:
    """A decline: no quote and no source, the intent as read (or the general one)."""
    intent = query.classification.intent
    intent_id = intent.id if intent else "ask_general"
    return Answer(query.raw, False, intent_id, 0.0, summary, None, None, suggestions)
