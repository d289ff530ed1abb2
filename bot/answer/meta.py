"""Chit-chat and questions about the collection itself: greetings, help, lists, summaries."""

from __future__ import annotations

from bot.answer.archive import PageDates
from bot.answer.article_finder import ArticleFinder, author_note
from bot.answer.model import Answer, Source
from bot.content.model import Article
from bot.knowledge.build import Knowledge
from bot.nlu.understand import Query
from bot.nlu.when import PageTime
from bot.rules.model import Intent


class MetaResponder:
    def __init__(self, knowledge: Knowledge, dates: PageDates | None = None) -> None:
        """``dates``: the snapshot's page dates when the caller has them already."""
        self.k = knowledge
        self.w = knowledge.rules.scoring
        self.finder = ArticleFinder(knowledge, dates)

    def respond(self, query: Query, intent: Intent, language: str) -> Answer:
        responses = self.k.rules.responses
        if intent.id == "list_articles":
            return self.article_list(query.raw, intent.id, language, query.page_time)
        if intent.id == "list_topics":
            return self.topic_list(query.raw, intent.id, language)
        if intent.id == "article_author":
            article = self.finder.find(query)
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
                quote=_credits(article) or answer.quote,
                source=answer.source,
                topic=answer.topic,
            )
        if intent.id in ("summarize_article", "article_title"):
            article = self.finder.find(query)
            if article is None:
                return Answer(
                    query.raw,
                    False,
                    intent.id,
                    0.0,
                    responses.text("unknown_article", language),
                    suggestions=self._titles()[:3],
                )
            if intent.id == "article_title":
                return self.article_title(query.raw, intent.id, article, language)
            return self.article_summary(query.raw, intent.id, article, language)
        text = responses.text(intent.response or intent.id, language, count=len(self.k.articles))
        return Answer(query.raw, True, intent.id, 1.0, text)

    def article_list(
        self,
        question: str,
        intent: str,
        language: str,
        when: PageTime | None = None,
        page: int = 1,
    ) -> Answer:
        """The newest articles, newest page first, ``max_listed_articles`` at a time: ``page``
        2 is the next ones (an archive of thousands is paged through, never listed whole).
        With ``when`` (上周有哪些报道), only the articles of those pages."""
        responses = self.k.rules.responses
        limit = self.k.rules.thresholds.max_listed_articles
        total = self.finder.count(when) if when is not None else len(self.k.articles)
        pages = max(1, -(-total // limit))
        page = min(max(1, page), pages)
        first = (page - 1) * limit
        shown = self.finder.newest(first + limit, when)[first:]
        if when is not None and when.bounded:
            header = responses.text("articles_header_when", language, when=when.label, count=total)
        elif page > 1:
            header = responses.text(
                "articles_header_page", language, count=total, page=page, pages=pages
            )
        elif len(shown) < total:
            header = responses.text(
                "articles_header_more", language, count=total, shown=len(shown)
            )
        else:
            header = responses.text("articles_header", language, count=total)
        lines = [header]
        for index, article in enumerate(shown, start=first + 1):
            lines.append(
                responses.text("article_line", language, index=index, title=article.title)
            )
        return Answer(
            question,
            True,
            intent,
            1.0,
            "\n".join(lines),
            items=tuple((a.title, a.id) for a in shown),
            suggestions=self._titles()[:3],
            page=page,
            pages=pages,
            offset=first,
        )

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
            article.id,
            article.title,
            article.sections[0].heading,
            article.file,
            lead.line,
            date=self.finder.dates.of(article),
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
            quote=headline_and_lead(article, lead.text),
            source=source,
            topic=topics[0] if topics else None,
        )

    def article_title(self, question: str, intent: str, article: Article, language: str) -> Answer:
        """这篇时评的题目是什么: the title, quoted as the page prints it."""
        summary = self.article_summary(question, intent, article, language)
        source = Source(
            article.id,
            article.title,
            None,
            article.file,
            article.line,
            date=self.finder.dates.of(article),
        )
        text = self.k.rules.responses.text(
            "article_title", language, title=article.title, column=article.column or ""
        )
        return Answer(
            question,
            True,
            intent,
            1.0,
            text,
            quote=article.title,
            source=source,
            topic=summary.topic,
        )

    def _titles(self) -> tuple[str, ...]:
        """Suggestions of articles to ask about: the three newest."""
        responses = self.k.rules.responses
        return tuple(
            responses.text("suggest_article", "zh", title=a.title) for a in self.finder.newest(3)
        )


def headline_and_lead(article: Article, lead: str) -> str:
    """What says what an article is about, verbatim: its headline and subtitle as printed,
    then its first sentence (a reader asking 头条讲的是什么 is answered by the headline; the
    lead alone often opens on a scene: 某日清晨，田里…)."""
    return "\n".join(filter(None, (article.title, article.subtitle, lead)))


def _credits(article: Article) -> str | None:
    """Who wrote it, as the page prints it: the author's name, then the （作者系…） line that
    says who they are (a commentary's credits)."""
    note = author_note(article)
    return "\n".join((*article.byline, note)) if note else None
