"""Who and whose: the holder of the asked post answers 某社的理事长是谁 even in a sentence
naming no organisation; a clause opening with the asked organisation's head noun is about it;
a sentence opening with another place is about that place; a grade (17级) is a count in 级;
thesaurus entries of everyday Chinese (补贴 ~ 补助, 照顾 ~ 照护) reach the page's word."""

from __future__ import annotations

from pathlib import Path

from page_support import answers

from bot.content.facts import DateContext, extract_facts
from bot.content.model import FactKind

PAGE = (
    "# 渔业合作社抱团出海\n\n记者 王明\n\n"
    "云礁渔业专业合作社（简称“云礁渔业社”）成立于2016年，现有社员326户。\n\n"
    "今年49岁的理事长杜海生也是一名船东，以前每次回港都要把渔获卖给码头的收购商。\n\n"
    "新平台可抵御17级台风，设计年产能1200吨。\n\n"
    "渔民拆解老旧渔船后，每艘可获得减船补助30万元。\n\n"
    "改造完成后，渔港可容纳渔船由原来的700艘增加到1200艘。\n\n"
    "护理站先后照护过的老人有九百多位。\n\n"
    "温室里布设了5200个温度、湿度和光照传感器。新品种平均亩产达到650公斤。"
    "从2015年首次配组到今年通过审定，前后历时十一年。\n"
)


def test_the_holder_of_the_asked_post_is_not_someone_else(tmp_path: Path, cache_dir: Path) -> None:
    (answer,) = answers(tmp_path, cache_dir, PAGE, "云礁渔业社的理事长是谁？")
    assert answer.answered and "杜海生" in answer.summary


def test_a_grade_and_a_score_are_counts_a_fraction_is_not() -> None:
    """17级 (a wind force), 91.2分 (a score) are counts; 三分之一 is no count of 分, and 十分
    is "very"."""
    facts = extract_facts("新平台可抵御17级台风，满意度为91.2分。", DateContext(None))
    assert [(f.text, f.unit) for f in facts if f.kind is FactKind.COUNT] == [
        ("17级", "级"),
        ("91.2分", "分"),
    ]
    plain = extract_facts("这十分重要，占三分之一。", DateContext(None))
    assert [f for f in plain if f.kind is FactKind.COUNT] == []


def test_everyday_words_reach_the_pages_word(tmp_path: Path, cache_dir: Path) -> None:
    typhoon, subsidy, elders, boats = answers(
        tmp_path,
        cache_dir,
        PAGE,
        "新平台最大能扛得住几级的台风？",
        "拆掉一艘老渔船能拿多少补贴？",
        "护理站一共照顾过多少位老人？",
        "渔港改造完以后能停靠多少条渔船？",  # 停靠 ~ 容纳, and boats are counted in 条 or 艘
    )
    assert typhoon.answered and "17级" in typhoon.summary
    assert subsidy.answered and "30万元" in subsidy.summary
    assert elders.answered and "九百多位" in (elders.quote or "")
    assert boats.answered and "1200艘" in boats.summary


NEIGHBOURS = (
    "# 县福利中心改造完工\n\n记者 王明\n\n"
    "本报云川11月28日讯 云川县社会福利中心改造提升工程通过竣工验收。"
    "改造工程历时十四个月，总投资4200万元。"
    "按照公建民营的方式，中心今后将委托康宁养老服务有限公司运营。\n\n"
    "与云川县相邻的云西县，其县中心敬老院改造工程总投资约3600万元。\n"
)


def test_a_clause_opening_with_the_asked_head_noun_is_about_it(
    tmp_path: Path, cache_dir: Path
) -> None:
    """…的方式，中心今后将委托某公司运营: 中心 opens a clause, so the sentence is about the
    centre asked and its company answers 交给谁来经营."""
    (answer,) = answers(tmp_path, cache_dir, NEIGHBOURS, "云川县社会福利中心今后交给谁来经营？")
    assert answer.answered and "康宁养老" in answer.summary


