"""Photo captions are removed and the paragraphs they interrupted are re-joined."""

from __future__ import annotations

from bot.content.blocks import UnitKind, is_caption_credit, read_units


def texts(page: str) -> list[str]:
    return [u.text for u in read_units(page) if u.kind is UnitKind.TEXT]


def test_caption_mid_sentence_is_dropped_and_paragraph_rejoined() -> None:
    page = (
        "# 标题\n\n系统上线后，订单交付周期\n\n工厂车间一角。 通讯员 摄\n\n"
        "缩短，产品一致性提升。\n"
    )
    assert texts(page) == ["系统上线后，订单交付周期缩短，产品一致性提升。"]


def test_caption_mid_word_with_description_line_is_dropped() -> None:
    page = (
        "# 标题\n\n1月18日晚上，公司董事长陈\n\n智能化生产车间。\n\n通讯员 摄\n\n"
        "宏志打电话求助。\n"
    )
    assert texts(page) == ["1月18日晚上，公司董事长陈宏志打电话求助。"]


def test_long_caption_description_with_commas_interrupting_a_word() -> None:
    page = (
        "# 标题\n\n3月4日，磁材公司董事长王\n\n检测中心，技术人员正在检测磁钢性能。\n\n"
        "通讯员 摄\n\n建国介绍，订单饱满。\n"
    )
    assert texts(page) == ["3月4日，磁材公司董事长王建国介绍，订单饱满。"]


def test_joined_paragraph_remembers_the_line_of_each_half() -> None:
    page = "# 标题\n\n订单交付周期\n\n车间。 记者 张三 摄\n\n缩短了。\n"
    unit = next(u for u in read_units(page) if u.kind is UnitKind.TEXT)
    assert unit.line == 3
    assert unit.line_at(0) == 3
    assert unit.line_at(len("订单交付周期")) == 7


def test_caption_credit_shapes() -> None:
    for line in (
        "通讯员 摄",
        "记者 张三 摄",
        "湖南日报全媒体记者 李四 摄",
        "车间一角。 通讯员 摄",
        "王五 供图",
    ):
        assert is_caption_credit(line), line
    for line in ("他用手机拍摄", "记者从会议上获悉，今年将推进城市更新。"):
        assert not is_caption_credit(line), line


def test_finished_paragraph_is_not_joined_across_a_caption() -> None:
    page = "# 标题\n\n第一段结束了。\n\n照片说明。\n\n通讯员 摄\n\n第二段开始。\n"
    assert texts(page) == ["第一段结束了。", "第二段开始。"]


def test_headings_keep_level_and_line() -> None:
    units = read_units("\n# 主标题\n\n## 小节\n\n### 副题\n")
    assert [(u.kind, u.level, u.line, u.text) for u in units] == [
        (UnitKind.HEADING, 1, 2, "主标题"),
        (UnitKind.HEADING, 2, 4, "小节"),
        (UnitKind.HEADING, 3, 6, "副题"),
    ]
