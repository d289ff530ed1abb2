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