def test_a_listed_noun_a_yield_and_a_time_spent(tmp_path: Path, cache_dir: Path) -> None:
    """5200个温度、湿度和光照传感器 counts sensors (the list after the count ends in its
    noun); 每亩收了多少 ~ 亩产; 花了多少年 asks how long, not how much money."""
    sensors, crop, years = answers(
        tmp_path,
        cache_dir,
        PAGE,
        "温室里一共装了多少个传感器？",
        "新品种每亩收了多少？",
        "从配组到通过审定一共花了多少年？",
    )
    assert sensors.answered and "5200个" in sensors.summary
    shop = tmp_path / "shop"
    shop.mkdir()
    (stall,) = answers(
        shop,
        cache_dir,
        "# 鱼丸铺\n\n记者 王明\n\n陈父开了一间只有两张桌子的鱼丸铺，后来办起了工厂。\n",
        "陈父的铺子一开始卖了多少鱼丸？",
    )
    assert not stall.answered  # 两张桌子的鱼丸铺 counts tables: the noun right after 张
    assert crop.answered and "650公斤" in crop.summary
    assert (years.intent, years.answered) == ("ask_duration", True)
    assert "十一年" in years.summary


def test_a_sentence_opening_with_another_place_is_about_it(
    tmp_path: Path, cache_dir: Path
) -> None:
    """新院区总投资8.5亿元 is the new campus's, not the hospital the old campus becomes —
    unless the question asks about that campus itself."""
    page = (
        "# 县医院新院区启用\n\n记者 王明\n\n"
        "云川县人民医院新院区正式启用。新院区总投资8.5亿元，开放床位1000张。"
        "按照规划，老院区将改建为云川县老年病医院，预计明年投用。\n"
    )
    other, asked = answers(
        tmp_path,
        cache_dir,
        page,
        "云川县老年病医院改建总投资多少？",
        "云川县人民医院新院区总投资多少？",
    )
    assert not other.answered
    assert asked.answered and "8.5亿元" in asked.summary


def test_a_relative_is_answered_not_the_person_named(tmp_path: Path, cache_dir: Path) -> None:
    """陈某某的儿子叫啥: 儿子陈某某 names the son — the answer — not his father; and 回村 after
    a verb is no village's name."""
    page = (
        "# 种粮大户的新帮手\n\n记者 王明\n\n"
        "今年58岁的刘满仓种了三十年地。刘满仓的儿子刘禾生今年29岁，大学毕业后回村种田。\n"
    )
    (answer,) = answers(tmp_path, cache_dir, page, "刘满仓他儿子叫啥呀？")
    assert answer.answered and "刘禾生" in answer.summary
    facts = extract_facts("大学毕业后回村种田。", DateContext(None))
    assert [f for f in facts if f.kind is FactKind.PLACE] == []


def test_what_the_holder_of_a_post_was_is_asked_of_a_person(
    tmp_path: Path, cache_dir: Path
) -> None:
    """某社那个理事长以前是干啥的 asks about the person in the post: never answered with what
    the cooperative is (its defining sentence), and answered by the post holder's sentence
    when that one says 以前."""
    intro = "青塘市云翼植保专业合作社（简称“云翼合作社”）是全市规模最大的飞防服务组织之一。"
    question = "云翼合作社那个理事长以前是干啥的？"
    said_before = tmp_path / "said_before"
    said_before.mkdir()
    (answer,) = answers(
        tmp_path,
        cache_dir,
        f"# 飞手合作社\n\n记者 王明\n\n{intro}今年38岁的理事长杜小川原是一名货车司机。\n",
        question,
    )
    assert not (answer.answered and "飞防服务组织" in (answer.quote or ""))
    (answer,) = answers(
        said_before,
        cache_dir,
        f"# 飞手合作社\n\n记者 王明\n\n{intro}今年38岁的理事长杜小川以前是一名货车司机。\n",
        question,
    )
    assert answer.answered and "货车司机" in (answer.quote or "")


CASES_PAGE = (
    "# 伏季休渔执法成效明显\n\n记者 王明\n\n"
    "休渔期间，全市渔业执法部门查处各类违法违规案件137起。\n\n"
    "澜田农业总经理孙一鸣介绍，公司今年流转稻田1.2万亩。\n\n"
    "集采后，这款靶向药每盒价格从2860元降至598元。\n"
)


def test_cases_counted_in_any_case_measure_and_the_head_in_speech(
    tmp_path: Path, cache_dir: Path
) -> None:
    """多少宗案子 is answered in 起 (``case_measures``); 一把手 is whoever heads it, a
    总经理 too (spoken.yaml → 负责人); 一盒 is 每盒 (synonyms.yaml)."""
    cases, head, box = answers(
        tmp_path,
        cache_dir,
        CASES_PAGE,
        "执法部门一共办了多少宗违法违规的案子？",
        "澜田农业的一把手叫什么名字？",
        "这款靶向药现在一盒多少钱？",
    )
    assert cases.answered and "137起" in cases.summary
    assert head.answered and "孙一鸣" in head.summary
    assert box.answered and "598元" in box.summary
