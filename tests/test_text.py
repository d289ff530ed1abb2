"""Text primitives: normalisation, sentences, pinyin, phrase matching, numbers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.content.numbers import parse_number
from bot.knowledge.matcher import PhraseMatcher
from bot.text import pinyin
from bot.text.chars import paragraph_is_finished
from bot.text.normalize import clean_control, normalize
from bot.text.sentences import split_sentences


def test_normalize_traditional_width_case_space() -> None:
    assert normalize("資陽區ＰＣＢ　產業") == "资阳区pcb 产业"
    assert normalize("  艾華\u200b集團  ") == "艾华集团"


@given(st.text())
def test_normalize_never_fails(text: str) -> None:
    assert isinstance(normalize(text), str)
    assert "\u200b" not in clean_control(text)


def test_sentences_keep_closing_quotes() -> None:
    text = "“智能制造不是选择题，而是生死题。”陈宏志的坚决，源于判断。有多难呢？研发人员举例"
    parts = [text[a:b] for a, b in split_sentences(text)]
    assert parts == [
        "“智能制造不是选择题，而是生死题。”",
        "陈宏志的坚决，源于判断。",
        "有多难呢？",
        "研发人员举例",
    ]


def test_a_half_width_full_stop_between_chinese_text_ends_a_sentence() -> None:
    """Typed for 。 (最大浪高7.2米.台风过后), after a quote or a percentage too; a decimal
    point or an abbreviation (7.2, U.S.) ends nothing, and such a paragraph is finished."""
    text = '浪高7.2米.台风过后,网衣完好."规矩"也有.增长5%.在U.S.上市'
    parts = [text[a:b] for a, b in split_sentences(text)]
    assert parts == ["浪高7.2米.", "台风过后,网衣完好.", '"规矩"也有.', "增长5%.", "在U.S.上市"]
    assert paragraph_is_finished("满意度为90.5分.")
    assert not paragraph_is_finished("数据显示，回收利用率达到63.")


@given(st.text(max_size=300))
def test_sentence_spans_are_substrings_in_order(text: str) -> None:
    end = 0
    for start, stop in split_sentences(text):
        assert end <= start < stop <= len(text)
        end = stop


def test_pinyin_sound_keys() -> None:
    assert pinyin.key("信为电科") == pinyin.key("信维电科")
    assert pinyin.key("湘西洲") == pinyin.key("湘西州")
    assert pinyin.key("和田") == pinyin.key("和天")


def test_phrase_matcher_leftmost_longest_and_all() -> None:
    matcher = PhraseMatcher({"信维": "x", "信维电科": "x", "电科": "y"})
    assert [m.phrase for m in matcher.find("我问信维电科")] == ["信维电科"]
    assert {m.phrase for m in matcher.find_all("我问信维电科")} == {"信维", "信维电科", "电科"}


def test_numbers() -> None:
    assert parse_number("4.56") == 4.56
    assert parse_number("一千") == 1000
    assert parse_number("二十三") == 23
    assert parse_number("两") == 2
    assert parse_number("个把") == 1
    assert parse_number("1,605") == 1605


def test_a_cut_never_leaves_a_straight_quote_unpaired() -> None:
    from bot.text.chars import without_unpaired_straight_quote

    assert without_unpaired_straight_quote('第3个"便民服务站') == "第3个便民服务站"
    assert without_unpaired_straight_quote('叫"便民驿站"的站点') == '叫"便民驿站"的站点'


def test_spoken_forms_keep_words_that_merely_begin_like_them() -> None:
    from tests_paths import INTENTS

    from bot.rules.loader import load_rules

    spoken = load_rules(INTENTS).spoken
    assert spoken.rewrite("他老婆是干啥的").startswith("他妻子")
    for word in ("老公司", "老公园", "老婆婆", "老总部", "孙媳妇"):
        assert word in spoken.rewrite(f"那个{word}在哪"), word
