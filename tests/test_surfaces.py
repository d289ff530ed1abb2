"""How a question's words may be written in an answer (bot/answer/surfaces.py)."""

from __future__ import annotations

from pathlib import Path

from tests_paths import INTENTS

from bot.answer.engine import Answerer
from bot.answer.model import Answer
from bot.knowledge.build import Builder

PAGE = (
    "# 小城新企\n\n记者 王明\n\n"
    "云川县青禾环保科技有限公司去年营收1.2亿元。该公司董事长宋立新说，青禾环保明年将扩产。\n\n"
    "云川县远山纺织有限公司副总经理黄一鸣介绍，公司有员工300人。\n"
)


def answers(
    tmp_path: Path, cache_dir: Path, files: dict[str, str], *questions: str
) -> list[Answer]:
    """The answers to ``questions`` (one conversation each) over pages written from
    ``files`` (name → text)."""
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    knowledge = Builder(tmp_path, INTENTS, cache_dir).build()
    with knowledge.bound():
        answerer = Answerer(knowledge)
        return [answerer.answer(q) for q in questions]


def test_who_heads_an_organisation_is_said_by_any_heads_title(
    tmp_path: Path, cache_dir: Path
) -> None:
    """老大是谁 (负责人) is answered by the chairman, and 董事长是谁 is never answered by
    another post (the expansion is one way)."""
    head, chairman = answers(
        tmp_path,
        cache_dir,
        {"001_page.txt": PAGE},
        "青禾环保的老大是谁啊？",
        "远山纺织的董事长是谁？",
    )
    assert head.answered and "宋立新" in head.summary
    assert not chairman.answered or "黄一鸣" not in chairman.summary


PROFILE = (
    "# 新闻一则\n\n记者 王明\n\n云川县今年新建公路32公里。\n\n"
    "# 周兰芳：山里的“流动银行”\n\n——记云川县农商银行客户经理周兰芳\n\n记者 李华\n\n"
    "天还没亮，周兰芳就背着包出了门。她的抽屉里放着27本笔记本。\n"
)


def test_an_article_by_whom_it_is_about_and_a_wage_is_money(
    tmp_path: Path, cache_dir: Path
) -> None:
    """写某某的那篇…开头是怎么写的 opens the article about that person; 工资有多少 asks
    for a sum of money, so a count of notebooks in her sentence does not answer it."""
    opening, wage, fare = answers(
        tmp_path,
        cache_dir,
        {"001_page.txt": PROFILE},
        "写周兰芳的那篇人物报道开头是怎么写的？",
        "周兰芳每个月工资有多少？",
        "云川县新建公路的票价是多少？",
    )
    assert opening.answered and "天还没亮" in opening.quote
    assert not wage.answered
    assert not fare.answered  # 票价 asks for money: 32公里 is no fare


def test_another_provinces_paper_does_not_answer_for_the_province_asked(
    tmp_path: Path, cache_dir: Path
) -> None:
    """全省 in an 安徽日报 sentence is 安徽: asked about 浙江省 (a province the corpus names
    elsewhere), that sentence is no answer — while asked about 安徽省 it is."""
    pages = {
        "001_a.txt": "# 交通建设提速\n\n记者 王明\n\n记者从安徽省交通运输厅获悉。\n\n"
        "今年全省新建农村公路3200公里，同比增长12%。\n",
        "001_a.yaml": "version: 1\npublication: 安徽日报\n",
        "002_b.txt": "# 茶园新景\n\n记者 李华\n\n浙江省龙井茶产区今年春茶采摘提前。\n",
    }
    other, own = answers(
        tmp_path,
        cache_dir,
        pages,
        "浙江省今年新建农村公路多少公里？",
        "安徽省今年新建农村公路多少公里？",
    )
    assert not other.answered
    assert own.answered and "3200公里" in own.summary


def test_a_count_counts_the_noun_right_after_its_measure_word(
    tmp_path: Path, cache_dir: Path
) -> None:
    """只有两张桌子的鱼丸铺 counts tables: "一天做多少鱼丸" is not answered by 两张."""
    page = (
        "# 老店新事\n\n记者 王明\n\n"
        "1993年，陈父开了一间只有两张桌子的鱼丸铺，如今海味鲜食品有限公司已有员工600多人。\n"
    )
    (answer,) = answers(tmp_path, cache_dir, {"001_page.txt": page}, "海味鲜现在一天做多少鱼丸？")
    assert not answer.answered or "两张" not in answer.summary
