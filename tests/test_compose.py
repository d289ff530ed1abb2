"""Summaries and quotes cut from a sentence: whole clauses, never half a list."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from tests_paths import INTENTS

from bot.answer.choose import facts_of_the_time_asked
from bot.answer.compose import MAX_QUOTE_CHARS, context_clause, quote_for, summary_for
from bot.answer.types.person import agent as agent_fact
from bot.answer.types.rank import ranks_asked
from bot.content.model import Fact, FactKind
from bot.rules.loader import load_rules
from bot.text.wellformed import check

SCORING = load_rules(INTENTS).scoring
SENTENCE = "这种被喻为“工业大米”的微型元件，是手机、汽车、AI服务器的“心脏”，曾长期被国外垄断。"


def test_a_summary_without_a_fact_finishes_the_list_it_started() -> None:
    summary = summary_for(SENTENCE, None)
    assert summary == "这种被喻为“工业大米”的微型元件，是手机、汽车、AI服务器的“心脏”"


def test_a_summary_never_ends_on_an_enumeration_comma() -> None:
    text = "产品包括电容器、电阻器、电感器、滤波器、传感器、连接器、继电器、开关、变压器、振荡器、"
    assert not context_clause(text, None).rstrip("…").endswith("、")


def test_a_summary_skips_a_news_briefs_mark_and_dateline() -> None:
    """A brief column's item opens with a mark and a dateline (■ 本报讯（通讯员 某某）…): the
    summary starts with what happened; the quote stays verbatim."""
    text = "■ 本报讯（通讯员 钱佳音）第五届冬捕节将于12月20日在荷塘县开幕。"
    assert context_clause(text, None).startswith("第五届冬捕节")
    assert quote_for(text, None) == text


def test_a_summary_skips_the_lead_in_before_a_colon() -> None:
    text = (
        "企业相关负责人坦言，实地考察后，团队改变了看法："
        "MLCC所需的精密化工与自动化基础，与本地产业逻辑相通；"
    )
    assert summary_for(text, None).startswith("MLCC所需的精密化工与自动化基础")
    # a colon near the end introduces too little to stand alone
    long_lead = "记者从今天召开的全省住房和城乡建设工作会议获悉：好的。"
    assert summary_for(long_lead, None).startswith("记者从今天召开")
    # an interviewee's label is no part of the answer
    assert summary_for("周晓岚：全省已组建县域医共体162家，覆盖所有县（市、区）。", None) == (
        "全省已组建县域医共体162家，覆盖所有县（市、区）"
    )


RANKS = "益阳高新区作为尖兵，重点攻坚高端MLCC，着力打造国内最大、全球前三的研发生产基地。"


def rank(text: str, qualifier: str, value: float) -> Fact:
    start = RANKS.index(text)
    return Fact(FactKind.RANK, text, value, "位", start, start + len(text), qualifier=qualifier)


def test_the_rank_asked_for_is_the_one_in_the_asked_scope() -> None:
    first, third = rank("国内最大", "国内", 1), rank("全球前三", "全球", 3)
    assert ranks_asked([first, third], "全球第几") == (third,)
    assert ranks_asked([first, third], "国内排第几") == (first,)
    assert ranks_asked([first, third], "排名如何") == (first, third)  # no ordinal: both


def test_an_ordinal_is_preferred_when_one_is_asked_for() -> None:
    only = Fact(FactKind.RANK, "全省唯一", 1.0, "位", 0, 4, qualifier="全省")
    seventh = Fact(FactKind.RANK, "第七位", 7.0, "位", 10, 13)
    assert ranks_asked([only, seventh], "排第几") == (seventh,)


def test_a_fact_cut_from_a_list_takes_its_comma_along() -> None:
    third = rank("全球前三", "全球", 3)
    assert "、的" not in summary_for(RANKS, third)
    assert "国内最大的研发生产基地" in summary_for(RANKS, third)


def test_a_summary_without_a_fact_starts_where_the_question_is_answered() -> None:
    text = (
        "“以前你看到的是局部自动化，是‘机器换人’，这次我们要建的是一个从物料入库到成品出库"
        "全流程智慧在线，关键质检由机器视觉完成的‘超级工厂’。”"
    )
    assert summary_for(text, None, words=["建"]).startswith("这次我们要建的是")
    assert summary_for(text, None).startswith("以前你看到的是")  # from the top, no lone “


def test_the_agent_is_whoever_stands_between_you_and_the_verb() -> None:
    text = "该研究院于去年9月成立，由益阳高新区和湖南师范大学联合共建，依托潘安栋教授团队。"
    agent = agent_fact(text, ["建"], SCORING)
    assert agent is not None and agent.text == "益阳高新区和湖南师范大学"
    assert text[agent.start : agent.end] == agent.text
    assert (
        agent_fact("该项目由江西南岭再生资源有限公司投资12亿元建设。", ["投资"], SCORING)
        is not None
    )
    assert agent_fact("资阳区由此发展成为产业园区。", ["发展"], SCORING) is None  # 由此: thereby
    assert agent_fact(text, ["收费"], SCORING) is None  # not the verb asked about


def test_now_and_then_pick_the_figure_on_their_side_of_the_now_word() -> None:
    text = "“过去一条产线要60多名工人，现在只需要12个人看管设备。”"
    past = Fact(FactKind.COUNT, "60多名", 60.0, "名", 8, 12)
    now = Fact(FactKind.COUNT, "12个人", 12.0, "个人", 20, 24)
    assert text[past.start : past.end] == past.text and text[now.start : now.end] == now.text
    assert facts_of_the_time_asked([past, now], text, "now") == (now,)
    assert facts_of_the_time_asked([past, now], text, "past") == (past,)
    assert facts_of_the_time_asked([past, now], text, None) == (past, now)
    assert facts_of_the_time_asked([past, now], text, "future") == (past, now)


def test_a_cut_never_leaves_a_bracket_open() -> None:
    text = "周晓岚：全省已组建县域医共体162家，覆盖所有县（市、区），服务群众。"
    fact = Fact(FactKind.COUNT, "162家", 162.0, "家", 14, 18)
    assert text[fact.start : fact.end] == fact.text
    summary = summary_for(text, fact)
    assert summary.count("（") == summary.count("）") and "周晓岚" not in summary


def test_a_short_sentence_is_quoted_whole() -> None:
    assert quote_for(SENTENCE, None) == SENTENCE


@given(st.text(alphabet="甲乙丙丁，、。；", min_size=0, max_size=600))
def test_quotes_are_contiguous_and_bounded(text: str) -> None:
    quote = quote_for(text, None)
    assert len(quote) <= MAX_QUOTE_CHARS and quote in text


def fact_in(sentence: str, kind: FactKind, text: str, unit: str | None = None) -> Fact:
    start = sentence.index(text)
    return Fact(kind, text, text if unit is None else 1.0, unit, start, start + len(text))


def test_a_figure_cut_from_its_measure_phrase_is_kept_in_it() -> None:
    """Cutting 超30亿元 out of 年产值超30亿元的 would leave 年产值的龙头企业 — no figure."""
    text = "十年间，这家企业已成长为年产值超30亿元的龙头企业，带动就业数千人。"
    summary = summary_for(text, fact_in(text, FactKind.MONEY, "超30亿元", "元"))
    assert summary.startswith("超30亿元 — ") and "年产值超30亿元的龙头企业" in summary
    assert check(summary) == []
    # a figure that is a clause's own object still goes (投资800万元 → 投资)
    plain = "2024年，公司投资800万元，新建两条生产线。"
    assert "800万元" not in context_clause(plain, fact_in(plain, FactKind.MONEY, "800万元", "元"))


def test_a_speaker_lead_is_dropped_rather_than_glued_to_what_was_said() -> None:
    text = "李明告诉记者，新车间投资800万元，占地面积超5000平方米。"
    summary = summary_for(text, fact_in(text, FactKind.MONEY, "800万元", "元"))
    assert "告诉记者" not in summary and summary.startswith("800万元 — 新车间投资")
    assert check(summary) == []


def test_an_over_long_clause_is_cut_at_its_dash_not_mid_word() -> None:
    text = (
        "公司董事长在发布会上向来宾们展示了一张全新的规划蓝图——"
        "位于城东新区智能制造产业园的“数字工厂”效果图。"
    )
    place = fact_in(text, FactKind.PLACE, "城东新区智能制造产业园")
    context = context_clause(text, place)
    assert context == "位于城东新区智能制造产业园的“数字工厂”效果图"
    assert "…" not in summary_for(text, place) and check(summary_for(text, place)) == []


def test_a_closing_mark_whose_opening_was_cut_off_is_dropped() -> None:
    text = "抵港直装”等措施落地后，通关时间压缩至平均2小时以内。"
    summary = summary_for(text, None)
    assert "”" not in summary and summary.startswith("抵港直装等措施")
    assert check(summary) == []
    assert check(summary_for("我们‘帮代办’小组马上对接”，当天办结。", None)) == []
