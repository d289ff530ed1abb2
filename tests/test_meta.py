"""Questions about the collection itself: the article list stays short in a large archive."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from bot.answer.meta import MetaResponder
from bot.knowledge.build import Knowledge


def with_limit(knowledge: Knowledge, limit: int) -> Knowledge:
    thresholds = replace(knowledge.rules.thresholds, max_listed_articles=limit)
    return replace(knowledge, rules=replace(knowledge.rules, thresholds=thresholds))


def test_all_articles_are_listed_when_they_fit(knowledge: Knowledge) -> None:
    answer = MetaResponder(knowledge).article_list("有哪些文章", "list_articles", "zh")
    assert [article_id for _, article_id in answer.items] == [a.id for a in knowledge.articles]
    assert f"{len(knowledge.articles)}篇" in answer.summary


def test_a_large_archive_lists_the_newest_and_says_how_many(knowledge: Knowledge) -> None:
    articles = list(knowledge.articles)
    # an older page's articles (another file): listed after the newer page's
    older = [replace(a, date=dt.date(2020, 1, 1), file="seeds/older.txt") for a in articles[:3]]
    archive = replace(with_limit(knowledge, 2), articles=(*older, *articles[3:]))
    answer = MetaResponder(archive).article_list("有哪些文章", "list_articles", "zh")
    assert [article_id for _, article_id in answer.items] == [a.id for a in articles[3:5]]
    assert answer.summary.splitlines()[0] == f"共有{len(articles)}篇报道，最新的2篇："
    assert len(answer.summary.splitlines()) == 3
    responses = knowledge.rules.responses
    newest = articles[3:6]
    assert answer.suggestions == tuple(
        responses.text("suggest_article", "zh", title=a.title) for a in newest
    )
