"""他/她 after a turn that named no person points at the person named before it, and an
honour asked 得了什么荣誉 is written 被评为… (blind weather page, 2026-12-08)."""

from __future__ import annotations

from pathlib import Path

from page_support import page_knowledge

from bot.answer.context import Conversation
from bot.answer.engine import Answerer

PAGE = """\
# 守在山沟口的雨量哨兵

青溪日报记者 龙雨桐

杉木垭村坐落在桐畈河上游的一条深山沟里，全村176户、623人。

2010年，村里推选气象信息员，当过民办教师的周立新被选上了。

7月15日凌晨，村里仅用40分钟就完成了全部213名群众的转移。

今年9月，周立新被评为全省优秀气象信息员。
"""


def test_a_pronoun_skips_a_turn_that_named_no_person(tmp_path: Path, cache_dir: Path) -> None:
    knowledge = page_knowledge(tmp_path, cache_dir, PAGE)
    with knowledge.bound():
        answerer = Answerer(knowledge)
        chat = Conversation()
        first = answerer.answer("杉木垭村的周立新是哪一年被选为气象信息员的？", chat)
        village = answerer.answer("他们村7月15日转移了多少名群众？", chat)
        honour = answerer.answer("他今年9月得了什么荣誉？", chat)
    assert first.answered and "2010年" in first.summary
    assert village.answered and "213名" in village.summary
    assert honour.answered and honour.quote is not None and "优秀气象信息员" in honour.quote
