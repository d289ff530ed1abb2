"""The orphan-block rule: text after an unfinished paragraph that reads like an earlier
article was cut at the page edge and belongs to that article (``有序推`` … its neighbour's
continuation).

How sure the rule must be is the lexicon's ``parsing:`` section (ratio, margin, speaker bonus);
how much work it may do on one page is ``parsing.yaml`` (``LayoutLimits``): each check compares
at most ``max_compare_chars`` with the ``max_candidates`` latest articles, and a page gets
``max_break_checks`` of them, after which breaks are read as column breaks and a notice says so.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.content.drafts import ArticleDraft, profile_of
from bot.content.lexicon import ParsingThresholds
from bot.content.likeness import similarities
from bot.content.limits import LayoutLimits


class OrphanRule:
    """Decides, within one page's budget, which earlier article a block continues."""

    def __init__(self, thresholds: ParsingThresholds, limits: LayoutLimits) -> None:
        self.thresholds = thresholds
        self.limits = limits
        self.notices: list[str] = []
        self._checks_left = limits.max_break_checks

    def owner(
        self,
        current: ArticleDraft,
        articles: list[ArticleDraft],
        line: int,
        block_text: Callable[[], str],
    ) -> ArticleDraft | None:
        """The earlier article the block at ``line`` continues, or None (a column break of
        ``current``).  ``block_text`` is only read when a check is made."""
        others = self._candidates(current, articles)
        if not others or self._checks_left <= 0:
            return None  # nothing to compare with, or the page's budget is spent
        self._checks_left -= 1
        if self._checks_left == 0:
            self.notices.append(
                f"line {line}: more than {self.limits.max_break_checks:,} paragraph "
                "breaks to check; the rest of the page is read as column breaks"
            )
        limit = self.limits.max_compare_chars
        scores = similarities(
            profile_of(block_text()),
            [a.profile(limit) for a in (current, *others)],
            self.thresholds.speaker_bonus,
        )
        best = max(range(1, len(scores)), key=lambda k: scores[k])
        t = self.thresholds
        if (
            scores[best] > scores[0] * t.orphan_ratio
            and scores[best] - scores[0] >= t.orphan_margin
        ):
            return others[best - 1]
        return None

    def _candidates(
        self, current: ArticleDraft, articles: list[ArticleDraft]
    ) -> list[ArticleDraft]:
        """The latest ``max_candidates`` articles other than ``current``, in page order."""
        found: list[ArticleDraft] = []
        for article in reversed(articles):
            if len(found) == self.limits.max_candidates:
                break
            if article is not current:
                found.append(article)
        return found[::-1]
