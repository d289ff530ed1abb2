"""Page layout heuristics: how articles start, end and continue on a newspaper page."""

from __future__ import annotations

from bot.content.blocks import read_units
from bot.content.layout import PageLayout
from bot.content.lines import byline_names, dateline_credits
from bot.content.model import LayoutFix


def layout(page: str, fixes: tuple[LayoutFix, ...] = ()) -> list:  # type: ignore[type-arg]
    return PageLayout(read_units(page), fixes).run()


def paragraphs(article) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.text for s in article.sections for p in s.paragraphs]


def test_feature_with_byline_and_sections() -> None:
    page = (
        "# 江城：老工业基地焕新\n\n江城日报全媒体记者 王一 李二\n\n导语段落。\n\n"
        "## 第一部分\n\n正文一。\n\n## 第二部分\n\n正文二。\n"
    )
    [article] = layout(page)
    assert article.title == "江城：老工业基地焕新"
    assert article.byline == ["王一", "李二"]
    assert [s.heading for s in article.sections] == [None, "第一部分", "第二部分"]


def test_dateline_paragraph_before_its_title_starts_a_new_article() -> None:
    page = (
        "# 第一篇\n\n第一篇正文。\n\n江城日报3月5日讯(全媒体记者赵六 通讯员 钱七)今天，"
        "记者获悉一项消息。\n\n## 第二篇的标题\n\n第二篇的第二段。\n"
    )
    first, second = layout(page)
    assert first.title == "第一篇"
    assert second.title == "第二篇的标题"
    assert second.dateline == (None, 3, 5)
    assert second.byline == ["赵六", "钱七"]
    assert paragraphs(second)[0].startswith("江城日报3月5日讯")


def test_heading_with_subtitle_then_dateline_is_an_article_title() -> None:
    page = (
        "# 第一篇\n\n正文。\n\n## 海关新政落地\n\n### 助力企业通关\n\n"
        "江城日报3月5日讯(记者孙八)今天，新政落地。\n"
    )
    _, news = layout(page)
    assert news.title == "海关新政落地"
    assert news.subtitle == "助力企业通关"


def test_title_and_author_after_the_body() -> None:
    page = (
        "# 主报道\n\n正文。\n\n## 专家点评\n\n点评第一段。\n\n点评第二段。\n\n"
        "## 三个关键词读懂江城\n\n周九\n\n## 下一栏\n\n# 下一篇\n\n下一篇正文。\n"
    )
    main, comment, _ = layout(page)
    assert [s.heading for s in main.sections] == [None]
    assert comment.title == "三个关键词读懂江城"
    assert comment.column == "专家点评"
    assert comment.byline == ["周九"]
    assert paragraphs(comment) == ["点评第一段。", "点评第二段。"]


def test_kicker_and_column_before_a_title() -> None:
    page = (
        "## 我市大力推进城市更新\n\n# 今年完成十个片区改造\n\n正文。\n\n"
        "## 奋进“十四五”·部门答卷\n\n# 为民生加码\n\n——访市人社局局长吴十\n\n正文。\n"
    )
    first, second = layout(page)
    assert first.kicker == "我市大力推进城市更新"
    assert second.column == "奋进“十四五”·部门答卷"
    assert second.subtitle == "——访市人社局局长吴十"


def test_a_page_column_then_a_kicker_line_then_the_title() -> None:
    """## 法治·观察 / 全省推进纠纷就地化解 / # 标题: the column and the kicker belong to the
    title below them; neither is an article of its own."""
    page = (
        "## 法治·基层观察\n\n全省推进矛盾纠纷就地化解\n\n# 小事不出村\n\n"
        "江城日报记者 王一\n\n导语段落。\n\n# 下一篇\n\n正文。\n"
    )
    first, second = layout(page)
    assert first.title == "小事不出村"
    assert first.column == "法治·基层观察"
    assert first.kicker == "全省推进矛盾纠纷就地化解"
    assert paragraphs(first) == ["导语段落。"]
    assert second.title == "下一篇"


def test_column_break_inside_a_word_is_rejoined() -> None:
    page = "# 海关改革\n\n从“事前审核”转变到“事后监\n\n管”，合规企业即时享受优惠。\n"
    [article] = layout(page)
    assert paragraphs(article) == ["从“事前审核”转变到“事后监管”，合规企业即时享受优惠。"]


