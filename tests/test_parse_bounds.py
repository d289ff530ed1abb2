"""Parsing does bounded work whatever a page's shape (issue 17, item 3).

A 1 MB page of 100,000 short lines took ~300 s to check (every sentence scanned every line
of its paragraph for its source line); 100,000 headings, trailing titles or broken
paragraphs were quadratic in other steps.  Each shape here is generated in the test and
parsed by the real loader; CPU time (not wall time: the CI machine is shared) must stay
within ``SECONDS``, which the old code exceeded by far on every shape.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.content.limits import layout_limits, page_limits
from bot.content.loader import load_seeds
from bot.content.model import Article

SECONDS = 20.0  # CPU seconds per page: each shape takes 0.1–4 s, the old code minutes to hours
LINES = 100_000
UNITS = 30_000  # headings, paragraphs, captions… (the old code: quadratic from ~5,000)


def timed_load(tmp_path: Path, text: str) -> tuple[float, tuple[Article, ...], list[str]]:
    (tmp_path / "page.txt").write_text(text, encoding="utf-8")
    started = time.process_time()
    loaded = load_seeds(tmp_path)
    spent = time.process_time() - started
    return spent, loaded.articles, [str(p) for p in loaded.problems]


def test_a_100000_line_paragraph_checks_in_seconds_with_every_line_right(tmp_path: Path) -> None:
    # one paragraph of 100,000 OCR'd lines, a sentence ending every 20 lines
    lines = [f"第{i}行" + ("。" if i % 20 == 19 else "") for i in range(LINES)]
    spent, articles, problems = timed_load(tmp_path, "# 十万行\n\n" + "\n".join(lines) + "\n")
    assert not problems
    assert spent < SECONDS, f"{spent:.1f} s"
    (paragraph,) = articles[0].paragraphs
    assert len(paragraph.sentences) == LINES // 20
    for k, sentence in enumerate(paragraph.sentences):
        assert sentence.text.startswith(f"第{20 * k}行")
        assert sentence.line == 3 + 20 * k  # the page line where the sentence starts


def _headings() -> str:
    return "# 标题\n\n正文。\n\n" + "\n".join(f"## 小标题{i}" for i in range(UNITS)) + "\n"


def _titles_after_bodies() -> str:
    return "\n\n".join(f"## 题目{i}\n\n张三\n\n正文内容{i}" for i in range(UNITS // 3)) + "\n"


def _broken_paragraphs() -> str:
    return "# 标题\n\n" + "\n\n".join(f"第{i}段内容没有完" for i in range(UNITS)) + "\n"


def _captions() -> str:
    parts = (f"文字{i}没有结束\n\n车间一角。\n\n通讯员 摄" for i in range(UNITS // 3))
    return "# 标题\n\n" + "\n\n".join(parts) + "\n\n结尾。\n"


def _giant_line() -> str:
    return "# 标题\n\n" + "产业发展企业创新" * 40_000 + "\n"  # 960 KB, no punctuation


def _nested_quotes() -> str:
    return "# 标题\n\n" + "他说：“" * 30_000 + "好" + "。”" * 30_000 + "\n"


def _hashes() -> str:
    return "# 标题\n\n正文。\n\n# " + "# " * 300_000 + "题\n"  # a heading regex used to retry


def _interleaved_articles() -> str:
    """Unfinished paragraphs in one article after 2,000 others: each break compared the
    following text with every article on the page."""
    others = "\n\n".join(f"# 文章{i}\n\n内容{i}说完了。" for i in range(2_000))
    breaks = "\n\n".join(f"第{i}段没有说完\n\n另一件事{i}" for i in range(UNITS // 3))
    return others + "\n\n# 最后\n\n" + breaks + "\n"


SHAPES: dict[str, Callable[[], str]] = {
    "30,000 headings": _headings,
    "10,000 titles after their bodies": _titles_after_bodies,
    "30,000 unfinished paragraphs": _broken_paragraphs,
    "10,000 captions inside paragraphs": _captions,
    "one 960 KB line": _giant_line,
    "30,000 nested quotes": _nested_quotes,
    "a heading of 300,000 hashes": _hashes,
    "10,000 breaks after 2,000 articles": _interleaved_articles,
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_hostile_page_shapes_parse_in_bounded_time(shape: str, tmp_path: Path) -> None:
    spent, articles, problems = timed_load(tmp_path, SHAPES[shape]())
    assert spent < SECONDS, f"{shape}: {spent:.1f} s"
    assert articles or problems  # parsed, or refused with a reason


def test_too_many_sentences_is_a_clear_error_before_the_costly_work(tmp_path: Path) -> None:
    limit = page_limits().max_sentences
    text = "# 标题\n\n" + "\n".join(f"第{i}句。" for i in range(limit + 10)) + "\n"
    spent, articles, problems = timed_load(tmp_path, text)
    assert not articles
    assert problems == [
        f"{tmp_path.name}/page.txt:3: page has more than {limit:,} sentences "
        "(the limit per page); split it into several pages"
    ]
    assert spent < SECONDS


def test_the_orphan_check_budget_ends_in_a_notice(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    checks = layout_limits().max_break_checks
    other = "# 别的文章\n\n别的内容说完了。\n\n"
    breaks = "\n\n".join(f"第{i}段没有说完\n\n另一件事{i}" for i in range(checks + 5))
    with caplog.at_level(logging.WARNING, logger="bot.content.loader"):
        _, articles, problems = timed_load(tmp_path, other + "# 最后\n\n" + breaks + "\n")
    assert not problems and len(articles) == 2
    (notice,) = [r.getMessage() for r in caplog.records]
    assert notice.startswith(f"{tmp_path.name}/page.txt: line ")
    assert f"more than {checks:,} paragraph breaks to check" in notice
