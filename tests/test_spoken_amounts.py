"""Amounts as people say them (五块钱, 两块多钱, 挣七八千), names a page writes around a
person (an age then a place, 选手/村民 before a name), and organisation names that a common
word or a measure word would cut (数据科技有限公司, 这座…中心, 动力中心1栋)."""

from __future__ import annotations

from pathlib import Path

from page_support import answers

from bot.content.facts import DateContext, extract_facts
from bot.content.model import FactKind


def _facts(sentence: str, kind: FactKind) -> list[str]:
    found = extract_facts(sentence, DateContext(None))
    return [str(f.value) if kind is FactKind.PERSON else f.text for f in found if f.kind is kind]


def test_spoken_money() -> None:
    assert _facts("现在一斤能卖到五块钱。", FactKind.MONEY) == ["五块钱"]
    assert _facts("过去一斤收购价两块多钱。", FactKind.MONEY) == ["两块"]
    assert _facts("在家门口上班，一个月能挣七八千。", FactKind.MONEY) == ["七八千"]
    assert _facts("去年他赚了两万多。", FactKind.MONEY) == ["两万多"]
    assert _facts("一年能赚十几万。", FactKind.MONEY) == ["十几万"]
    assert _facts("挣一百块就够了。", FactKind.MONEY) == ["一百"]
    # an earning verb before a duration, a count, a written amount or another word adds nothing
    assert _facts("他在外面挣了3个月，每天能挣150元。", FactKind.MONEY) == ["150元"]
    assert _facts("他赚了一把，挣了三年钱。", FactKind.MONEY) == []


def test_an_age_then_a_place_is_no_name() -> None:
    """…the place where the person lives (a title follows it); a name merely ending like a
    place is still a person's."""
    assert "石门县" not in _facts("今年52岁的石门县柳溪镇村民黄秋兰说。", FactKind.PERSON)
    assert "陈建州" in _facts("今年55岁的陈建州每天都来。", FactKind.PERSON)


def test_organisation_names_a_common_word_or_a_count_would_cut() -> None:
    orgs = _facts("项目由青原云数数据科技有限公司运营。", FactKind.ORG)
    assert orgs == ["青原云数数据科技有限公司"]  # the 据 of 数据 ends no name
    assert _facts("绿色是这座算力中心的一大特点。", FactKind.ORG) == ["算力中心"]
    assert _facts("建成机房楼2栋、动力中心1栋。", FactKind.ORG) == []
    assert _facts("城关中学12名学生获奖。", FactKind.ORG) == ["城关中学"]  # its pupils
    assert _facts("小米公司根据市场监管局的要求整改。", FactKind.ORG)[0] == "小米公司"
    assert _facts("据青原云数科技有限公司介绍，", FactKind.ORG) == ["青原云数科技有限公司"]


PAGE = (
    "# 山里的果子坐上飞机\n\n记者 王明\n\n"
    "青原果业有限公司董事长柯长林介绍，公司今年收购鲜果3000吨。\n\n"
    "公司总经理钟晓梅说，果子空运出国后，一斤能卖到六块钱。\n\n"
    "柯长林的妻子许兰是一名乡村医生。\n\n"
    "青原果业有限公司的冷库占地40亩，今年4月投用。\n\n"
    "该公司今年的销售收入达到1.2亿元。\n\n"
    "青原至海口的货运航线将于5月18日首航。\n"
)


def test_colloquial_questions(tmp_path: Path, cache_dir: Path) -> None:
    """老总 is whoever runs the firm (its 董事长 answers); 老婆 is 妻子; 一斤能卖多少钱 is
    answered by 六块钱; 占地多少亩 asks an area, not a share; 收入今年达到多少 asks money;
    几号 asks a date."""
    boss, wife, price, area, income, day = answers(
        tmp_path,
        cache_dir,
        PAGE,
        "青原果业的老总是谁呀？",
        "柯长林他老婆是干啥的？",
        "果子空运出国，一斤能卖多少钱呀？",
        "青原果业的冷库占地多少亩？",
        "青原果业的销售收入今年达到多少？",
        "青原到海口的货运航线几号首航？",
    )
    assert boss.answered and "柯长林" in boss.summary
    assert wife.answered and "许兰" in wife.summary
    assert price.answered and "六块钱" in price.summary
    assert area.answered and "40亩" in area.summary
    assert income.answered and "1.2亿元" in income.summary
    assert day.answered and "5月18日" in day.summary


def test_names_inside_a_firms_name_are_part_of_it() -> None:
    assert _facts("青原物流是青原投资发展集团有限公司的全资子公司。", FactKind.ORG) == [
        "青原投资发展集团有限公司"
    ]


CENTRE = (
    "# 果蔬冷链中心投运\n\n"
    "本报讯（记者 王明）5月2日，位于青原新区的青原果蔬冷链中心正式投入运营。\n\n"
    "该中心由青原物流有限公司投资运营，总投资3.6亿元。\n\n"
    "# 短评：让果子走得更远\n\n"
    "一座果蔬冷链中心，让山里的果子走得更远。\n"
)


def test_the_centre_a_dateline_names_is_what_the_next_paragraph_means(
    tmp_path: Path, cache_dir: Path
) -> None:
    """该中心 in the paragraph after the dateline is the 青原果蔬冷链中心 it named, not the
    shorter name inside it; the commentary's bare 果蔬冷链中心 on the same page is that one too."""
    full, bare = answers(
        tmp_path, cache_dir, CENTRE, "青原果蔬冷链中心总投资多少？", "果蔬冷链中心总投资多少？"
    )
    assert full.answered and "3.6亿元" in full.summary
    assert bare.answered and "3.6亿元" in bare.summary