def test_truncated_article_followed_by_an_earlier_articles_continuation() -> None:
    page = (
        "# 民生实事答卷\n\n民生实事建设持续推进，群众满意率提升。\n\n"
        "## 关键四招\n\n民生实事千头万绪，如何确保办一件成一件？\n\n"
        "## 我市推进城市更新\n\n# 今年完成城市体检\n\n"
        "江城日报3月5日讯(记者甲)今年将推进城市更新和城市体检。\n\n"
        "在实施层面，将加强片区整体谋划，有序推\n\n"
        "高位推动，责任闭环。民生实事写入政府工作报告，群众满意率持续提升。\n\n"
        "群众参与，双向奔赴。民生实事由群众点题。\n\n"
        "江城日报3月5日讯(记者乙)担保计划落地。\n\n## 担保计划落地\n\n担保贷款发放。\n"
    )
    livelihood, renewal, guarantee = layout(page)
    assert renewal.truncated
    assert paragraphs(renewal)[-1].endswith("有序推")
    assert paragraphs(livelihood)[-2].startswith("高位推动")
    assert paragraphs(livelihood)[-1].startswith("群众参与")
    assert guarantee.title == "担保计划落地"


def test_sidecar_can_force_a_join() -> None:
    page = "# 标题\n\n第一部分没有结束\n\n完全不同的话题内容。\n"
    [article] = layout(page, (LayoutFix("join", 5),))
    assert paragraphs(article) == ["第一部分没有结束完全不同的话题内容。"]


def test_byline_and_dateline_credit_parsing() -> None:
    assert byline_names("湖南日报全媒体记者 谢卓芳 张佳伟") == ["谢卓芳", "张佳伟"]
    assert byline_names("通讯员 高钊琦") == ["高钊琦"]
    assert byline_names("这是一段正文，不是署名。") is None
    assert dateline_credits("湖南日报1月22日讯(全媒体记者黄炜信 通讯员 王璨)今日") == [
        "黄炜信",
        "王璨",
    ]


def test_a_page_from_another_paper() -> None:
    """南方日报's habits: a running head, a plain kicker line, a —— subtitle as a level-2
    heading, an interview whose title is level 2, and credits before the date."""
    page = (
        "南方日报 2026年3月5日 星期四 A06 经济·民生 责编：林晓岚 美编：黄敏\n\n"
        "开年观察·稳外贸一线\n\n"
        "# 南沙港前两月集装箱吞吐量同比增12.6%\n\n"
        "南方日报讯（记者 黄嘉欣 通讯员 穗港宣）3月4日，记者从广州港集团获悉吞吐量增长。\n\n"
        "# 昔日“黑臭河” 今朝白鹭飞\n\n"
        "## ——练江流域综合整治回访\n\n"
        "南方日报记者 林旭娜\n\n"
        "早春时节，练江岸边白鹭成群。\n\n"
        "## 灵活就业人员缴存公积金 4月起全省推开\n\n"
        "——访省住房和城乡建设厅住房公积金监管处处长潘玉婷\n\n"
        "南方日报记者 郭思琪\n\n"
        "外卖骑手、网约车司机越来越多。\n"
    )
    port, river, interview = layout(page)
    assert port.title == "南沙港前两月集装箱吞吐量同比增12.6%"
    assert port.column == "开年观察·稳外贸一线"
    assert port.byline == ["黄嘉欣", "穗港宣"] and port.dateline == (None, 3, 4)
    assert "责编" not in " ".join(paragraphs(port))
    assert river.subtitle == "——练江流域综合整治回访" and not river.sections[0].heading
    assert interview.title == "灵活就业人员缴存公积金 4月起全省推开"
    assert interview.subtitle.startswith("——访") and interview.byline == ["郭思琪"]


def test_a_credit_of_one_character_is_no_part_of_a_name() -> None:
    """文 credits a writer (文 某某, 文：某某), but inside 柏文清 it is a name's character:
    the byline stays a byline and the dateline keeps the name."""
    assert byline_names("某州日报全媒体记者 周立新 通讯员 韩冰 柏文清") == [
        "周立新",
        "韩冰",
        "柏文清",
    ]
    assert byline_names("文 张三") == ["张三"]
    assert dateline_credits("本报讯（记者 柏文清 通讯员 王五）11月3日，") == ["柏文清", "王五"]


