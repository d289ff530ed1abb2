"""The article view's pieces without the network: button labels, pages, page buttons."""

from __future__ import annotations

import pytest
from fakebotapi import parse_html, utf16_len
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.knowledge.build import Knowledge
from bot.telegram.article_view import (
    OPEN_ACTION,
    TURN_ACTION,
    ReadRef,
    article_check,
    article_pages,
    page_keyboard,
)
from bot.telegram.callbacks import CallbackError, decode
from bot.telegram.labels import distinct_labels


def test_equal_titles_get_distinct_labels() -> None:
    long = "益阳：鱼米之乡量产高端工业大米"
    titles = [f"{long}一期", f"{long}二期", "短", "短"]
    labels = distinct_labels(titles, 12)
    assert labels == ["益阳：鱼米之乡量产高端…", "益阳：鱼米之乡量…（2）", "短", "短（2）"]


@settings(max_examples=200, deadline=None)
@given(
    texts=st.lists(st.text(alphabet="益阳电子“”《》 😀ab", max_size=30), max_size=30),
    limit=st.integers(8, 48),
)
def test_labels_are_distinct_and_fit(texts: list[str], limit: int) -> None:
    labels = distinct_labels(texts, limit)
    assert len(labels) == len(texts)
    assert len(set(labels)) == len(labels)
    assert all(utf16_len(label) <= limit + 8 for label in labels)  # a mark may add a few


@pytest.mark.parametrize("limit", [300, 800, 4096])
def test_pages_fit_and_keep_every_paragraph(knowledge: Knowledge, limit: int) -> None:
    responses = knowledge.rules.responses
    for article in knowledge.articles:
        pages = article_pages(article, responses, "zh", limit)
        texts = [parse_html(page)[0] for page in pages]
        assert all(utf16_len(text) <= limit for text in texts)
        body = "".join(text.split("\n\n", 1)[1] for text in texts)
        squeezed = "".join(body.split())
        for section in article.sections:
            for paragraph in section.paragraphs:
                assert "".join(paragraph.text.split()) in squeezed  # nothing lost or cut out
        if len(pages) > 1:
            assert texts[0].split("\n", 1)[0].endswith(f"第1/{len(pages)}页")


def test_page_buttons_and_their_data(knowledge: Knowledge) -> None:
    responses = knowledge.rules.responses
    article = knowledge.articles[0]
    pages = article_pages(article, responses, "en", 500)
    total = len(pages)
    assert total >= 3
    middle = page_keyboard(article, 1, total, responses, "en")
    assert middle is not None
    (row,) = middle.inline_keyboard  # no link: the shipped sidecar gives none
    assert [b.text for b in row] == ["◀ Previous", "Next ▶"]
    for button, page in zip(row, (0, 2), strict=True):
        data = str(button.callback_data)
        assert len(data.encode()) <= 64
        ref = ReadRef.parse(decode(data))
        assert ref == ReadRef(TURN_ACTION, article.id, page, article_check(article))
    assert page_keyboard(article, 0, 1, responses, "zh") is None
    with pytest.raises(CallbackError):
        ReadRef.parse(decode(f"{OPEN_ACTION}:{article.id}:x:abcdef"))
    with pytest.raises(CallbackError):
        ReadRef.parse(decode(f"{OPEN_ACTION}:{article.id}:0"))
