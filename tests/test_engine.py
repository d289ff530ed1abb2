"""Answers with the sentence that proves them; honest declines; follow-ups in context."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.answer.context import Conversation
from bot.answer.engine import Answerer
from bot.knowledge.build import Knowledge


def ask(answerer: Answerer, *questions: str):  # type: ignore[no-untyped-def]
    conversation = Conversation()
    return [answerer.answer(q, conversation) for q in questions]


def test_answer_contract(answerer: Answerer, knowledge: Knowledge) -> None:
    [answer] = ask(answerer, "艾华集团投资了多少钱？")
    data = answer.as_dict()
    assert set(data) == {
        "question",
        "answered",
        "intent",
        "confidence",
        "summary",
        "quote",
        "source",
        "suggestions",
    }
    assert data["answered"] is True
    assert data["intent"] == "ask_money"
    assert 0 < data["confidence"] <= 1
    assert data["summary"].startswith("4.56亿元 — ")
    assert "投资4.56亿元" in data["quote"]
    assert set(data["source"]) == {"article_id", "article", "section", "file", "line"}
    assert data["source"]["file"] == "seeds/000_1137eb7e6b31fe41.txt"
    assert data["source"]["line"] == 53
    article = knowledge.article(data["source"]["article_id"])
    assert article is not None and data["quote"] in article.text
    assert 2 <= len(data["suggestions"]) <= 4
    json.dumps(data, ensure_ascii=False)


def test_every_suggestion_is_answerable(answerer: Answerer) -> None:
    [answer] = ask(answerer, "和天电子的董事长是谁？")
    assert answer.suggestions
    for suggestion in answer.suggestions:
        assert answerer.answer(suggestion).answered, suggestion


@pytest.mark.parametrize(
    ("question", "summary", "quote"),
    [
        ("和天电子的董事长是谁？", "陈宏志 — 和天电子有限公司董事长", "董事长陈宏志"),
        ("研究院是哪一年成立的？", "2025年9月（去年9月）", "该研究院于去年9月成立"),
        ("资阳区PCB产业基地全国排第几？", "第七位", "第七位"),
        ("湘西州有多少个旅游村寨？", "23个", "湘西州23个旅游村寨"),
        # the sentence naming the term beats one that merely mentions 益阳 and MLCC
        ("益阳的工业大米是什么？", "AI服务器的“心脏”", "被喻为“工业大米”的微型元件"),
        ("陈宏志是干什么的？", "和天电子有限公司董事长", "陈宏志"),  # a person: the role
        ("赫山区主要做什么？", "深耕高端铝电解电容器", "赫山区作为根基"),
        # a reason: the sentence that gives one, though it does not repeat the name
        ("为什么信维选择益阳", "与本地产业逻辑相通", "团队改变了看法"),
        ("陈宏志打算建什么", "这次我们要建的是", "‘超级工厂’"),  # 打算 is a filler
        ("湖南未来光电技术研究院是谁建的", "益阳高新区和湖南师范大学 — ", "联合共建"),
        # the only person in a sentence that says all the question asks is the answer
        ("艾华集团是谁创立的", "艾立华", "创立了资江电子元件厂"),
    ],
)
def test_summaries_are_direct_answers(
    answerer: Answerer, question: str, summary: str, quote: str
) -> None:
    [answer] = ask(answerer, question)
    assert answer.answered
    assert summary in answer.summary
    assert quote in (answer.quote or "")


@pytest.mark.parametrize(
    "question",
    [
        "比亚迪去年卖了多少辆车？",
        "信维电科的董事长是谁？",
        "华为在益阳投资了多少钱？",
        "今天长沙天气怎么样？",
        "红烧肉怎么做？",
        "asdfgh",
        "1+1等于几",
        "宜宾的锂电池产业规模有多大？",
        "李日新是哪里人？",
        "潘安栋教授是哪所大学毕业的？",
    ],
)
def test_declines_what_the_articles_do_not_say(answerer: Answerer, question: str) -> None:
    [answer] = ask(answerer, question)
    assert not answer.answered
    assert answer.quote is None and answer.source is None
    assert answer.suggestions
    for suggestion in answer.suggestions:
        assert answerer.answer(suggestion).answered


def test_near_miss_names_the_entity(answerer: Answerer) -> None:
    [answer] = ask(answerer, "比亚迪去年卖了多少辆车？")
    assert "比亚迪" in answer.summary


@pytest.mark.parametrize(
    ("turns", "expected"),
    [
        (["和天电子的董事长是谁？", "他们一年营收多少？"], "年营收不到2亿元"),
        (["信维电科申请了多少专利？", "研发团队呢？"], "超300人的国际化团队"),
        (["湖南未来光电技术研究院在哪里？", "是哪一年成立的？"], "去年9月成立"),
        (["艾华集团的前身是什么？", "是哪一年成立的？"], "1985年"),
    ],
)
def test_follow_ups_use_the_previous_turn(
    answerer: Answerer, turns: list[str], expected: str
) -> None:
    answers = ask(answerer, *turns)
    assert all(a.answered for a in answers)
    assert expected in (answers[-1].quote or "")


def test_ellipsis_swaps_the_item_of_a_list(answerer: Answerer) -> None:
    first, second = ask(answerer, "电容器产业集群产值增长了多少？", "那PCB呢？")
    assert first.summary.startswith("11.8%")
    assert second.summary.startswith("16.5%")


def test_meta_intents(answerer: Answerer) -> None:
    listing, summary, greeting = ask(answerer, "有哪些文章？", "介绍一下城市更新那篇", "你好")
    assert listing.answered and listing.quote is None and len(listing.items) == 6
    assert summary.answered and summary.source is not None
    assert "全省住房和城乡建设工作会议" in (summary.quote or "")
    assert greeting.answered and greeting.intent == "greet"


def test_english_interface_strings(answerer: Answerer) -> None:
    assert answerer.answer("你好", language="en").summary.startswith("Hello")
    declined = answerer.answer("红烧肉怎么做？", language="en")
    assert declined.summary.startswith("Sorry")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_any_text_gets_an_answer_object(answerer: Answerer, text: str) -> None:
    answer = answerer.answer(text, Conversation())
    assert isinstance(answer.summary, str) and answer.summary
    if answer.quote is not None:
        assert len(answer.quote) <= 200
    json.dumps(answer.as_dict(), ensure_ascii=False)


@pytest.fixture(scope="module")
def fourth(cache_dir: Path) -> Answerer:
    from tests_paths import FIXTURES, INTENTS

    from bot.knowledge.build import build_knowledge

    return Answerer(build_knowledge(FIXTURES / "pages4", INTENTS, cache_dir))


@pytest.mark.parametrize(
    "question",
    [
        "千岛湖去年一年接待了多少游客？",  # the page has only this year's holiday forecast
        "杭州互联网法院审这个AI换声案用了多长时间？",  # 今天 is a date, not a duration
        "庆元县有多少常住人口？",  # 每万名常住人口: a denominator, not a count
    ],
)
def test_near_misses_of_time_and_ratio_are_declined(fourth: Answerer, question: str) -> None:
    [answer] = ask(fourth, question)
    assert not answer.answered, answer.summary


@pytest.mark.parametrize(
    ("question", "summary"),
    [
        ("庆元食用菌全产业链产值是多少？", "86.5亿元"),  # the result, not the 2027 target
        ("庆元计划食用菌产值达到多少", "120亿元"),  # …unless the plan is asked for
        ("云驰机器人的创始人是谁？", "方一鸣"),
        ("菇源公司的数字化菌棒工厂投资了多少钱？", "1.6亿元"),
    ],
)
def test_fourth_page_answers(fourth: Answerer, question: str, summary: str) -> None:
    [answer] = ask(fourth, question)
    assert answer.answered and summary in answer.summary, answer.summary


def test_a_follow_up_swaps_the_counted_item(cache_dir: Path) -> None:
    """ "入境游客呢？" after "…多少国内游客": 国内游客 goes, the rest of the question stays."""
    from tests_paths import FIXTURES, INTENTS

    from bot.knowledge.build import build_knowledge

    third = Answerer(build_knowledge(FIXTURES / "pages3", INTENTS, cache_dir))
    first, second = ask(third, "2025年四川接待了多少国内游客？", "入境游客呢？")
    assert "9.8亿人次" in first.summary
    assert "385万人次" in second.summary, second.summary


@pytest.mark.parametrize(
    ("question", "summary"),
    [
        ("廖志鹏团队的成果转让金额是多少？", "1.6亿元"),  # 该成果, beside his university
        ("这篇钠离子电池论文的通讯作者是谁？", "廖志鹏"),  # not the article's byline
        ("论文第一作者是谁", "欧阳静怡"),
        ("零下40℃能保持多少容量", "85%以上"),  # not 5000次 in the next clause
        ("練江流域面積有多大", "1353平方公里"),  # 面积 is a concept word; not the 71.1公里 length
    ],
)
def test_fifth_page_answers(cache_dir: Path, question: str, summary: str) -> None:
    from tests_paths import FIXTURES, INTENTS

    from bot.knowledge.build import build_knowledge

    fifth = Answerer(build_knowledge(FIXTURES / "pages5", INTENTS, cache_dir))
    [answer] = ask(fifth, question)
    assert answer.answered and summary in answer.summary, answer.summary
