"""Typed facts, one extractor per kind, relative dates resolved against the article date."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content.facts import DateContext, extract_facts
from bot.content.model import Fact, FactKind

TODAY = DateContext(dt.date(2026, 1, 22))


def facts(sentence: str, kind: FactKind, ctx: DateContext = TODAY) -> list[Fact]:
    return [f for f in extract_facts(sentence, ctx) if f.kind is kind]


@pytest.mark.parametrize(
    ("sentence", "text", "value", "qualifier"),
    [
        ("艾华集团投资4.56亿元，布局项目。", "4.56亿元", 4.56e8, None),
        ("新工厂投资5000多万元。", "5000多万元", 5e7, "多"),
        ("收费一千多元，检测仅几十元。", "一千多元", 1000.0, "多"),
        ("每年研发经费超亿元。", "超亿元", 1e8, "超"),
        ("年营收不到2亿元的企业。", "不到2亿元", 2e8, "不到"),
    ],
)
def test_money(sentence: str, text: str, value: float, qualifier: str | None) -> None:
    found = facts(sentence, FactKind.MONEY)
    assert found[0].text == text
    assert found[0].value == pytest.approx(value)
    assert found[0].qualifier == qualifier
    assert found[0].unit == "元"


def test_money_ignores_words_that_contain_yuan() -> None:
    assert facts("电子元器件产业走向多元生态。", FactKind.MONEY) == []


def test_percentages() -> None:
    found = facts("产值分别同比增长11.8%、16.5%，比重均达到80%以上。", FactKind.PERCENT)
    assert [(f.text, f.value) for f in found] == [
        ("11.8%", 11.8),
        ("16.5%", 16.5),
        ("达到80%以上", 80.0),
    ]
    assert facts("满意率为百分之九十五。", FactKind.PERCENT)[0].value == 95.0


@pytest.mark.parametrize(
    ("sentence", "text", "value", "unit"),
    [
        ("全省城镇新增就业超过373万人。", "超过373万人", 3.73e6, "人"),
        ("开工改造老旧小区1605个。", "1605个", 1605.0, "个"),
        ("更新住宅老旧电梯1462台。", "1462台", 1462.0, "台"),
        ("申请专利80余项。", "80余项", 80.0, "项"),
        ("装备近200台套高端设备。", "近200台套", 200.0, "台套"),
        ("2.5万公里农村公路。", "2.5万公里", 25000.0, "公里"),
        ("现在只需要12个人看管设备。", "12个人", 12.0, "个人"),
    ],
)
def test_counts_with_measure_words(sentence: str, text: str, value: float, unit: str) -> None:
    found = facts(sentence, FactKind.COUNT)
    assert (found[0].text, found[0].value, found[0].unit) == (text, value, unit)


def test_one_before_a_measure_word_is_an_article_not_a_count() -> None:
    assert facts("一台工业CT机正在扫描一颗电容器。", FactKind.COUNT) == []


@pytest.mark.parametrize(
    ("sentence", "text", "value", "unit"),
    [
        ("每0.29秒切割一次。", "0.29秒", 0.29, "秒"),
        ("历经10余年摸索。", "10余年", 10.0, "年"),
        ("历时长达三年。", "达三年", 3.0, "年"),
        ("从部署到落地仅11天。", "仅11天", 11.0, "天"),
        ("一来一回至少要个把礼拜。", "个把礼拜", 1.0, "礼拜"),
    ],
)
def test_durations(sentence: str, text: str, value: float, unit: str) -> None:
    found = facts(sentence, FactKind.DURATION)
    assert (found[0].text, found[0].value, found[0].unit) == (text, value, unit)


@pytest.mark.parametrize(
    ("sentence", "text", "value"),
    [
        ("1985年，艾立华起家。", "1985年", "1985"),
        ("2025年1—11月，产值增长。", "2025年1—11月", "2025-01/2025-11"),
        ("1月19日，车间里很忙。", "1月19日", "2026-01-19"),
        ("该研究院于去年9月成立。", "去年9月", "2025-09"),
        ("计划在今年5月建成中试线。", "今年5月", "2026-05"),
        ("去年，全省开工改造老旧小区。", "去年", "2025"),
        ("记者从今天召开的会议获悉。", "今天", "2026-01-22"),
        ("“十四五”期间成效显著。", "十四五", "2021/2025"),
        ("公司20日发布消息。", "20日", "2026-01-20"),
        # a year in Chinese digits, digit by digit, is a year (not a duration of 2025 years)
        ("二〇二五年，她被评为优秀乡村医生。", "二〇二五年", "2025"),
        ("拨付二〇二五年度结余资金。", "二〇二五年", "2025"),
        ("大桥于一九九八年建成。", "一九九八年", "1998"),
    ],
)
def test_dates_absolute_and_relative(sentence: str, text: str, value: str) -> None:
    found = facts(sentence, FactKind.DATE)
    assert (found[0].text, found[0].value) == (text, value)


def test_relative_dates_without_a_page_date_stay_unresolved() -> None:
    found = facts("该研究院于去年9月成立。", FactKind.DATE, DateContext(None))
    assert found[0].value is None


def test_ranks() -> None:
    texts = [
        f.text
        for f in facts(
            "打造国内最大、全球前三的基地，位居全国十大新型PCB产业基地第七位。", FactKind.RANK
        )
    ]
    assert "国内最大" in texts
    assert "全球前三" in texts
    assert any(t.endswith("第七位") for t in texts)
    assert facts("成为国内首家获此资格的制造商。", FactKind.RANK)[0].text == "国内首家"


def test_people_with_role_and_organisation() -> None:
    [person] = facts("1月19日，和天电子有限公司董事长陈宏志摊开了一张新蓝图。", FactKind.PERSON)
    assert (person.value, person.role, person.org) == ("陈宏志", "董事长", "和天电子有限公司")
    [deputy] = facts("省人力资源和社会保障厅党组成员、副厅长李日新接受专访。", FactKind.PERSON)
    assert deputy.value == "李日新"
    assert deputy.role == "党组成员、副厅长"
    assert deputy.org == "省人力资源和社会保障厅"
    [short] = facts("省住房和城乡建设厅厅长陈旌介绍情况。", FactKind.PERSON)
    assert short.value == "陈旌"
    assert [f.value for f in facts("依托潘安栋教授团队的积累。", FactKind.PERSON)] == ["潘安栋"]
    assert [f.value for f in facts("1985年，艾立华以3700元起家。", FactKind.PERSON)] == ["艾立华"]
    [ceo] = facts("云驰机器人创始人、首席执行官方一鸣介绍。", FactKind.PERSON)
    assert (ceo.value, ceo.role) == ("方一鸣", "创始人、首席执行官")
    # a kind of doctor is nobody's name; a name jieba knows as a name still is
    assert facts("每万名常住人口拥有全科医生达到5.2名。", FactKind.PERSON) == []
    assert [f.value for f in facts("王明医生说。", FactKind.PERSON)] == ["王明"]


def test_organisations_and_places() -> None:
    sentence = "2008年，奥士康科技股份有限公司从广东惠州回迁，落户资阳长春经开区。"
    assert [f.value for f in facts(sentence, FactKind.ORG)] == ["奥士康科技股份有限公司"]
    places = [f.value for f in facts(sentence, FactKind.PLACE)]
    assert "资阳长春经开区" in places
    joint = "由益阳高新区和湖南师范大学联合共建。"
    assert [f.value for f in facts(joint, FactKind.ORG)] == ["湖南师范大学"]
    assert "益阳高新区" in [f.value for f in facts(joint, FactKind.PLACE)]


def test_common_words_are_not_places() -> None:
    places = [
        f.value
        for f in facts("力争完成地级城市中心城区体检，推动县级城市全面开展。", FactKind.PLACE)
    ]
    assert places == []
    # a suffix that begins a word, a verb ending in a suffix, a description after 这座
    assert "浙江省乡" not in [
        f.value for f in facts("浙江省乡村振兴研究院副院长。", FactKind.PLACE)
    ]
    for sentence in (
        "他从上海回乡创业，人员返乡后，群众节省了开支。",
        "如今，这座浙西南山区县的产值达到86.5亿元。",
    ):
        found = [f.value for f in facts(sentence, FactKind.PLACE)]
        assert not any(p.endswith(("回乡", "返乡", "节省", "山区县")) for p in found), found


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_well_formed_facts(text: str) -> None:
    for fact in extract_facts(text, TODAY):
        assert 0 <= fact.start < fact.end <= len(text)
        assert text[fact.start : fact.end] == fact.text or fact.kind is FactKind.RANK


@pytest.mark.parametrize(
    ("sentence", "kind", "text", "value", "unit", "qualifier"),
    [
        ("吞吐量382.6万标准箱。", FactKind.COUNT, "382.6万标准箱", 3.826e6, "标准箱", None),
        ("他在这里干了七八年。", FactKind.DURATION, "七八年", 7.0, "年", None),  # not 78
        ("引进了十几台设备。", FactKind.COUNT, "十几台", 10.0, "台", None),
        ("能量密度达到165瓦时。", FactKind.COUNT, "达到165瓦时", 165.0, "瓦时", "达到"),
        ("最长不超过12个月。", FactKind.DURATION, "不超过12个月", 12.0, "个月", "不超过"),
        ("网上销售额达到2.3亿元。", FactKind.MONEY, "达到2.3亿元", 2.3e8, "元", "达到"),
        (
            "今年1—2月，吞吐量增长。",
            FactKind.DATE,
            "1—2月",
            "2026-01/2026-02",
            "month-range",
            None,
        ),
    ],
)
def test_numbers_newspapers_write(
    sentence: str, kind: FactKind, text: str, value: object, unit: str, qualifier: str | None
) -> None:
    found = {
        (f.text, f.value, f.unit, f.qualifier)
        for f in facts(sentence, kind, DateContext(dt.date(2026, 3, 5)))
    }
    assert (text, value, unit, qualifier) in found, found


def test_an_age_is_not_a_duration() -> None:
    assert facts("年满16周岁的灵活就业人员可以缴存。", FactKind.DURATION) == []


@pytest.mark.parametrize(
    ("sentence", "text", "value", "qualifier"),
    [
        ("门票收入占总收入的七成以上。", "七成以上", 70.0, "以上"),
        ("近八成农户入了社。", "近八成", 80.0, "近"),
        ("省外游客占三成多。", "三成多", 30.0, "多"),
    ],
)
def test_tenths_are_percentages(sentence: str, text: str, value: float, qualifier: str) -> None:
    found = facts(sentence, FactKind.PERCENT)
    assert [(f.text, f.value, f.qualifier) for f in found] == [(text, value, qualifier)]


def test_words_with_a_numeral_before_cheng_are_no_share() -> None:
    assert facts("全国统一成一个大市场，一成不变的做法行不通。", FactKind.PERCENT) == []


@pytest.mark.parametrize(
    ("sentence", "text", "unit"),
    [
        ("今年52岁的他回到村里。", "52岁", "岁"),
        ("发现危急值412例。", "412例", "例"),
        ("沿线设置服务区4对。", "4对", "对"),
    ],
)
def test_ages_cases_and_pairs_are_counts(sentence: str, text: str, unit: str) -> None:
    found = facts(sentence, FactKind.COUNT)
    assert [(f.text, f.unit) for f in found] == [(text, unit)]


def test_a_place_name_stops_at_a_naming_word_and_at_a_dates_unit() -> None:
    """（原名青石乡，2018年撤乡设镇）: the former name is 青石乡, not 原名青石乡; 撤乡设镇 after
    2018年 is a change of status, and 年撤乡 no place."""
    sentence = "东山县青石镇（原名青石乡，2018年撤乡设镇）的茶园里，采茶工正在忙碌。"
    places = {f.text for f in facts(sentence, FactKind.PLACE)}
    assert places == {"东山县", "东山县青石镇", "青石乡"}
    assert [f.value for f in facts(sentence, FactKind.NAME)] == ["青石乡"]


def test_a_dictionary_noun_beginning_with_a_surname_is_no_person() -> None:
    """农户以承包地入股: households (农 is also a surname), not a person called 农户."""
    assert facts("村集体以晒谷场入股，农户以承包地经营权入股。", FactKind.PERSON) == []


def test_a_three_character_name_before_a_verb_with_its_aspect_particle() -> None:
    """理事长周文斌盯着…: a verb jieba does not know as a word (盯着) still ends the name."""
    people = facts("合作社理事长周文斌盯着机手作业，一边算账。", FactKind.PERSON)
    assert [(f.value, f.role) for f in people] == [("周文斌", "理事长")]


def test_a_name_in_single_quotes_after_a_naming_word() -> None:
    """“…被称为‘水中大熊猫’…”: quoted speech writes the name in single quotes."""
    names = facts("“这种鸟对水质要求很高，被称为‘水中熊猫’。”", FactKind.NAME)
    assert [(f.value, f.qualifier) for f in names] == [("水中熊猫", "称为")]


def test_a_dateline_holds_no_fact() -> None:
    """本报某市11月30日讯（记者 某某）: the day the report was filed and its credits are no
    answer to "什么时候" or "谁"; what the sentence says after the dateline is."""
    sentence = (
        "本报青川11月30日讯（记者 王明 通讯员 李华）记者从青川地铁集团获悉，2号线已完成主体结构。"
    )
    found = extract_facts(sentence, TODAY)
    assert [f.kind for f in found if f.kind in (FactKind.DATE, FactKind.PERSON)] == []
    assert [f.text for f in found if f.kind is FactKind.ORG] == ["青川地铁集团"]


def test_a_name_after_an_age_is_a_persons() -> None:
    """今年61岁的某某: the age introduces a person, whatever follows the name; a title that
    ends in another (项目总工程师) names nobody called 项目总."""
    people = facts("村民、今年61岁的鲁长根分到了一套房，今年30岁的李强开始创业。", FactKind.PERSON)
    assert [f.value for f in people] == ["鲁长根", "李强"]
    engineer = facts("2号线项目总工程师、今年46岁的孔立新说，工程提前完工。", FactKind.PERSON)
    assert [f.value for f in engineer] == ["孔立新"]


def test_a_title_after_an_organisations_short_name_in_brackets_is_its_post() -> None:
    """某某合作社(简称“某某”)理事长某某: the bracket stands between the organisation and the
    title, so the post is still that organisation's."""
    (person,) = facts(
        "青山村富民茶叶专业合作社(简称“富民合作社”)理事长周文斌说，茶价稳了。", FactKind.PERSON
    )
    assert (person.value, person.role, person.org) == (
        "周文斌",
        "理事长",
        "青山村富民茶叶专业合作社",
    )


def test_trains_are_counted_in_lie() -> None:
    """开行中欧班列420列: 列 counts trains, so 多少列 is answered by the count, not the
    percentage beside it."""
    counts = facts("2025年，某港开行中欧班列420列，同比增长12%。", FactKind.COUNT)
    assert [(f.value, f.unit) for f in counts] == [(420.0, "列")]


def test_a_hall_ending_in_ting_is_no_organisation() -> None:
    """演艺厅 / 多功能厅 end like a department (省文化和旅游厅) but are rooms."""
    facts = extract_facts(
        "另有一座可容纳600人的演艺厅和一个多功能厅，由省文化和旅游厅指导建设。", DateContext(None)
    )
    assert [f.text for f in facts if f.kind is FactKind.ORG] == ["省文化和旅游厅"]
