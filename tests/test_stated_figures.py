"""A figure the question states itself is not its answer (bot/answer/score.py ``_stated``):
asked how many of the 86 lorries are electric, a sentence giving only "86辆" does not say."""

from __future__ import annotations

from pathlib import Path

from page_support import answers

PAGE = (
    "# 冷链物流园投运\n\n记者 王明\n\n"
    "公司总经理何文涛说，公司自有的86辆冷藏车24小时内就能配送到省内商超。\n\n"
    "物流园总投资6.8亿元，冷库库容12万吨。\n"
)


def test_a_figure_the_question_gives_is_no_answer(tmp_path: Path, cache_dir: Path) -> None:
    subset, whole, other = answers(
        tmp_path,
        cache_dir,
        PAGE,
        "公司的86辆冷藏车里有多少辆是新能源车？",
        "公司自有多少辆冷藏车？",
        "总投资6.8亿元的物流园冷库库容多少吨？",  # a stated figure of another kind stays
    )
    assert not subset.answered
    assert whole.answered and "86辆" in whole.summary
    assert other.answered and "12万吨" in other.summary
