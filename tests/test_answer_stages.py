"""Each answer stage on its own: pool, score, type fit, choose, compose, pipeline."""

from __future__ import annotations

from dataclasses import replace

from bot.answer.choose import choose_fact, facts_after_a_change
from bot.answer.compose import summary_for
from bot.answer.context import Conversation, resolve
from bot.answer.engine import Answerer
from bot.answer.pipeline import Pipeline
from bot.answer.retrieve import Retriever
from bot.answer.types import kind_of
from bot.answer.types.base import FitInput, anchored_to
from bot.answer.types.count import unit_fits
from bot.answer.types.date import grain_fits, lead
from bot.content.model import Fact, FactKind, Sentence
from bot.knowledge.build import Knowledge
from bot.nlu.need import Need
from bot.nlu.understand import understand
from bot.rules.model import AnswerType

MONEY_SENTENCE = "2023年，艾华集团投资4.56亿元，布局“薄膜电容器及新材料项目”。"


def need_of(question: str, knowledge: Knowledge) -> Need:
    return resolve(understand(question, knowledge), None)[0]


def key_of(knowledge: Knowledge, text: str) -> int:
    return next(k for k, ref in knowledge.index.refs.items() if text in knowledge.index.texts[k])


def fit_input(retriever: Retriever, need: Need, key: int) -> FitInput:
    ref = retriever.index.refs[key]
    article = retriever.k.by_id[ref.article_id]
    sentence = article.sections[ref.section].paragraphs[ref.paragraph].sentences[ref.index]
    text = retriever.index.texts[key]
    anchors = [(text.find(w), text.find(w) + len(w)) for w in retriever.words(need) if w in text]
    return FitInput(need, key, sentence, text, anchors, 1.0, retriever.scorer.tools)


def test_the_pool_holds_the_answer_and_respects_its_size(knowledge: Knowledge) -> None:
    retriever = Retriever(knowledge)
    need = need_of("艾华集团投资了多少钱？", knowledge)
    pool = retriever.candidates(need)
    assert key_of(knowledge, "艾华集团投资4.56亿元") in pool
    assert len(pool) <= knowledge.rules.thresholds.max_candidates
    assert all(k in knowledge.index.refs for k in pool)


def test_the_bound_of_a_partial_score_is_never_below_its_final_score(
    knowledge: Knowledge,
) -> None:
    retriever = Retriever(knowledge)
    need = need_of("艾华集团投资了多少钱？", knowledge)
    plan = retriever.scorer.plan(need)
    for key in retriever.candidates(need):
        partial = retriever.scorer.partial(need, key, plan)
        assert partial is not None
        final = retriever.scorer.finish(need, partial)
        assert partial.bound >= final.confidence - 1e-9
        assert 0.0 <= final.coverage <= 1.0


def test_money_fits_only_a_sentence_with_money_about_the_question(knowledge: Knowledge) -> None:
    retriever = Retriever(knowledge)
    need = need_of("艾华集团投资了多少钱？", knowledge)
    money = kind_of(AnswerType.MONEY)
    facts, fit = money.fit(fit_input(retriever, need, key_of(knowledge, "艾华集团投资4.56亿元")))
    assert ([f.text for f in facts], fit) == (["4.56亿元"], 1.0)
    other = key_of(knowledge, "资阳区作为主干")
    assert money.fit(fit_input(retriever, need, other)) == ((), 0.0)


def test_an_open_question_fits_by_its_cue_words(knowledge: Knowledge) -> None:
    retriever = Retriever(knowledge)
    w = knowledge.rules.scoring
    need = need_of("什么是自报享惠？", knowledge)
    definition = kind_of(AnswerType.DEFINITION)
    defines = key_of(knowledge, "“自报享惠”是海关总署")
    assert definition.fit(fit_input(retriever, need, defines)) == ((), 1.0)
    mentions = key_of(knowledge, "标志着海关减免税")
    assert definition.fit(fit_input(retriever, need, mentions))[1] in (w.cue_hit, w.cue_miss)
    method = replace(need, answer=AnswerType.METHOD)
    assert kind_of(AnswerType.METHOD).fit(fit_input(retriever, method, defines))[1] == w.cue_hit


def test_type_rules_on_units_and_dates(knowledge: Knowledge) -> None:
    need = need_of("比亚迪去年卖了多少辆车？", knowledge)
    cars = Fact(FactKind.COUNT, "12辆", 12, "辆", 0, 3)
    firms = Fact(FactKind.COUNT, "12家", 12, "家", 0, 3)
    assert unit_fits(cars, need) and not unit_fits(firms, need)
    day = replace(need, grain="day")
    assert not grain_fits(Fact(FactKind.DATE, "2025年", "2025", "year", 0, 5), day)
    resolved = Fact(FactKind.DATE, "去年9月", "2025-09", "month", 0, 4, qualifier="去年")
    assert lead(resolved) == "2025年9月（去年9月）"


def test_the_fact_nearest_the_asked_words_is_chosen() -> None:
    text = "电容器、PCB产业集群产值分别同比增长11.8%、16.5%，产值占全省比重均达到80%以上。"
    facts = [
        Fact(FactKind.PERCENT, p, p, None, text.find(p), text.find(p) + len(p))
        for p in ("11.8%", "16.5%", "80%")
    ]
    chosen = choose_fact(text, facts, ["pcb"], ["产值"])
    assert chosen is not None and chosen.text == "16.5%"  # 分别: PCB is the second item
    share = choose_fact("产值占全省比重均达到80%以上。", facts[2:], [], ["比重"])
    assert share is not None and share.text == "80%"


