"""The page parser's thresholds (``lexicon: parsing:`` in ``intents/lexicon.yaml``) are
named, typed and validated like every other rule value, and they are the snapshot's: a reload
with a changed value parses the pages again with it, while the live snapshot keeps its parse."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from tests_paths import INTENTS, SEEDS

from bot.check import render, run_check
from bot.content import lexicon as lexicon_module
from bot.content.blocks import read_units
from bot.content.layout import PageLayout
from bot.content.lexicon import ParsingThresholds
from bot.content.model import Article, PageMeta
from bot.content.page import parse_page
from bot.content.summary import MAX_SUMMARY_CHARS, clipped, section_summary
from bot.errors import InputError, RuleError
from bot.knowledge.build import Knowledge
from bot.rules.lexicon import PARSING_FIELDS
from bot.rules.loader import load_rules
from bot.service import NewsService
from bot.text import tokenizer

SEED_PAGE = SEEDS / "000_1137eb7e6b31fe41.txt"
CUT_OFF = "体检"  # the article cut off at the page edge: its text ends in 有序推


@pytest.fixture
def intents(tmp_path: Path) -> Path:
    directory = tmp_path / "intents"
    shutil.copytree(INTENTS, directory)
    return directory


@pytest.fixture
def restore_published() -> Iterator[None]:
    """A build publishes its lexicon; later tests that parse without a bound snapshot must
    see the shipped thresholds again, not this test's odd ones."""
    segmenter, lexicon = tokenizer.current(), lexicon_module.lexicon()
    yield
    tokenizer.publish(segmenter)
    lexicon_module.publish(lexicon)


