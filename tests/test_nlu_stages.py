"""Each nlu stage on its own: normalise, segment, names, slots, classify, need."""

from __future__ import annotations

from dataclasses import replace

from bot.knowledge.build import Knowledge
from bot.nlu import slots
from bot.nlu.classify import classify
from bot.nlu.names import find_names
from bot.nlu.need import need_from_query
from bot.nlu.normalise import normalise
from bot.nlu.segment import content_terms
from bot.nlu.understand import understand
from bot.rules.model import AnswerType


def test_normalise_simplifies_and_cuts_at_the_limit() -> None:
    message = normalise("資陽區ＰＣＢ產業", 300)
    assert (message.text, message.truncated) == ("资阳区pcb产业", False)
    long = normalise("益" * 50, 10)
    assert (len(long.text), long.truncated, long.raw) == (10, True, "益" * 50)


def test_segment_leaves_out_names_and_stopwords(knowledge: Knowledge) -> None:
    text = "艾华集团投资了多少钱"
    terms = content_terms(text, [(0, 4)], knowledge)
    assert "投资" in terms
    assert not {"艾华", "集团", "艾华集团", "了", "多少钱"} & set(terms)
    # nothing covered: the name's words are content words too
    assert {"艾华", "艾华集团"} & set(content_terms(text, [], knowledge))


def test_names_are_grounded_exactly_by_sound_or_by_spelling(knowledge: Knowledge) -> None:
    [exact] = find_names("信维电科", knowledge)
    [sound] = find_names("信为电科", knowledge)
    assert (exact.entity.key, exact.fuzzy) == ("org:信维电科", False)
    assert (sound.entity.key, sound.fuzzy, sound.surface) == ("org:信维电科", True, "信为电科")
    assert find_names("天气怎么样", knowledge) == ()  # nothing on the page is called that


def test_slots_read_unit_time_and_scope() -> None:
    assert slots.unit("多少辆车") == "辆"
    assert slots.unit("几个项目") is None  # 几个: any measure
    assert slots.grain("哪一天开业") == "day"
    assert slots.grain("哪个月") == "month"
    assert slots.tense("计划投资多少") == "future"
    assert (slots.year("2025年营收"), slots.year_offset("去年营收")) == (2025, -1)
    assert slots.counted("有多少在校学生", (), ["在校", "学生"])[-1] == "#在校学生"


def test_follow_ups_are_read_with_the_markers_given() -> None:
    markers = ("呢", "那", "还有", "另外")
    assert slots.ellipsis("研发团队呢？", markers, 14)
    assert slots.ellipsis("那PCB？", markers, 14)
    assert not slots.ellipsis("那全省首笔业务是哪家？", markers, 14)  # asks its own question
    assert not slots.ellipsis("研发团队呢？", ("还有",), 14)  # 呢 is not a marker here
    assert not slots.ellipsis("研发团队呢？", markers, 3)  # too long to be a follow-up
    assert slots.pronoun("他们一年营收多少", ("他们",))


def test_classify_prefers_a_pattern_and_reports_its_span(knowledge: Knowledge) -> None:
    found = classify("艾华集团投资了多少钱", knowledge.rules)
    assert found.intent is not None and found.intent.answer is AnswerType.MONEY
    assert any("多少钱" in "艾华集团投资了多少钱"[a:b] for a, b in found.spans)
    assert classify("今天天气", knowledge.rules).intent is None


def test_keyword_weights_come_from_the_rules(knowledge: Knowledge) -> None:
    text = "艾华集团投资了多少钱"
    base = classify(text, knowledge.rules).score
    heavier = replace(knowledge.rules.scoring, pattern_score=2.0)
    rules = replace(knowledge.rules, scoring=heavier)
    assert classify(text, rules).score == base + 1.0


def test_need_reads_a_definition_of_a_person_as_their_role(knowledge: Knowledge) -> None:
    need = need_from_query(understand("陈宏志是干什么的", knowledge))
    assert need.answer is AnswerType.PERSON
    assert [e.key for e in need.names] == ["person:陈宏志"]
    assert need_from_query(understand("什么是自报享惠？", knowledge)).answer is (
        AnswerType.DEFINITION
    )