def test_the_owner_of_a_fact_kind_writes_its_summary(knowledge: Knowledge) -> None:
    fact = Fact(FactKind.DATE, "去年9月", "2025-09", "month", 0, 4, qualifier="去年")
    assert summary_for("去年9月，项目投产。", fact, knowledge).startswith("2025年9月（去年9月）")
    money = Fact(FactKind.MONEY, "4.56亿元", 4.56e8, "元", 11, 17)
    assert summary_for(MONEY_SENTENCE, money, knowledge).startswith("4.56亿元 — ")


def test_the_pipeline_reads_a_follow_up_and_quotes_the_article(knowledge: Knowledge) -> None:
    pipeline = Pipeline(knowledge)
    conversation = Conversation(3)
    answerer = Answerer(knowledge)
    answerer.answer("和天电子的董事长是谁？", conversation)
    query = pipeline.read("他们一年营收多少？")
    found = pipeline.find(query, conversation)
    assert found.used_context and found.candidate is not None
    assert [e.key for e in found.need.names] == ["org:和天电子"]
    composed = pipeline.compose(query, found.need, found.candidate)
    assert "年营收不到2亿元" in composed.quote
    assert composed.quote in found.candidate.article.text


def test_generated_questions_are_verified_once_per_snapshot(knowledge: Knowledge) -> None:
    """…and a section whose suggestions left the cache gets the same ones back (it used
    to get none: their sentences counted as already suggested)."""
    answerer = Answerer(knowledge)
    article = knowledge.articles[0].id
    first = answerer.suggestions_for(article, 1)
    assert first
    seen = dict(answerer._verified)
    assert set(first) <= seen.keys()
    answerer._suggestions.clear()
    assert answerer.suggestions_for(article, 1) == first
    assert dict(answerer._verified) == seen  # no question was read again


def _fact(text: str, kind: FactKind, written: str, value: float, unit: str) -> Fact:
    at = text.index(written)
    return Fact(kind, written, value, unit, at, at + len(written))


def test_a_measure_word_inside_an_amount_does_not_anchor_it(knowledge: Knowledge) -> None:
    """多少公里 finds 公里 inside 12.5公里 itself: that says nothing about which amount was
    asked, so only a question word in the amount's clause anchors it — while a rank's
    scope (全国 of 全国第三) is what was asked about."""
    text = "隧道今年开工，盾构掘进12.5公里，居全国第三。"
    amount = _fact(text, FactKind.COUNT, "12.5公里", 12.5, "公里")
    rank = _fact(text, FactKind.RANK, "全国第三", 3, "位")
    sentence = Sentence(text, 0, 1, (amount, rank))
    need = need_of("隧道全长多少公里？", knowledge)
    tools = Retriever(knowledge).scorer.tools

    def anchored(fact: Fact, *words: str) -> bool:
        spans = [(text.find(w, 7), text.find(w, 7) + len(w)) for w in words]
        return anchored_to(FitInput(need, 0, sentence, text, spans, 1.0, tools), fact)

    assert not anchored(amount, "公里")
    assert anchored(amount, "掘进")
    assert anchored(rank, "全国")


def test_the_figure_asked_of_a_word_is_the_one_in_its_clause(knowledge: Knowledge) -> None:
    """某某停车场的“快充桩”有多少个: the question asks the figure of 快充桩 (the word just
    before 有多少), so of the sentence's counts the one in 快充桩's clause is bold — not the
    count of the clause holding more (but commoner) words of the question."""
    assert need_of("湖南城镇新增就业有多少人？", knowledge).attribute == "就业"
    assert need_of("湖南城镇的“新增就业”是多少？", knowledge).attribute == "就业"
    assert need_of("湖南城镇新增就业的人有多少？", knowledge).attribute is None
    text = "全市公交停车场已建成充电桩380个，其中“快充桩”达到95个。"
    chargers = _fact(text, FactKind.COUNT, "380个", 380, "个")
    fast = _fact(text, FactKind.COUNT, "95个", 95, "个")
    rare = {"快充桩": 4.0}

    def weigh(word: str) -> float:
        return rare.get(word, 2.0) * (2.0 if word == "快充桩" else 1.0)

    words = ["全市", "公交", "停车场", "快充桩"]
    assert choose_fact(text, [chargers, fast], [], words, weigh) is fast
    assert choose_fact(text, [chargers, fast], [], words) is chargers  # by length alone


def test_a_figure_changed_into_another_is_answered_by_the_new_one() -> None:
    """由过去的10个工作日压缩至4个工作日 / 增加到去年的1.8万元: the new figure answers, the old
    one only when the question asks what it was before (以前)."""
    text = "平均办理时间由过去的10个工作日压缩至4个工作日，满意率99%。"
    old = _fact(text, FactKind.DURATION, "10个工作日", 10, "工作日")
    new = _fact(text, FactKind.DURATION, "4个工作日", 4, "工作日")
    assert facts_after_a_change([old, new], text, None, 4) == (new,)
    assert facts_after_a_change([old, new], text, "past", 4) == (old, new)
    apart = "去年办理要10个工作日，今年办结4个工作日。"
    first = _fact(apart, FactKind.DURATION, "10个工作日", 10, "工作日")
    second = _fact(apart, FactKind.DURATION, "4个工作日", 4, "工作日")
    assert facts_after_a_change([first, second], apart, None, 4) == (first, second)
