"""The golden question files: the accuracy the product promises, measured on every run."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests_paths import QA

from bot import calibration
from bot.answer.engine import Answerer
from bot.errors import InputError
from bot.evaluate import ANY, evaluate, is_right, load_questions, render
from bot.knowledge.build import Knowledge
from bot.service import NewsService

MIN_ANSWERABLE = 0.95
MIN_DECLINED = 0.95
MIN_SECOND_PAGE = 0.90
MIN_HELD_OUT = 0.90
MIN_BLIND_PAGE = 0.68  # the fifth page: measured 71.1 % overall after the fixes
MAX_CALIBRATION_ERROR = 0.1  # seed page: confidence vs share right, measured 0.051


def test_seed_page_golden_questions(news: NewsService) -> None:
    items = load_questions(QA / "seed_page.yaml")
    assert len(items) >= 150
    report = evaluate(items, news, "seed_page.yaml")
    summary = render(report)
    assert report.accuracy(report.answerable) >= MIN_ANSWERABLE, summary
    assert report.accuracy(report.declined) >= MIN_DECLINED, summary
    assert calibration.expected_error(calibration.table(report.results)) <= (
        MAX_CALIBRATION_ERROR
    ), summary
    assert "calibration (answered questions by confidence):" in summary
    groups = report.by_group()
    assert {
        "direct",
        "paraphrase",
        "colloquial",
        "typo",
        "traditional",
        "keyword",
        "followup",
        "nearmiss",
        "offtopic",
        "meta",
    } <= set(groups)


def test_second_page_without_rule_edits(second_knowledge: Knowledge) -> None:
    items = load_questions(QA / "second_page.yaml")
    assert len(items) >= 30
    report = evaluate(items, NewsService.serving(second_knowledge), "second_page.yaml")
    assert report.accuracy(report.results) >= MIN_SECOND_PAGE, render(report)


def test_question_file_errors_are_located(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(
        "- {q: 你好, expect: any}\n- {q: '', expect: [x]}\n- {question: x}\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as caught:
        load_questions(path)
    text = str(caught.value)
    assert f"{path}:2: q must be the question text" in text
    assert f"{path}:3: unknown key(s): question" in text


def test_dialogs_share_context_and_plain_items_do_not(
    news: NewsService, answerer: Answerer, tmp_path: Path
) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(
        "- {q: 和天电子的董事长是谁？, expect: [陈宏志], dialog: d}\n"
        "- {q: 他们一年营收多少？, expect: [年营收], dialog: d}\n"
        "- {q: 研发团队呢？, expect: any}\n",
        encoding="utf-8",
    )
    asked = news.metrics.value("questions_total")
    report = evaluate(load_questions(path), news)
    assert [r.right for r in report.results[:2]] == [True, True]
    standalone = answerer.answer("研发团队呢？")
    assert report.results[2].answer == standalone
    assert news.open_conversations == 0  # the run's conversations are dropped afterwards
    assert news.metrics.value("questions_total") == asked + 3  # asked through the service


def test_expect_any_and_decline_semantics(answerer: Answerer) -> None:
    from bot.evaluate import EvalItem

    answer = answerer.answer("你好")
    assert is_right(EvalItem("你好", ANY, "meta", None, 1), answer)
    assert not is_right(EvalItem("你好", None, "meta", None, 1), answer)


def test_held_out_questions_written_blind(news: NewsService) -> None:
    """80 questions written without looking at the code: guards against tuning to the
    golden file."""
    report = evaluate(load_questions(QA / "holdout_seed.yaml"), news, "holdout_seed.yaml")
    assert report.accuracy(report.results) >= MIN_HELD_OUT, render(report)


def test_third_page_without_rule_edits(cache_dir: Path) -> None:
    from tests_paths import FIXTURES, INTENTS

    from bot.knowledge.build import build_knowledge

    knowledge = build_knowledge(FIXTURES / "pages3", INTENTS, cache_dir)
    report = evaluate(load_questions(QA / "third_page.yaml"), NewsService.serving(knowledge))
    assert report.accuracy(report.results) >= MIN_SECOND_PAGE, render(report)


def test_fourth_page_written_by_someone_who_had_not_seen_the_rules(cache_dir: Path) -> None:
    """浙江日报, written with its 40 questions by a helper who had not seen the rules: 75 % of
    the answerable and 62.5 % of the declines right at first. General fixes followed (and
    three general YAML entries: 本钱, 钟头, 入境游客), none keyed to its questions."""
    from tests_paths import FIXTURES, INTENTS

    from bot.knowledge.build import build_knowledge

    knowledge = build_knowledge(FIXTURES / "pages4", INTENTS, cache_dir)
    report = evaluate(load_questions(QA / "fourth_page.yaml"), NewsService.serving(knowledge))
    assert report.accuracy(report.results) >= MIN_SECOND_PAGE, render(report)


def test_fifth_page_written_blind(cache_dir: Path) -> None:
    """南方日报, 45 questions written by a helper who saw neither the code nor the rules:
    63.9 % answerable / 66.7 % declined at first. Parser and answering fixes followed, none
    keyed to its questions; its paraphrases and colloquial wording remain the weak spot, so
    this guards against regressions only (MIN_BLIND_PAGE), not a target."""
    from tests_paths import FIXTURES, INTENTS

    from bot.knowledge.build import build_knowledge

    knowledge = build_knowledge(FIXTURES / "pages5", INTENTS, cache_dir)
    report = evaluate(load_questions(QA / "fifth_page.yaml"), NewsService.serving(knowledge))
    assert report.accuracy(report.results) >= MIN_BLIND_PAGE, render(report)
