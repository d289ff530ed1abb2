"""Callback data: compact, at most 64 bytes, decodable after a restart, safe against forgery.

The last test builds every keyboard the bot can show — under the answer to every golden
question, the related-question lists, /start, /articles, /topics — and checks each button.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from telegram import InlineKeyboardMarkup

from bot.answer.engine import Answerer
from bot.answer.model import Answer
from bot.knowledge.build import Knowledge
from bot.service import Snapshot
from bot.telegram.callbacks import (
    MAX_BYTES,
    ArticleRef,
    BuiltinRef,
    CallbackError,
    ExampleRef,
    FeedbackRef,
    ListPageRef,
    ParagraphRef,
    RelatedRef,
    SuggestionRef,
    TopicRef,
    decode,
    encode,
    parse_builtin,
    text_check,
)
from bot.telegram.examples import pick_examples
from bot.telegram.keyboards import (
    answer_keyboard,
    articles_keyboard,
    examples_keyboard,
    suggestions_keyboard,
    topics_keyboard,
)
from bot.telegram.lookup import (
    related,
    resolve_paragraph,
    resolve_suggestion,
)

QA = Path(__file__).resolve().parent / "qa" / "seed_page.yaml"


def test_round_trip_of_every_builtin_ref() -> None:
    refs: list[BuiltinRef] = [
        ParagraphRef("02d9191c9d", 2, 6, 0, 35, "a1b2c3"),
        RelatedRef("02d9191c9d", 2, "-"),
        SuggestionRef("02d9191c9d", 2, 1, text_check("艾华集团投资了多少钱？")),
        TopicRef("electronics"),
        ArticleRef("0f1510a0d2"),
        ListPageRef(12),
    ]
    for ref in refs:
        data = ref.encode()
        assert len(data.encode()) <= MAX_BYTES
        assert parse_builtin(decode(data)) == ref


def test_text_check_is_stable_across_processes() -> None:
    # blake2s, not hash(): a button pressed after a restart must still match.
    assert text_check("艾华集团投资了多少钱？") == "067762"


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "p",
        "p:",
        "P:abc",
        "p:a:1:2:3:4",
        "p:a:1:2:3:4:zzzzzz",
        "p:a:-1:2:3:4:abcdef",
        "p:a:01:2:3:4:abcdef",
        "q:a:1:999999:abcdef",
        "t",
        "t:a:b",
        "a:a b",
        "a:..:x",
        "x" * 65,
        "a:" + "数" * 21,
        "q:a:1:1:abcdef\x00",
        "r:a:1:ABCDEF",
        "t:<script>",
        "a:\ud800",
        "zz:unknown",
        "l:0",  # list pages count from 1
        "l:-2",
        "l:x",
        "l:1:2",
    ],
)
def test_forged_or_malformed_data_is_refused(data: str | None) -> None:
    with pytest.raises(CallbackError):
        parse_builtin(decode(data))


@given(st.text(max_size=80))
def test_decode_never_raises_anything_but_callback_error(data: str) -> None:
    with contextlib.suppress(CallbackError):
        parse_builtin(decode(data))


def test_encode_refuses_what_would_not_fit() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        encode("x", *(["abcdefghij"] * 6))
    with pytest.raises(ValueError):
        encode("a", "has space")
    with pytest.raises(ValueError):
        encode("Bad", "x")
    with pytest.raises(ValueError):
        encode("a", -1)


def test_stale_refs_resolve_to_nothing(knowledge: Knowledge, answerer: Answerer) -> None:
    article = knowledge.articles[0]
    assert resolve_paragraph(ParagraphRef(article.id, 0, 0, 0, 0, "000000"), knowledge) is None
    assert resolve_paragraph(ParagraphRef(article.id, 99, 0, 0, 0, "000000"), knowledge) is None
    assert resolve_paragraph(ParagraphRef("nope", 0, 0, 0, 0, "000000"), knowledge) is None
    assert resolve_suggestion(SuggestionRef(article.id, 1, 0, "000000"), answerer) is None
    assert resolve_suggestion(SuggestionRef(article.id, 77, 0, "000000"), answerer) is None


def buttons(markup: InlineKeyboardMarkup | None) -> list[str]:
    if markup is None:
        return []
    return [str(b.callback_data) for row in markup.inline_keyboard for b in row]


def test_every_button_the_bot_can_show(knowledge: Knowledge, answerer: Answerer) -> None:
    snapshot = Snapshot(knowledge, answerer)
    questions = [item["q"] for item in yaml.safe_load(QA.read_text(encoding="utf-8"))]
    questions += ["有哪些文章", "有哪些话题", "火星上有什么", "你好", "介绍一下城市更新那篇"]
    datas: list[str] = []
    kinds: set[str] = set()
    for language in ("zh", "en"):
        for question in questions:
            answer = answerer.answer(question, None, language)
            datas += buttons(
                answer_keyboard(answer, snapshot, language, can_subscribe=True, token="0123abcdef")
            )
        datas += buttons(examples_keyboard(pick_examples(snapshot)))
        datas += buttons(topics_keyboard(snapshot, language))
    items = tuple((a.title, a.id) for a in knowledge.articles)
    listing = Answer("/articles", True, "list_articles", 1.0, "", items=items, page=2, pages=3)
    datas += buttons(articles_keyboard(listing, knowledge.rules.responses, "zh"))
    for data in list(datas):
        ref = parse_builtin(decode(data))
        kinds.add(ref.ACTION)
        if isinstance(ref, RelatedRef):
            datas += buttons(suggestions_keyboard(related(ref, answerer)))
    assert len(datas) > 200
    for data in datas:
        assert 1 <= len(data.encode("utf-8")) <= MAX_BYTES, data
        ref = parse_builtin(decode(data))
        if isinstance(ref, ParagraphRef):
            view = resolve_paragraph(ref, knowledge)
            assert view is not None and view.highlight is not None, data
        elif isinstance(ref, SuggestionRef):
            assert resolve_suggestion(ref, answerer), data
        elif isinstance(ref, TopicRef):
            assert knowledge.rules.topic(ref.topic_id) is not None
        elif isinstance(ref, ArticleRef):
            assert knowledge.article(ref.article_id) is not None
        elif isinstance(ref, FeedbackRef):
            assert ref.token == "0123abcdef" and ref.vote in ("u", "d")
        elif isinstance(ref, ExampleRef):
            assert ref.index < 3
        elif isinstance(ref, ListPageRef):
            assert ref.page in (1, 3)
    assert kinds == {"p", "r", "q", "t", "a", "f", "x", "l"}


def test_start_examples_are_answered_from_a_source_and_of_different_kinds(
    knowledge: Knowledge, answerer: Answerer
) -> None:
    snapshot = Snapshot(knowledge, answerer)
    examples = pick_examples(snapshot)
    assert len(examples) == 3
    answers = [answerer.answer(q, None, "zh") for q in examples]
    assert all(a.answered and a.source is not None for a in answers)
    assert len({a.intent for a in answers}) == 3, [a.intent for a in answers]
    assert "国担基金设立了多少钱？" not in examples
