"""Inline keyboards: the buttons under answers, lists and suggestions.

Every button's data comes from :mod:`bot.telegram.callbacks` (so it is at most 64 bytes and
decodes back); labels are cut to a readable length.  A button whose data cannot be encoded
(odd content ids) is left out rather than breaking the message.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.answer.model import Answer
from bot.rules.model import Responses
from bot.service import Snapshot
from bot.telegram.callbacks import (
    DOWN,
    UP,
    ArticleRef,
    BuiltinRef,
    ExampleRef,
    FeedbackRef,
    ListPageRef,
    SuggestionRef,
    TopicRef,
    text_check,
    try_encode,
)
from bot.telegram.format import plain
from bot.telegram.lookup import paragraph_ref, related_ref, suggestion_refs

logger = logging.getLogger(__name__)

LABEL_LIMIT = 48  # characters shown on a button before "…"
LIST_INTENTS = ("list_articles", "list_topics")

Row = list[InlineKeyboardButton]


def button(label: str, ref: BuiltinRef) -> InlineKeyboardButton | None:
    data = try_encode(ref)
    return InlineKeyboardButton(plain(label, LABEL_LIMIT), callback_data=data) if data else None


def markup(rows: Sequence[Sequence[InlineKeyboardButton | None]]) -> InlineKeyboardMarkup | None:
    kept = [[b for b in row if b is not None] for row in rows]
    kept = [row for row in kept if row]
    return InlineKeyboardMarkup(kept) if kept else None


def answer_keyboard(
    answer: Answer,
    snapshot: Snapshot,
    language: str,
    *,
    can_subscribe: bool,
    token: str | None = None,
) -> InlineKeyboardMarkup | None:
    """Buttons under an answer: 原文段落 · 相关问题 · 订阅「topic」, then 👍 · 👎 when the
    question is logged (with ``token``); a list's items; a decline's suggestions."""
    knowledge = snapshot.knowledge
    responses = knowledge.rules.responses
    if answer.intent == "list_articles" and answer.items:
        return articles_keyboard(answer, responses, language)
    if answer.intent == "list_topics" and answer.items:
        return topics_keyboard(snapshot, language) if can_subscribe else None
    if not answer.answered:
        near = []
        if answer.source is not None:
            near.append((answer.source.article_id, answer.source.section_index))
        return suggestions_keyboard(suggestion_refs(answer.suggestions, snapshot.answerer, near))
    first: list[InlineKeyboardButton | None] = []
    ref = paragraph_ref(answer, knowledge)
    if ref is not None:
        first.append(button(responses.text("tg_button_paragraph", language), ref))
    related = related_ref(answer)
    if related is not None:
        first.append(button(responses.text("tg_button_related", language), related))
    second: list[InlineKeyboardButton | None] = []
    topic = knowledge.rules.topic(answer.topic) if answer.topic else None
    if topic is not None and can_subscribe:
        label = responses.text("tg_button_subscribe", language, topic=topic.name(language))
        second.append(button(label, TopicRef(topic.id)))
    rating: list[InlineKeyboardButton | None] = []
    if token is not None and answer.source is not None:  # a sourced answer, not chat
        rating.append(button(responses.text("tg_button_up", language), FeedbackRef(token, UP)))
        rating.append(button(responses.text("tg_button_down", language), FeedbackRef(token, DOWN)))
    return markup([first, second, rating])


def suggestions_keyboard(
    pairs: Sequence[tuple[str, SuggestionRef]],
) -> InlineKeyboardMarkup | None:
    """One button per suggested question; pressing it asks the question."""
    return markup([[button(question, ref)] for question, ref in pairs])


def articles_keyboard(
    answer: Answer, responses: Responses, language: str
) -> InlineKeyboardMarkup | None:
    """One button per article (label, article id); pressing it summarises the article.  A
    list of several pages ends with ◂ 较新 · 更早 ▸."""
    rows: list[list[InlineKeyboardButton | None]] = [
        [button(f"{index}. {title}", ArticleRef(article_id))]
        for index, (title, article_id) in enumerate(answer.items, start=answer.offset + 1)
    ]
    turn: list[InlineKeyboardButton | None] = []
    if answer.page > 1:
        turn.append(
            button(responses.text("tg_button_newer", language), ListPageRef(answer.page - 1))
        )
    if answer.page < answer.pages:
        turn.append(
            button(responses.text("tg_button_older", language), ListPageRef(answer.page + 1))
        )
    return markup([*rows, turn])


def topics_keyboard(snapshot: Snapshot, language: str) -> InlineKeyboardMarkup | None:
    """One 订阅「topic」 button per topic."""
    responses = snapshot.knowledge.rules.responses
    return markup(
        [
            [
                button(
                    responses.text("tg_button_subscribe", language, topic=topic.name(language)),
                    TopicRef(topic.id),
                )
            ]
            for topic in snapshot.knowledge.rules.topics
        ]
    )


def examples_keyboard(examples: Sequence[str]) -> InlineKeyboardMarkup | None:
    """/start: the example questions (see :mod:`bot.telegram.examples`), one per row."""
    return markup([[button(q, ExampleRef(i, text_check(q)))] for i, q in enumerate(examples)])