def edit(intents: Path, old: str, new: str) -> None:
    path = intents / "lexicon.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(intents: Path, text: str) -> int:
    lines = (intents / "lexicon.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def problems(intents: Path) -> list[str]:
    with pytest.raises(RuleError) as caught:
        load_rules(intents)
    return [str(p) for p in caught.value.problems]


def titled(knowledge: Knowledge, word: str) -> Article:
    return next(a for a in knowledge.articles if word in a.title)


def shipped() -> ParsingThresholds:
    return load_rules(INTENTS).lexicon.parsing


def test_the_shipped_thresholds_are_complete_and_located() -> None:
    parsing = shipped()
    at = line_of(INTENTS, "  parsing:")
    assert parsing.source == f"intents/lexicon.yaml:{at}"
    assert set(PARSING_FIELDS) == {
        f for f in ParsingThresholds.__dataclass_fields__ if f != "source"
    }
    assert isinstance(parsing.max_kicker_chars, int) and parsing.max_kicker_chars > 0
    assert all(
        isinstance(getattr(parsing, f), float) and getattr(parsing, f) > 0
        for f, kind in PARSING_FIELDS.items()
        if kind != "count"
    )
    assert 0 < parsing.min_han_ratio <= 1 and 0 < parsing.orphan_margin <= 1
    assert lexicon_module.lexicon().parsing == parsing  # what a parse without a snapshot reads


@pytest.mark.parametrize(
    ("old", "new", "at", "message"),
    [
        (
            "orphan_ratio: 1.5",
            "orphan_ratio: high",
            "orphan_ratio:",
            "lexicon parsing orphan_ratio must be a number, got text",
        ),
        (
            "speaker_bonus: 0.5",
            "speaker_bonus: yes",
            "speaker_bonus:",
            "lexicon parsing speaker_bonus must be a number, got true/false",
        ),
        (
            "max_kicker_chars: 64",
            "max_kicker_chars: 64.5",
            "max_kicker_chars:",
            "lexicon parsing max_kicker_chars must be a whole number",
        ),
        (
            "orphan_margin: 0.03",
            "orphan_margin: -0.03",
            "orphan_margin:",
            "lexicon parsing orphan_margin must be positive",
        ),
        (
            "summary_length_power: 0.5",
            "summary_length_power: 0",
            "summary_length_power:",
            "lexicon parsing summary_length_power must be positive",
        ),
        (
            "min_han_ratio: 0.2",
            "min_han_ratio: 20",
            "min_han_ratio:",
            "lexicon parsing min_han_ratio must be at most 1",
        ),
        (
            "summary_position_penalty: 0.5",
            "summary_position_penalty: [0.5]",
            "summary_position_penalty:",
            "lexicon parsing summary_position_penalty must be a number, got list",
        ),
        (
            "summary_position_penalty: 0.5",
            "summary_position_penalti: 0.5",
            "summary_position_penalti:",
            "unknown lexicon parsing key 'summary_position_penalti'",
        ),
        (
            "summary_position_penalty: 0.5",
            "summary_position_penalti: 0.5",
            "  parsing:",
            "lexicon parsing is missing 'summary_position_penalty'",
        ),
        ("  parsing:", "  parsings:", "lexicon:", "lexicon is missing 'parsing'"),
        ("  parsing:", "  parsings:", "  parsings:", "unknown lexicon key 'parsings'"),
    ],
)
def test_a_bad_threshold_is_reported_at_its_line(
    intents: Path, old: str, new: str, at: str, message: str
) -> None:
    edit(intents, old, new)
    assert f"intents/lexicon.yaml:{line_of(intents, at)}: {message}" in problems(intents)


def test_the_section_must_be_a_mapping(intents: Path) -> None:
    text = (intents / "lexicon.yaml").read_text(encoding="utf-8")
    head = text[: text.index("  parsing:")]
    (intents / "lexicon.yaml").write_text(head + "  parsing: [1.5, 0.03]\n", encoding="utf-8")
    message = "lexicon parsing must map a name to a number, got list"
    assert f"intents/lexicon.yaml:{line_of(intents, '  parsing:')}: {message}" in problems(intents)


def test_check_reports_the_thresholds_and_their_errors(intents: Path) -> None:
    report, found = run_check(SEEDS, INTENTS)
    assert not found
    at = line_of(INTENTS, "  parsing:")
    assert report["rules"]["parsing"] == {
        "source": f"intents/lexicon.yaml:{at}",
        "thresholds": len(PARSING_FIELDS),
    }
    assert f"parsing: {len(PARSING_FIELDS)} thresholds (intents/lexicon.yaml:{at})" in (
        render(report).splitlines()
    )
    edit(intents, "min_han_ratio: 0.2", "min_han_ratio: none")
    report, found = run_check(SEEDS, intents)
    where = line_of(intents, "min_han_ratio:")
    assert [(p.file, p.line) for p in found if "min_han_ratio" in p.message] == [
        ("intents/lexicon.yaml", where)
    ]
    assert "rules" not in report and report["articles"]  # the pages are still listed


def test_a_reload_with_changed_thresholds_parses_the_pages_again(
    intents: Path, cache_dir: Path, restore_published: None
) -> None:
    service = NewsService(SEEDS, intents, cache_dir)
    old = service.load()
    cut = titled(old, CUT_OFF)
    assert cut.truncated and cut.text.endswith("有序推")
    # never sure enough to move the text after a cut-off to another article
    edit(intents, "orphan_ratio: 1.5", "orphan_ratio: 1000")
    change = asyncio.run(service.reload())
    new = service.knowledge
    assert change.lexicon_changed and new.lexicon.parsing.orphan_ratio == 1000.0
    kept = titled(new, CUT_OFF)
    assert not kept.truncated and len(kept.text) > len(cut.text)
    assert "有序推" in kept.text and not kept.text.endswith("有序推")
    assert titled(old, CUT_OFF) is cut and cut.truncated  # the old snapshot keeps its parse
    # a page must now be all Chinese characters: the shipped page is refused, the
    # snapshot serving stays
    edit(intents, "min_han_ratio: 0.2", "min_han_ratio: 1")
    with pytest.raises(InputError) as caught:
        asyncio.run(service.reload())
    assert any(
        p.file == f"seeds/{SEED_PAGE.name}" and "almost no Chinese text" in p.message
        for p in caught.value.problems
    )
    assert service.knowledge is new


def test_the_layout_reads_its_thresholds_from_what_it_is_given() -> None:
    kicker = "稳外贸一线观察"
    page = f"{kicker}\n\n# 外贸开门红\n\n正文。\n"
    parsing = shipped()
    [article] = PageLayout(read_units(page), (), parsing).run()
    assert (article.title, article.kicker) == ("外贸开门红", kicker)
    short = replace(parsing, max_kicker_chars=len(kicker) - 1)  # too long to be a kicker now
    articles = PageLayout(read_units(page), (), short).run()
    assert [a.kicker for a in articles] == [None, None]
    assert articles[0].sections[0].paragraphs[0].text == kicker


def test_the_summaries_read_their_weights_from_what_they_are_given() -> None:
    parsing = shipped()
    text = SEED_PAGE.read_text(encoding="utf-8")
    meta = PageMeta(file=f"seeds/{SEED_PAGE.name}")
    default = parse_page(text, meta, parsing)
    assert default == parse_page(text, meta)  # the bound (here: shipped) lexicon's values
    # a position penalty that outweighs any keyword weight: every section leads with its
    # first sentence
    early = replace(parsing, summary_position_penalty=1e6)
    for article in parse_page(text, meta, early):
        for section in article.sections:
            first = [s.text for p in section.paragraphs for s in p.sentences][:1]
            assert section.summary == section_summary(first, early)
    sections = [s.summary for a in default for s in a.sections]
    assert sections != [s.summary for a in parse_page(text, meta, early) for s in a.sections]
    longer = replace(parsing, summary_length_power=2.0)
    assert [a.summary for a in default] != [a.summary for a in parse_page(text, meta, longer)]


def test_a_lead_longer_than_a_line_is_cut_at_a_clause() -> None:
    """The summary is one line of an answer (120 characters): a longer lead ends at its last
    clause within the line, never inside a figure."""
    lead = "记者获悉，" + "全省完成改造小区1973个，" * 12 + "完工率90.3%。"
    cut = clipped(lead, MAX_SUMMARY_CHARS)
    assert len(cut) <= MAX_SUMMARY_CHARS and cut.endswith("个…")
