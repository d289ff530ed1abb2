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


PAGE = (
    "# 停车难有了新解法\n\n记者 王明\n\n"
    "今年以来，全市新增公共停车位8600个，其中立体停车位2100个。\n\n"
    "全省新增公共停车位超过12万个，连续三年保持增长。\n"
)


def test_a_citys_question_gets_the_citys_figure(tmp_path: Path, cache_dir: Path) -> None:
    (answer,) = answers(tmp_path, cache_dir, PAGE, "全市一共新增了多少个公共停车位？")
    assert answer.answered and "8600" in answer.summary


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
