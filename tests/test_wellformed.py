"""Well-formed text: the checker itself, every digest of every page, every answer summary.

The checker (bot/text/wellformed.py) names the ways cut-out Chinese goes wrong; the digest test
holds every digest of every topic on every page the project has (the shipped page and every
fixture page, blind ones included) to it; the answer test holds every golden question's summary
to it, line by line, and prints the counts by kind.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from tests_paths import FIXTURES, INTENTS, QA, SEEDS

from bot.digest import build_digest, plan_messages, render_text, text_layout
from bot.evaluate import evaluate, load_questions
from bot.knowledge.build import Knowledge, build_knowledge
from bot.service import NewsService
from bot.text.wellformed import Kind, check, is_wellformed, rules, without_dangling_end

PAGE_DIRS = [
    SEEDS,
    *sorted(p for p in FIXTURES.iterdir() if p.is_dir() and p.name.startswith("pages")),
    *sorted(p for p in (FIXTURES / "blind").iterdir() if p.is_dir()),
]
#: Which page directory each golden question file asks about.
GOLDEN = {
    "seed_page.yaml": SEEDS,
    "holdout_seed.yaml": SEEDS,
    "second_page.yaml": FIXTURES / "pages",
    "third_page.yaml": FIXTURES / "pages3",
    "fourth_page.yaml": FIXTURES / "pages4",
    "fifth_page.yaml": FIXTURES / "pages5",
    **{f"blind/{p.name}.yaml": p for p in sorted((FIXTURES / "blind").iterdir()) if p.is_dir()},
}


def kinds(text: str) -> list[str]:
    return [str(v.kind) for v in check(text)]


# --- the checker ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("并汇聚成年产值的产业集群", ["missing_figure"]),
        ("对一个年营收的企业来说，这是大事。", ["missing_figure"]),
        ("累计投入超过的资金。", ["missing_figure"]),
        ("陈宏志告诉记者新工厂投资规划面积超1万平方米。", ["glued"]),
        ("十四五”期间，湖南系统推进民生实事建设。", ["unbalanced"]),
        ("《益阳：鱼米之乡量产高端“工业大米”", ["unbalanced"]),
        ("MLCC（多层陶瓷电容器", ["unbalanced"]),
        ('他说"好', ["unbalanced"]),
        ("【民生】）", ["unbalanced"]),
        ("益阳高新区的", ["dangling_end"]),
        ("电容器和。", ["dangling_end"]),
        ("电容器、电路板、", ["dangling_end"]),
        ("今年我省将推进城市更新，", ["dangling_end"]),
    ],
)
def test_each_kind_of_broken_text_is_named(text: str, expected: list[str]) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "并汇聚成年产值超400亿元的产业集群。",
        "陈宏志告诉记者，新工厂投资5000多万元。",
        "“十四五”期间，湖南系统推进民生实事建设。",
        "《益阳：鱼米之乡量产高端“工业大米”》",
        "MLCC（多层陶瓷电容器）和PCB(印刷电路板)。",
        "最近的超级电容工厂在附近。",
        "线上销售额占总营收的近一半，产值的10%来自出口。",
        "",
    ],
)
def test_whole_clauses_pass(text: str) -> None:
    assert check(text) == []
    assert is_wellformed(text)


def test_the_length_budget_comes_from_the_yaml() -> None:
    budget = rules().max_chars
    assert budget == 120
    assert is_wellformed("好" * budget)
    (violation,) = check("好" * (budget + 1))
    assert violation.kind is Kind.TOO_LONG and str(budget) in violation.excerpt
    assert is_wellformed("好" * 30, max_chars=30) and not is_wellformed("好" * 31, max_chars=30)


def test_violations_say_where() -> None:
    (violation,) = check("湖南今年并汇聚成年产值的产业集群")
    assert violation.position == 8 and "年产值的" in violation.excerpt
    assert str(violation).startswith("missing_figure@8: ")


# --- every digest of every page -------------------------------------------------------------


@pytest.fixture(scope="module")
def pages(cache_dir: Path) -> dict[str, Knowledge]:
    return {d.name: build_knowledge(d, INTENTS, cache_dir) for d in PAGE_DIRS}


def test_every_digest_of_every_topic_on_every_page_is_well_formed(
    pages: dict[str, Knowledge],
) -> None:
    """Each digest line as sent (title line with date, summary, link) passes the checker;
    every article of a page appears once in the all-topics digest, with a summary."""
    problems: list[str] = []
    checked = entries = 0
    for name, knowledge in pages.items():
        responses = knowledge.rules.responses
        topics = [t.id for t in knowledge.rules.topics]
        for subscribed in [[t] for t in topics] + [topics]:
            digest = build_digest(knowledge, subscribed, {})
            for language in ("zh", "en"):
                plan = plan_messages(digest, text_layout(responses, language), max_messages=None)
                for message in plan:
                    for line in render_text(message, responses, language).split("\n"):
                        checked += 1
                        problems += [f"{name}/{subscribed}: {v} in {line!r}" for v in check(line)]
            entries += len(digest.entries)
        everything = build_digest(knowledge, topics, {})
        listed = [e.article_id for e in everything.entries]
        assert len(listed) == len(set(listed)), name  # one entry per article
        missing = [e.title for e in everything.entries if not e.summary]
        assert not missing, f"{name}: no well-formed summary for {missing}"
    print("DIGEST_LINES_CHECKED", json.dumps({"lines": checked, "entries": entries}))
    assert problems == []
    assert checked > 500


# --- every golden question's answer summary ------------------------------------------------


def test_every_golden_answer_summary_is_well_formed(cache_dir: Path) -> None:
    services: dict[Path, NewsService] = {}
    by_kind: Counter[str] = Counter()
    by_file: dict[str, int] = {}
    examples: list[str] = []
    total = 0
    for name, page_dir in GOLDEN.items():
        if page_dir not in services:
            services[page_dir] = NewsService.serving(build_knowledge(page_dir, INTENTS, cache_dir))
        report = evaluate(load_questions(QA / name), services[page_dir], name)
        found = 0
        for result in report.results:
            total += 1
            # the budget is per line: a list of articles is one title a line
            violations = [v for line in result.answer.summary.split("\n") for v in check(line)]
            found += len(violations)
            by_kind.update(str(v.kind) for v in violations)
            examples += [f"{name}: {v}" for v in violations[:1]][: max(0, 12 - len(examples))]
        by_file[name] = found
    figures = {"summaries": total, "by_kind": dict(by_kind), "by_file": by_file}
    print("ANSWER_SUMMARY_VIOLATIONS", json.dumps(figures, ensure_ascii=False))
    print("\n".join(examples))
    assert sum(by_kind.values()) == 0, figures


@pytest.mark.parametrize(
    ("text", "tidy"),
    [
        ("两部门联合印发关于加强园区运营工作的…", "两部门联合印发关于加强园区运营工作…"),
        ("21.5% — 占全市粮食总产量的", "21.5% — 占全市粮食总产量"),
        ("4.56亿元 — 艾华集团投资", "4.56亿元 — 艾华集团投资"),
    ],
)
def test_a_summary_never_ends_on_a_word_that_needs_more(text: str, tidy: str) -> None:
    assert without_dangling_end(text) == tidy
    assert check(tidy) == []


def test_a_name_after_a_label_may_end_in_a_conjunction_character() -> None:
    """周德和 ends in 和 like a cut clause, but after 作者： it is a name, written whole."""
    assert check("《让服务离老人再近一点》的作者：周德和") == []
    assert [v.kind for v in check("全市推进产业发展和")] == [Kind.DANGLING_END]


def test_only_a_credit_label_lets_a_name_end_in_he() -> None:
    assert [v.kind for v in check("主要措施包括：资金和")] == [Kind.DANGLING_END]
