"""Phenomena a blind housing page showed (2026-12-08), each on an invented page of its own:
a surname character opening a common noun is no person, the agent after 由 is one (由某某创办),
每个月 is written 每月, a verb jieba tags as a place is no
name, a name the page uses as one word is on the page, a district one character off the
page's is another district, a count of a noun said by its synonym, a commentary asked as
"那篇评论", and a long kicker of several figures above a title."""

from __future__ import annotations

from pathlib import Path

from page_support import answers, page_knowledge

from bot.content.fact_names import people

HOUSING_PAGE = """\
## 民生·住房

1—11月全市发放公积金贷款68.4亿元 筹集保租房1.26万套 开工改造老旧小区213个
# 青禾市住房保障工作综述

青禾日报记者 林一舟

今年1—11月，全市发放公积金个人住房贷款6412笔、68.4亿元，全市直接受益家庭超过10.3万户。

位于东岭区的“澜湾青年社区”，是今年规模最大的保租房项目，共1680套，月租金1150元起。

社区书记钟慧琴前前后后登门17次，终于说服了一楼住户。

在湾口区，区住建局今年公布了物业服务测评结果，其中18家企业上榜“红榜”，5家企业被列入“黑榜”。

# 升泰电梯的十七年

青禾日报记者 唐乐

经过十七年发展，升泰电梯已成长为拥有员工612人的企业，其中持证维保技术人员238人。

升泰电梯原名“青禾升泰机电安装队”，二〇〇九年由葛建平创办，最初只有11名员工。

在我市无自有住房的单身职工每月最高可提取1500元公积金支付房租。

# 城市更新要算好“长远账”

苏明哲

城市更新不是一次性工程，老旧小区改造要留足后续维护资金。

（作者系青禾大学公共管理学院副教授）
"""


def test_a_common_noun_opening_with_a_surname_is_no_person() -> None:
    """全市|直接受益: 全 is a surname, but 全市 is "the whole city" and 直 begins 直接."""
    found = [f.value for f in people("工作，全市直接受益家庭超过10.3万户。")]
    assert found == []
    assert [f.value for f in people("今年58岁的董事长葛建平回忆，公司起步很难。")] == ["葛建平"]
    # a real name keeps its last character apart (黄金|华|表示), after a title or not
    assert [f.value for f in people("局长黄金华表示，工作顺利。")] == ["黄金华"]
    assert [f.value for f in people("黄金国强调，要加快进度。")] == ["黄金国"]
    assert [f.value for f in people("图为校长方向明")] == ["方向明"]


def test_the_agent_after_the_marker_you_is_a_person_never_an_office() -> None:
    """由某某创办: the agent is a person; 由高新区牵头 / 由文旅局牵头: an office, no one."""
    assert [f.value for f in people("二〇〇九年由葛建平创办，最初只有11名员工。")] == ["葛建平"]
    assert [f.value for f in people("由高新区牵头，各部门配合。")] == []
    assert [f.value for f in people("由文旅局牵头制定方案。")] == []


def test_housing_page_questions(tmp_path: Path, cache_dir: Path) -> None:
    (
        loans,
        homes,
        visits,
        district,
        same_district,
        staff,
        author,
        founder,
        monthly,
    ) = answers(
        tmp_path,
        cache_dir,
        HOUSING_PAGE,
        "今年全市直接受益家庭超过多少万户？",
        "澜湾青年社区的月租金多少钱起？",
        "钟慧琴一共上门了几回？",
        "湾尾区有几家企业被列入“黑榜”？",
        "湾口区有几家企业被列入“黑榜”？",
        "升泰电梯现在有多少名职工？",
        "城市更新那篇评论是谁写的？",
        "升泰电梯是由谁创办的？",
        "单身职工每个月最多能提取多少钱？",
    )
    assert loans.answered and "10.3万户" in loans.summary  # no one called 全市直 to look for
    assert homes.answered and "1150元" in homes.summary  # a quoted name the page uses whole
    assert "上门" not in visits.summary  # a verb before 了, not a place the page lacks
    assert not district.answered and "湾尾区" in district.summary
    assert same_district.answered and "5家" in same_district.summary
    assert staff.answered and "612人" in staff.summary  # 职工 ≈ 员工 counts the staff
    assert author.answered and "苏明哲" in author.summary
    assert founder.answered and "葛建平" in founder.summary  # 由某某创办: the agent is a person
    assert monthly.answered and "1500元" in monthly.summary  # 每个月 is what pages write 每月


def test_a_kicker_of_several_figures_is_the_titles(tmp_path: Path, cache_dir: Path) -> None:
    """Fifty-odd characters of figures set apart by spaces above a title are its kicker, not
    an article of their own under the column's name."""
    knowledge = page_knowledge(tmp_path, cache_dir, HOUSING_PAGE)
    first = knowledge.articles[0]
    assert first.title == "青禾市住房保障工作综述"
    assert first.kicker is not None and first.kicker.startswith("1—11月全市发放")
