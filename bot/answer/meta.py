"""Chit-chat and questions about the collection itself: greetings, help, lists, summaries."""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from collections import Counter

from bot.answer.model import Answer, Source
from bot.content.model import Article
from bot.content.numbers import parse_number
from bot.knowledge.analysis import ENTITY_PREFIX
from bot.knowledge.build import Knowledge
from bot.nlu import resources
from bot.nlu.understand import Query
from bot.rules.model import Intent

_EPOCH = dt.date(1, 1, 1)
# How Chinese points at an article by its place: general grammar, not any page's words.
_ORDINAL_RE = re.compile(r"第([一二两三四五六七八九十\d]{1,3})[篇条]")
_LAST_RE = re.compile(r"(?:最后|末)一?[篇条]")
_HEADLINE_RE = re.compile(r"头条")


class MetaResponder:
    def __init__(self, knowledge: Knowledge) -> None:
        self.k = knowledge
        self.w = knowledge.rules.scoring
        self._positions = {a.id: i for i, a in enumerate(knowledge.articles)}
        self._head_cache: list[tuple[str, str]] | None = None
        self._body_cache: dict[int, str] = {}
        self._by_date: list[int] | None = None
        self._head_blob: tuple[str, list[int]] | None = None

    def respond(self, query: Query, intent: Intent, language: str) -> Answer:
        responses = self.k.rules.responses
        if intent.id == "list_articles":
            return self.article_list(query.raw, intent.id, language)
        if intent.id == "list_topics":
            return self.topic_list(query.raw, intent.id, language)
        if intent.id == "article_author":
            article = self.find_article(query)
            if article is None or not article.byline:
                return Answer(
                    query.raw,
                    False,
                    intent.id,
                    0.0,
                    responses.text("unknown_article", language),
                    suggestions=self._titles()[:3],
                )
            answer = self.article_summary(query.raw, intent.id, article, language)
            return Answer(
                answer.question,
                True,
                intent.id,
                1.0,
                responses.text(
                    "article_author",
                    language,
                    title=article.title,
                    byline="、".join(article.byline),
                ),
                quote=_author_note(article) or answer.quote,
                source=answer.source,
                topic=answer.topic,
            )
        if intent.id == "summarize_article":
            article = self.find_article(query)
            if article is None:
                return Answer(
                    query.raw,
                    False,
                    intent.id,
                    0.0,
                    responses.text("unknown_article", language),
                    suggestions=self._titles()[:3],
                )
            return self.article_summary(query.raw, intent.id, article, language)
        text = responses.text(intent.response or intent.id, language, count=len(self.k.articles))
        return Answer(query.raw, True, intent.id, 1.0, text)

    def article_list(self, question: str, intent: str, language: str) -> Answer:
        """The newest articles (all of them on a single page), newest page first: an archive
        of thousands lists ``max_listed_articles`` and says how many there are."""
        responses = self.k.rules.responses
        total = len(self.k.articles)
        shown = self._newest(self.k.rules.thresholds.max_listed_articles)
        if len(shown) < total:
            header = responses.text(
                "articles_header_more", language, count=total, shown=len(shown)
            )
        else:
            header = responses.text("articles_header", language, count=total)
        lines = [header]
        for index, article in enumerate(shown, start=1):
            lines.append(
                responses.text("article_line", language, index=index, title=article.title)
            )
        items = tuple((a.title, a.id) for a in shown)
        return Answer(
            question,
            True,
            intent,
            1.0,
            "\n".join(lines),
            items=items,
            suggestions=self._titles()[:3],
        )

    def _newest(self, limit: int) -> list[Article]:
        """Articles by page date, newest first (undated last), page order within a date."""
        articles = self.k.articles
        if len(articles) <= limit:
            return list(articles)
        if self._by_date is None:
            self._by_date = sorted(
                range(len(articles)),
                key=lambda i: (-(articles[i].date or _EPOCH).toordinal(), i),
            )
        return [articles[i] for i in self._by_date[:limit]]

    def topic_list(self, question: str, intent: str, language: str) -> Answer:
        responses = self.k.rules.responses
        lines = [responses.text("topics_header", language)]
        for topic in self.k.rules.topics:
            count = len(self.k.topics.by_topic.get(topic.id, ()))
            lines.append(
                responses.text("topic_line", language, name=topic.name(language), count=count)
            )
        items = tuple((t.name(language), t.id) for t in self.k.rules.topics)
        return Answer(question, True, intent, 1.0, "\n".join(lines), items=items)

    def article_summary(
        self, question: str, intent: str, article: Article, language: str
    ) -> Answer:
        responses = self.k.rules.responses
        first = article.sections[0].paragraphs[0]
        lead = first.sentences[0]
        source = Source(
            article.id, article.title, article.sections[0].heading, article.file, lead.line
        )
        topics = self.k.topics.article_topics(article.id)
        return Answer(
            question,
            True,
            intent,
            1.0,
            responses.text(
                "article_summary", language, title=article.title, summary=article.summary
            ),
            quote=lead.text,
            source=source,
            topic=topics[0] if topics else None,
        )

    def find_article(self, query: Query) -> Article | None:
        """The article a reader means: by its title, kicker, column and names, then its text.

        Only the articles the index ties most to the question's names and words have their
        text counted, so a summary request costs about the same with six articles or six
        thousand.
        """
        position = _position_asked(query.text)
        if position is not None:
            listed = self._newest(self.k.rules.thresholds.max_listed_articles)
            at = position - 1 if position > 0 else len(listed) + position
            return listed[at] if 0 <= at < len(listed) else None
        words = [n.surface for n in query.names] + [
            a for n in query.names for a in n.entity.aliases
        ]
        words += [t for t in query.terms if not t.startswith("≈")]
        unique = [w for w in dict.fromkeys(words) if w]
        heads = self._heads()
        for position, article in enumerate(self.k.articles):
            if heads[position][0] and heads[position][0] in query.text:
                return article
        candidates = self._articles_with(query, unique)
        head_scores = self._head_hits(unique)
        best: tuple[float, int] | None = None
        chosen: Article | None = None
        w = self.w
        for position in sorted(candidates | head_scores.keys()):
            score = head_scores.get(position, 0.0)
            if position in candidates:
                body = self._body(position)
                score += sum(min(body.count(u), w.body_word_cap) * w.body_word for u in unique)
            if score > 0 and (best is None or (score, -position) > best):
                best = (score, -position)
                chosen = self.k.articles[position]
        return chosen

    def _head_hits(self, words: list[str]) -> dict[int, float]:
        """``title_word`` points per word an article's title, kicker, column or byline
        holds, found by searching all of them at once rather than article by article."""
        if self._head_blob is None:
            heads = [h for _, h in self._heads()]
            starts, at = [], 0
            for head in heads:
                starts.append(at)
                at += len(head) + 1
            self._head_blob = ("\0".join(heads), starts)
        blob, starts = self._head_blob
        scores: dict[int, float] = {}
        for word in words:
            seen: set[int] = set()
            at = blob.find(word)
            while at >= 0:
                seen.add(bisect_right(starts, at) - 1)
                at = blob.find(word, at + 1)
            for position in seen:
                scores[position] = scores.get(position, 0.0) + self.w.title_word
        return scores

    def _heads(self) -> list[tuple[str, str]]:
        """Per article: the normalised title and its title, kicker, column, subtitle, byline."""
        if self._head_cache is None:
            self._head_cache = [
                (
                    resources.normalised(a.title),
                    resources.normalised(
                        " ".join(
                            filter(None, [a.title, a.kicker, a.column, a.subtitle, *a.byline])
                        )
                    ),
                )
                for a in self.k.articles
            ]
        return self._head_cache

    def _body(self, position: int) -> str:
        body = self._body_cache.get(position)
        if body is None:
            body = self._body_cache[position] = resources.normalise_long(
                self.k.articles[position].text
            )
        return body

    def _articles_with(self, query: Query, words: list[str]) -> set[int]:
        """Positions of the articles whose sentences mention the question's names and words
        most often (at most the ``text_candidates`` weight): only their text is counted exactly."""
        index = self.k.index
        terms = [
            ENTITY_PREFIX + key for n in query.names for key in self.k.entities.group(n.entity.key)
        ]
        terms += [w for w in words if w in index.postings]
        hits: Counter[str] = Counter(
            index.refs[key].article_id for t in terms for key in index.postings.get(t, ())
        )
        return {
            self._positions[i]
            for i, _ in hits.most_common(self.w.text_candidates)
            if i in self._positions
        }

    def _titles(self) -> tuple[str, ...]:
        """Suggestions of articles to ask about: the three newest."""
        responses = self.k.rules.responses
        return tuple(
            responses.text("suggest_article", "zh", title=a.title) for a in self._newest(3)
        )


def _position_asked(text: str) -> int | None:
    """第二篇 → 2, 头条 → 1, 最后一篇 → -1: the article's place in the list the bot shows
    (page order; the newest page first when several are loaded), or None."""
    if _LAST_RE.search(text):
        return -1
    if _HEADLINE_RE.search(text):
        return 1
    match = _ORDINAL_RE.search(text)
    if match is None:
        return None
    number = parse_number(match.group(1))
    return int(number) if number is not None and number >= 1 else None


def _author_note(article: Article) -> str | None:
    """A commentary's ``（作者系…）`` line: the only sentence that says who the author is."""
    for paragraph in article.paragraphs:
        for sentence in paragraph.sentences:
            if sentence.text.lstrip("（(").startswith("作者"):
                return sentence.text
    return None
