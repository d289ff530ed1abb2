"""The optional page sidecar: metadata and layout fixes, strictly validated."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.content.loader import parse_page_text
from bot.content.sidecar import load_sidecar
from bot.errors import ContentError


def write(tmp_path: Path, yaml_text: str) -> Path:
    page = tmp_path / "p.txt"
    page.write_text("# 标题\n\n正文。\n", encoding="utf-8")
    (tmp_path / "p.yaml").write_text(yaml_text, encoding="utf-8")
    return page


def test_metadata_and_layout(tmp_path: Path) -> None:
    page = write(
        tmp_path,
        "version: 1\npublication: 测试日报\ndate: 2026-01-23\n"
        "summaries:\n  标题: 一句话。\nlayout:\n  - {line: 3, action: join}\n",
    )
    meta = load_sidecar(page, "seeds/p.txt")
    assert meta.publication == "测试日报"
    assert meta.date == dt.date(2026, 1, 23)
    assert meta.summaries == {"标题": "一句话。"}
    assert meta.layout[0].action == "join" and meta.layout[0].line == 3


def test_links_for_the_page_and_per_article(tmp_path: Path) -> None:
    page = write(
        tmp_path,
        "version: 1\nurl: https://example.com/page.html\n"
        "urls:\n  标题: https://example.com/a/1.html\n",
    )
    meta = load_sidecar(page, "seeds/p.txt")
    assert meta.url == "https://example.com/page.html"
    assert meta.urls == {"标题": "https://example.com/a/1.html"}
    (article,) = parse_page_text(page.read_text(encoding="utf-8"), meta, "seeds/p.txt")
    assert article.url == "https://example.com/a/1.html"  # its own link beats the page's
    other = parse_page_text("# 别的\n\n正文。\n", meta, "seeds/p.txt")
    assert other[0].url == "https://example.com/page.html"
    assert load_sidecar(write(tmp_path, "version: 1\n"), "seeds/p.txt").url is None


def test_no_sidecar_means_defaults(tmp_path: Path) -> None:
    page = tmp_path / "p.txt"
    page.write_text("# 标题\n\n正文。\n", encoding="utf-8")
    assert load_sidecar(page, "seeds/p.txt").date is None


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("version: 1\ndate: tomorrow\n", 2, "date must look like"),
        ("version: 1\npubliction: x\n", 2, "unknown key 'publiction'"),
        ("version: 1\nlayout:\n  - {line: 0, action: join}\n", 3, "needs 'line'"),
        ("version: 1\nlayout:\n  - {line: 3, action: move}\n", 3, "action must be one of"),
        ("version: 3\n", 1, "unsupported version"),
        ("- a\n- b\n", 1, "expected a mapping"),
        ("version: 1\nurl: javascript:alert(1)\n", 2, "url must be an http:// or https://"),
        ("version: 1\nurl: [https://x.cn]\n", 2, "url must be an http:// or https://"),
        ("version: 1\nurls: https://x.cn\n", 2, "urls must map an article title"),
        ("version: 1\nurls:\n  标题: ftp://x.cn/a\n", 3, "url of '标题' must be"),
        ("version: 1\nurls:\n  标题: https://x.cn/a b\n", 3, "url of '标题' must be"),
    ],
)
def test_errors(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    with pytest.raises(ContentError) as caught:
        load_sidecar(write(tmp_path, text), "seeds/p.txt")
    problem = caught.value.problems[0]
    assert problem.file == "seeds/p.yaml"
    assert problem.line == line
    assert fragment in problem.message