def test_jump_lines_send_an_articles_rest_back_to_it() -> None:
    """（下转第三栏） ends a column of an article and （上接第一栏） says where it resumes: the
    text after it goes back to that article, and neither line is anyone's kicker or text."""
    page = (
        "# 渔港改造完工\n\n记者 王一\n\n渔港改造历时两年，新建码头一座。\n\n（下转第三栏）\n\n"
        "# 水产公司产值增长\n\n记者 李二\n\n公司今年产值增长两成。\n\n（上接第一栏）\n\n"
        "渔港还新建了冷链仓库。\n\n# 第三篇\n\n第三篇正文。\n"
    )
    port, company, third = layout(page)
    assert paragraphs(port) == ["渔港改造历时两年，新建码头一座。", "渔港还新建了冷链仓库。"]
    assert paragraphs(company) == ["公司今年产值增长两成。"]
    assert company.kicker is None and third.title == "第三篇"


def test_an_undated_dateline_starts_an_article_and_credits_its_reporters() -> None:
    """本报讯（记者 某某 通讯员 某某）: no place or date, but the credits make it a dateline."""
    page = (
        "# 第一篇\n\n记者 王一\n\n第一篇正文。\n\n## 垃圾分类积分超市开到村口\n\n"
        "本报讯(记者 赵六 通讯员 钱七)积分超市开到了村口。\n\n第二段。\n"
    )
    first, second = layout(page)
    assert second.title == "垃圾分类积分超市开到村口"
    assert second.byline == ["赵六", "钱七"]
    assert second.dateline is None
    assert paragraphs(first) == ["第一篇正文。"]


def test_a_long_deck_line_above_a_title_is_its_kicker() -> None:
    """A regional daily's 引题 runs to 30-odd characters: two phrases, a space, no stop."""
    deck = "全市深远海养殖水体突破两百万立方米 单个平台设计年产商品鱼一千二百吨"
    page = f"## 海洋·渔业\n\n{deck}\n\n# 首批大黄鱼起捕上市\n\n记者 王一\n\n正文。\n"
    [article] = layout(page)
    assert (article.title, article.kicker) == ("首批大黄鱼起捕上市", deck)


def test_a_jump_to_another_page_joins_nothing_and_a_news_brief_is_no_dateline() -> None:
    """（下转第三版）: the rest is on another page, so the next article keeps its text; 这条简讯
    （记者某某采写） is body text, not an undated 本报讯 dateline."""
    page = (
        "# 渔港改造完工\n\n记者 王一\n\n渔港改造历时两年。\n\n（下转第三版）\n\n"
        "# 水产公司产值增长\n\n记者 李二\n\n（上接第一版）\n\n公司今年产值增长两成。"
        "这条简讯（记者李四采写）刊发后反响强烈。\n"
    )
    port, company = layout(page)
    assert paragraphs(port) == ["渔港改造历时两年。"]
    assert paragraphs(company)[0].startswith("公司今年产值增长两成。")


def test_a_spaced_out_name_and_a_marked_author_are_credits() -> None:
    """Papers space a two-character name to a three-character one's width (本报记者 方 静) and
    set a mark before a commentary's author (□ 许明远): both are credits, not the lead."""
    assert byline_names("本报记者 方 静") == ["方静"]
    assert byline_names("记者 方 静 通讯员 王启航") == ["方静", "王启航"]
    page = (
        "# 他把渔场搬进了深海\n\n——记转产渔民某某\n\n本报记者 方 静\n\n"
        "12月初的海面，北风渐起。\n\n# 让粮仓更稳\n\n□ 许明远\n\n渔业是大农业的一部分。\n"
    )
    profile, comment = layout(page)
    assert profile.byline == ["方静"]
    assert paragraphs(profile) == ["12月初的海面，北风渐起。"]
    assert comment.byline == ["许明远"]
    assert paragraphs(comment) == ["渔业是大农业的一部分。"]
