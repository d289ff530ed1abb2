"""Which level a figure is of (bot/nlu/scopes.py): a question asking 全市… is not answered by
a sentence giving only 全省's figure."""

from __future__ import annotations

from pathlib import Path

from page_support import answers

from bot.content.lexicon import lexicon
from bot.nlu.scopes import another_scope, asked_scope


def test_the_level_a_question_asks_of() -> None:
    lx = lexicon()
    assert asked_scope("全市今年新增了多少个停车位？", lx) == "市"
    assert asked_scope("我省新建了多少所学校", lx) == "省"
    assert asked_scope("新增了多少个停车位？", lx) is None
    assert asked_scope("全市和全省各新增多少？", lx) is None  # two levels: none is asked


def test_a_sentence_about_another_level_does_not_answer() -> None:
    lx = lexicon()
    assert another_scope("市", "全省新增停车位超过12万个；", lx)
    assert not another_scope("市", "全市新增停车位8600个，全省新增12万个。", lx)
    assert not another_scope("市", "新增停车位8600个，增速高于全省平均水平。", lx)
    assert not another_scope("市", "新增停车位8600个，居全省第一。", lx)
    assert not another_scope(None, "全省新增停车位超过12万个；", lx)


CENTRE = (
    "# 算力中心投运\n\n"
    "本报讯（记者 王明）5月2日，新建的青原算力中心在白溪县高新园区投入运营。\n\n"
    "该中心由青原市数联集团有限公司投资建设，总投资20亿元。\n"
)


def test_a_place_inside_a_firms_name_is_not_where_a_thing_is(
    tmp_path: Path, cache_dir: Path
) -> None:
    """青原市 of 青原市数联集团有限公司 says where the investor is from, not where the centre
    was built."""
    (answer,) = answers(tmp_path, cache_dir, CENTRE, "青原算力中心是在哪里投资建设的？")
    assert "青原市" not in answer.summary
    assert not answer.answered or "白溪县" in answer.summary


def test_a_level_named_to_compare_or_describe_is_no_subject() -> None:
    lx = lexicon()
    for text in (
        "增速高出全省1.5个百分点。",
        "增速排名全省第二。",
        "与全省平均水平持平，新增就业2万人。",
        "作为全国文明城市，今年接待游客1200万人次。",
        "建成全省首个光储充一体化充电站。",
    ):
        assert not another_scope("市", text, lx), text


FAIR = (
    "# 博览会开幕\n\n本报讯（记者 王明）5月2日，第五届中国竹产业博览会在白溪县国际会展中心开幕。\n"
)


def test_a_venue_named_with_its_place_says_where(tmp_path: Path, cache_dir: Path) -> None:
    """在白溪县国际会展中心开幕: the organisation is the venue, its place answers 在哪里."""
    (answer,) = answers(tmp_path, cache_dir, FAIR, "中国竹产业博览会在什么地方开幕？")
    assert answer.answered and "白溪县" in answer.summary
