"""How much work one page may cost (``parsing.yaml``); how sure the layout rules must be is the
lexicon's ``parsing:`` section (:class:`bot.content.lexicon.ParsingThresholds`).

A hostile or broken page (100,000 short lines, 100,000 unfinished paragraphs) must not hold
the reload lock for minutes: the layout's orphan-block checks are bounded per page and a page
with too many sentences is refused before the costly work.  The values are named in
``parsing.yaml`` beside this module, not literals in the rules that use them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.yamlsource import load_yaml

PARSING_PATH = Path(__file__).with_name("parsing.yaml")


@dataclass(frozen=True, slots=True)
class LayoutLimits:
    """How much work the orphan-block rule may do on one page (values: ``parsing.yaml``).

    Each check compares at most ``max_compare_chars`` of the block and of each of the
    ``max_candidates`` latest articles, and a page gets ``max_break_checks`` of them: past
    that, breaks are read as column breaks and the page gets a notice (a real page has a
    handful; a hostile one had 100,000, each comparing the whole page).  How *sure* the rule
    must be (ratio, margin, speaker bonus) is the lexicon's ``parsing:`` section.
    """

    max_compare_chars: int
    max_candidates: int
    max_break_checks: int


@cache
def layout_limits() -> LayoutLimits:
    """The bounds in ``parsing.yaml`` (read once; a missing key is a KeyError at start)."""
    data = load_yaml(PARSING_PATH)["layout"]
    return LayoutLimits(
        max_compare_chars=int(data["max_compare_chars"]),
        max_candidates=int(data["max_candidates"]),
        max_break_checks=int(data["max_break_checks"]),
    )


@dataclass(frozen=True, slots=True)
class PageLimits:
    """Bounds on one page's work beyond layout (values: ``parsing.yaml``, ``page:``)."""

    max_sentences: int


@cache
def page_limits() -> PageLimits:
    return PageLimits(max_sentences=int(load_yaml(PARSING_PATH)["page"]["max_sentences"]))
