"""A column of news briefs without titles (## 林区简讯, then ■本报讯（…）… items): each brief is
an article of its own, however short — never a photo caption dropped from the page — named
after its first words without the mark and the dateline; the place a brief was filed from
(本报湾口区…讯) is a place the page holds (blind forestry and housing pages, 2026-12-08)."""

from __future__ import annotations

from pathlib import Path

from page_support import answers, page_knowledge

from bot.content.blocks import is_caption_line
from bot.content.facts import DateContext, extract_facts
from bot.content.model import FactKind

PAGE = """\
# 全市进入森林防火紧要期

本报讯（记者 严嘉禾）记者12月3日从市应急管理局获悉，全市进入森林防火紧要期。

## 林区简讯

■本报讯（记者 唐砚秋）今年全市共清理松材线虫病疫木3.8万株，疫情乡镇减少到6个。

■本报湾口区12月3日讯（记者 韦知南）湾口区今冬栽下苗木4.2万株。
"""


def test_a_brief_mark_before_a_dateline_is_no_caption() -> None:
    assert not is_caption_line("■本报讯（记者 唐砚秋）今年全市共清理疫木3.8万株。")
    assert not is_caption_line("■ 新华社北京12月3日电（记者 王强）会议召开。")
    assert not is_caption_line("■本报湾口区12月3日讯 湾口区今冬栽下苗木4.2万株。")
    assert is_caption_line("■图为工人在检修设备。 记者 李明 摄")
    # a caption's own brackets are no dateline: 充电（资料图片）, 变电（配电）
    assert is_caption_line("■市民为新能源汽车充电（资料图片）")
    assert is_caption_line("■工人在检修变电（配电）设备 记者 李明 摄")


def test_each_brief_is_an_article_named_after_its_words(tmp_path: Path, cache_dir: Path) -> None:
    knowledge = page_knowledge(tmp_path, cache_dir, PAGE)
    by_text = {
        s.text: a.title for a in knowledge.articles for p in a.paragraphs for s in p.sentences
    }
    first = next(t for text, t in by_text.items() if "3.8万株" in text)
    second = next(t for text, t in by_text.items() if "4.2万株" in text)
    assert first == "林区简讯"  # the column's heading names its first brief
    assert second.startswith("湾口区今冬栽下苗木")  # no mark, no dateline in the name
    trees, other = answers(
        tmp_path,
        cache_dir,
        PAGE,
        "今年全市共清理松材线虫病疫木多少株？",
        "湾尾区今冬栽下苗木多少株？",
    )
    assert trees.answered and "3.8万株" in trees.summary
    assert not other.answered and "湾尾区" in other.summary  # 湾口区 is the page's place


def test_the_place_a_report_was_filed_from_is_a_place() -> None:
    facts = extract_facts("■ 本报湾口区12月9日讯（记者 唐乐）今天发布结果。", DateContext(None))
    assert [(f.kind, f.value) for f in facts if f.kind is FactKind.PLACE] == [
        (FactKind.PLACE, "湾口区")
    ]
    assert not [f for f in facts if f.kind is FactKind.DATE and f.value == "12月9日"]
    for credits in ("本报记者12月3日讯 今天发布。", "本报特派记者12月3日电 今天发布。"):
        found = extract_facts(credits, DateContext(None))
        assert not [f for f in found if f.kind is FactKind.PLACE]  # credits, no place
