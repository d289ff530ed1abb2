"""How a question's words may be written in an answer (bot/answer/surfaces.py)."""

from __future__ import annotations

from pathlib import Path

from tests_paths import INTENTS

from bot.answer.engine import Answerer
from bot.knowledge.build import Builder

PAGE = (
    "# 小城新企\n\n记者 王明\n\n"
    "云川县青禾环保科技有限公司去年营收1.2亿元。该公司董事长宋立新说，青禾环保明年将扩产。\n\n"
    "云川县远山纺织有限公司副总经理黄一鸣介绍，公司有员工300人。\n"
)


def test_who_heads_an_organisation_is_said_by_any_heads_title(
    tmp_path: Path, cache_dir: Path
) -> None:
    """老大是谁 (负责人) is answered by the chairman, and 董事长是谁 is never answered by
    another post (the expansion is one way)."""
    (tmp_path / "001_page.txt").write_text(PAGE, encoding="utf-8")
    knowledge = Builder(tmp_path, INTENTS, cache_dir).build()
    with knowledge.bound():
        answerer = Answerer(knowledge)
        head = answerer.answer("青禾环保的老大是谁啊？")
        chairman = answerer.answer("远山纺织的董事长是谁？")
    assert head.answered and "宋立新" in head.summary
    assert not chairman.answered or "黄一鸣" not in chairman.summary
