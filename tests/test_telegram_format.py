"""The HTML formatter: whatever the content or the user wrote, Telegram can parse the result.

Why property tests: the formatter is the only thing between arbitrary text (OCR'd pages, user
questions echoed back, first names) and a Bot API that refuses a whole message for one bad
``&`` or one character too many.  ``parse_html`` is the fake server's port of tdlib's parser.
"""

from __future__ import annotations

import html
import os

import pytest
from fakebotapi import parse_html, utf16_len
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.answer.model import Answer, Source
from bot.rules.model import Responses
from bot.telegram.format import (
    MESSAGE_LIMIT,
    Block,
    Run,
    block,
    clean,
    format_answer,
    format_paragraph,
    plain,
    render,
)

RESPONSES = Responses(
    {
        "source_line": {"zh": "《{title}》· {section}", "en": "《{title}》· {section}"},
        "source_line_no_section": {"zh": "《{title}》"},
        "tg_asked": {"zh": "问：{question}"},
        "tg_suggestion_line": {"zh": "· {question}"},
    }
)

# `make test` runs a few hundred cases per property; `make fuzz` sets NEWSBOT_FUZZ_EXAMPLES.
EXAMPLES = int(os.environ.get("NEWSBOT_FUZZ_EXAMPLES", "300"))

# Any code point, surrogates included (lone surrogates arrive from broken clients and files),
# with the characters that matter to HTML and to splitting over-represented.
NASTY = st.sampled_from(
    [
        "<",
        ">",
        "&",
        "&amp;",
        "&#0;",
        "&lt",
        '"',
        "'",
        "</blockquote>",
        "<b>",
        "</i>",
        "\n",
        "\r\n",
        "\x00",
        "\u200b",
        "\u202e",
        "\ufeff",
        "😀",
        "\ud83d",
        "\ude00",
        "。",
        "！",
        " ",
    ]
)
ANY_CHAR = st.characters(codec=None, exclude_categories=())
TEXT = st.lists(st.one_of(ANY_CHAR.map(str), NASTY), max_size=60).map("".join)
LONG_TEXT = st.lists(
    st.one_of(ANY_CHAR.map(str), NASTY, st.just("很长的句子。" * 50)), max_size=40
).map("".join)


def parsed_lengths(chunks: list[str]) -> list[int]:
    """Parse each chunk as Telegram would (raises on invalid HTML); lengths in UTF-16 units."""
    out = []
    for chunk in chunks:
        chunk.encode("utf-8")  # Telegram needs valid UTF-8
        text, _entities = parse_html(chunk)
        assert text.strip(), "Telegram refuses an empty message"
        out.append(utf16_len(text))
    return out


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    summary=TEXT,
    quote=TEXT,
    title=TEXT,
    section=st.one_of(st.none(), TEXT),
    suggestions=st.lists(TEXT, max_size=3),
    answered=st.booleans(),
)
def test_any_answer_renders_to_valid_html(
    summary: str,
    quote: str,
    title: str,
    section: str | None,
    suggestions: list[str],
    answered: bool,
) -> None:
    source = Source("a1", title, section, "seeds/x.txt", 1)
    answer = Answer(
        summary,
        answered,
        "ask_money",
        1.0,
        summary,
        quote or None,
        source if answered else None,
        tuple(suggestions),
    )
    chunks = format_answer(answer, RESPONSES, "zh", asked=summary, note=quote)
    assert all(n <= MESSAGE_LIMIT for n in parsed_lengths(chunks))


