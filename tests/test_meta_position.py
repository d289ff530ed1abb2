"""Articles addressed by their place in the list (第二篇, 头条, 最后一篇) or by a topic word
(那篇讲海关的): the order is the one the article list shows."""

from __future__ import annotations

import pytest

from bot.answer.engine import Answerer


def _listed(answerer: Answerer) -> list[str]:
    return [title for title, _ in answerer.answer("有哪些文章？").items]


@pytest.mark.parametrize(
    ("message", "position"),
    [
        ("第二篇讲的是什么？", 1),
        ("第3篇文章讲了什么", 2),
        ("这一版的头条文章讲的是什么？", 0),
        ("最后一篇讲了什么", -1),
    ],
)
def test_articles_by_position(answerer: Answerer, message: str, position: int) -> None:
    answer = answerer.answer(message)
    assert (answer.answered, answer.intent) == (True, "summarize_article")
    assert answer.source is not None
    assert answer.source.article == _listed(answerer)[position]


def test_what_an_article_is_about_quotes_its_headline_then_its_lead(answerer: Answerer) -> None:
    """The headline (and subtitle) as printed prove what the article is about; the lead
    follows it in the quote."""
    answer = answerer.answer("这一版的头条文章讲的是什么？")
    article = answerer.knowledge.article(answer.source.article_id) if answer.source else None
    assert article is not None and answer.quote is not None
    lines = answer.quote.split("\n")
    lead = article.sections[0].paragraphs[0].sentences[0].text
    assert lines[0] == article.title and lines[-1] == lead
    assert lines[1:-1] == ([article.subtitle] if article.subtitle else [])


def test_a_position_past_the_end_is_declined(answerer: Answerer) -> None:
    answer = answerer.answer(f"第{len(_listed(answerer)) + 3}篇讲的是什么？")
    assert not answer.answered


def test_an_article_by_its_topic_word(answerer: Answerer) -> None:
    answer = answerer.answer("那篇讲海关的")
    assert answer.answered and answer.source is not None
    assert "海关" in answer.source.article


def test_a_question_about_the_last_of_something_is_not_about_an_article(
    answerer: Answerer,
) -> None:
    assert answerer.answer("最后一条生产线什么时候投产？").intent != "summarize_article"


def test_who_the_author_is_answers_with_the_author_note(answerer: Answerer) -> None:
    """作者是什么身份 asks what 作者是谁 asks: the author's name and the （作者系…） line
    answer both."""
    answer = answerer.answer("专家点评的作者是什么身份？")
    assert answer.intent == "article_author" and answer.quote is not None
    article = answerer.knowledge.article(answer.source.article_id) if answer.source else None
    assert article is not None and article.byline
    *names, note = answer.quote.split("\n")
    assert names == list(article.byline)  # the name as printed, then who they are
    assert note.lstrip("（(").startswith("作者系")


def test_how_an_article_opens_asked_with_the_how_first(answerer: Answerer) -> None:
    """那篇…是怎么开头的 (the how before 开头) asks its opening, as 开头是怎么写的 does."""
    title = _listed(answerer)[1]
    answer = answerer.answer(f"《{title}》的正文是怎么开头的？")
    assert (answer.answered, answer.intent) == (True, "summarize_article")
    assert answer.source is not None and answer.source.article == title
