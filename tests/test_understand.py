"""Reading a message: names despite typos and traditional characters, content words, cues."""

from __future__ import annotations

import pytest

from bot.knowledge.build import Knowledge
from bot.nlu.understand import split_unknown, understand
from bot.rules.model import AnswerType


@pytest.mark.parametrize(
    ("message", "entity"),
    [
        ("信为电科申请了多少专利？", "org:信维电科"),
        ("和田电子的董事长是谁", "org:和天电子"),
        ("湘西洲有多少个旅游村寨", "place:湘西州"),
        ("資陽區的PCB產業基地排第幾", "place:资阳区"),
        ("pcb产值增长多少", "concept:pcb"),
        ("艾化集团投资了多少钱", "org:艾华集团"),
        ("胡如琰是什么职务", "person:胡茹琰"),
        ("陈静厅长说要设立什么基金", "person:陈旌"),
        ("益阳电容器检侧中心花了多少钱建的", "org:检测中心"),
    ],
)
def test_names_are_found_through_typos(knowledge: Knowledge, message: str, entity: str) -> None:
    keys = [n.entity.key for n in understand(message, knowledge).names]
    assert entity in keys


def test_exact_names_are_not_marked_fuzzy(knowledge: Knowledge) -> None:
    query = understand("和天电子的董事长是谁", knowledge)
    assert (query.names[0].surface, query.names[0].fuzzy) == ("和天电子", False)


@pytest.mark.parametrize(
    ("message", "answer"),
    [
        ("艾华集团投资了多少钱？", AnswerType.MONEY),
        ("去年全省改造了多少个老旧小区？", AnswerType.COUNT),
        ("电容器产业集群产值增长了多少？", AnswerType.PERCENT),
        ("奥士康是什么时候回迁的？", AnswerType.DATE),
        ("和天电子的董事长是谁？", AnswerType.PERSON),
        ("奥士康落户在哪里？", AnswerType.PLACE),
        ("资阳区PCB产业基地全国排第几？", AnswerType.RANK),
        ("为什么说智能制造是生死题", AnswerType.REASON),
        ("湖南如何确保民生实事办一件成一件？", AnswerType.METHOD),
        ("什么是自报享惠？", AnswerType.DEFINITION),
        ("MLCC良品率有多高", AnswerType.PERCENT),
        ("艾华 VDE认证", AnswerType.ANY),
    ],
)
def test_answer_types(knowledge: Knowledge, message: str, answer: AnswerType) -> None:
    assert understand(message, knowledge).answer_type is answer


def test_unit_and_counted_noun(knowledge: Knowledge) -> None:
    assert understand("比亚迪去年卖了多少辆车？", knowledge).unit == "辆"
    assert understand("信维专利申请了几个", knowledge).unit is None  # 几个: any unit
    assert "在校学生" in understand("江西理工大学有多少在校学生？", knowledge).counted
    # 几个人看着: people are counted, 看着 is what they do
    assert understand("产线现在要几个人看着？", knowledge).counted == ("人",)


def test_tense(knowledge: Knowledge) -> None:
    assert understand("产线现在要几个人？", knowledge).tense == "now"
    assert understand("产线以前要几个人？", knowledge).tense == "past"
    assert understand("产线要几个人？", knowledge).tense is None


def test_question_words_and_fillers_are_not_content(knowledge: Knowledge) -> None:
    query = understand("请问艾华集团到底投资了多少钱啊？", knowledge)
    assert "多少钱" not in query.terms
    assert "到底" not in query.terms
    assert "贵不贵" not in understand("检测中心收费贵不贵", knowledge).terms


def test_follow_up_markers(knowledge: Knowledge) -> None:
    assert understand("他们一年营收多少？", knowledge).pronoun
    assert understand("研发团队呢？", knowledge).ellipsis
    assert understand("那PCB呢？", knowledge).ellipsis
    assert not understand("那全省首笔业务是哪家？", knowledge).ellipsis


def test_long_input_is_cut_before_reading(knowledge: Knowledge) -> None:
    query = understand("艾华" * 5000, knowledge)
    assert query.truncated
    assert len(query.text) == knowledge.rules.thresholds.max_question_chars


def test_glued_fragments_are_recut(knowledge: Knowledge) -> None:
    known = {"申请": 1, "专利": 1, "面积": 1}
    w = knowledge.rules.scoring
    assert split_unknown("大面积", known, frozenset(), w) == ["大", "面积"]
    assert split_unknown("投了", known, frozenset({"了"}), w) == ["投"]


def test_years_are_checked_not_matched(knowledge: Knowledge) -> None:
    query = understand("2025年湖南城镇新增就业多少人？", knowledge)
    assert query.year == 2025 and "2025" not in query.terms
    assert understand("去年完成了多少户农村危房改造？", knowledge).year_offset == -1
    assert understand("湖南计划新增多少就业？", knowledge).tense == "future"


def test_spaces_between_chinese_characters_separate_nothing(knowledge: Knowledge) -> None:
    """ "艾华集团 投资了 多少钱" is read like "艾华集团投资了多少钱"; English keeps its spaces."""
    spaced = understand("艾华集团  投资了 多少 钱", knowledge)
    plain = understand("艾华集团投资了多少钱", knowledge)
    assert spaced.text == plain.text
    assert spaced.answer_type is AnswerType.MONEY
    assert understand("what is MLCC", knowledge).text == "what is mlcc"