@settings(max_examples=EXAMPLES // 2, deadline=None)
@given(
    blocks=st.lists(st.tuples(LONG_TEXT, st.booleans(), st.booleans(), st.booleans()), max_size=6),
    limit=st.integers(min_value=2, max_value=300),
)  # 2: one astral char
def test_splitting_respects_any_limit(
    blocks: list[tuple[str, bool, bool, bool]], limit: int
) -> None:
    items = [Block((Run(text, bold, italic),), quote) for text, bold, italic, quote in blocks]
    chunks = render(items, limit)
    assert all(n <= limit for n in parsed_lengths(chunks))
    # Nothing but whitespace at the cuts is lost.
    wanted = "".join(clean(b.plain) for b in items)
    got = "".join(parse_html(c)[0] for c in chunks)
    assert "".join(got.split()) == "".join(wanted.split()) or not "".join(wanted.split())


@settings(max_examples=EXAMPLES // 3, deadline=None)
@given(paragraph=TEXT, lo=st.integers(-5, 70), hi=st.integers(-5, 70), title=TEXT)
def test_paragraph_view_renders(paragraph: str, lo: int, hi: int, title: str) -> None:
    chunks = format_paragraph(RESPONSES, "zh", title, None, paragraph, (lo, hi))
    parsed_lengths(chunks)


def test_layout_of_an_answer() -> None:
    source = Source("a1", "益阳<新闻>", "向高处 & 攀登", "seeds/x.txt", 53)
    answer = Answer(
        "q",
        True,
        "ask_money",
        1.0,
        "4.56亿元 — 艾华集团投资",
        "2023年，艾华集团投资4.56亿元。",
        source,
    )
    (chunk,) = format_answer(answer, RESPONSES, "zh")
    assert chunk == (
        "<b>4.56亿元 — 艾华集团投资</b>\n"
        "<blockquote>2023年，艾华集团投资4.56亿元。</blockquote>\n"
        "<i>《益阳&lt;新闻&gt;》· 向高处 &amp; 攀登</i>"
    )


def test_decline_lists_suggestions_and_is_not_bold() -> None:
    answer = Answer(
        "q", False, "ask_general", 0.0, "抱歉。你可以试试：", None, None, ("A<b>?", "B?")
    )
    (chunk,) = format_answer(answer, RESPONSES, "zh")
    assert chunk == "抱歉。你可以试试：\n· A&lt;b&gt;?\n· B?"


def test_injection_stays_text() -> None:
    hostile = '</blockquote><a href="tg://user?id=1">x</a> <b>&amp;'
    (chunk,) = render([block(hostile, quote=True)])
    text, entities = parse_html(chunk)
    assert text == hostile
    assert [e["type"] for e in entities] == ["blockquote"]


def test_long_text_splits_on_sentence_boundaries() -> None:
    sentence = "这是一个比较长的句子，用来测试分段。"
    chunks = render([block(sentence * 400, quote=True)])
    assert len(chunks) > 1
    for chunk in chunks:
        text, entities = parse_html(chunk)
        assert utf16_len(text) <= MESSAGE_LIMIT
        assert text.endswith("。")  # cut after a full stop, never mid-sentence
        assert entities[0]["type"] == "blockquote"  # each part is its own complete quote


def test_astral_characters_count_twice() -> None:
    emoji = "😀" * 3000  # 6000 UTF-16 units
    chunks = render([block(emoji)])
    assert parsed_lengths(chunks) == [4096, 1904]


@pytest.mark.parametrize("raw", ["", "   ", "\x00\x01", "\n\n"])
def test_empty_input_still_gives_a_sendable_message(raw: str) -> None:
    assert parsed_lengths(render([block(raw)])) == [1]


def test_clean_and_plain() -> None:
    assert clean("a\ud83d\ude00b\ud800c\r\nd\x07") == "a😀b\ufffdc\nd"
    assert plain("  标题\n很长  ", 10) == "标题 很长"
    assert plain("一二三四五六七八九十", 5) == "一二三四…"
    assert html.unescape(render([block("&lt;")])[0]) == "&lt;"


def test_blank_lines_separate_paragraphs_once() -> None:
    assert render([block(""), block("a"), block(" "), block(""), block("b"), block("")]) == [
        "a\n\nb"
    ]
    chunks = render([block("一" * 10), block(""), block("二" * 10)], limit=12)
    assert chunks == ["一" * 10, "二" * 10]
