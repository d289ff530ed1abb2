"""The archive's days: each article's page date, and which sentences a page time allows.

A page is dated by its sidecar (``date:``), else by the newest dateline of its articles
(a short item's dateline may be a day older than the page it is printed on, so the page's
date, not the item's, is what "1月19日的报道" means).  Per snapshot, made on first use.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left

import numpy as np
import numpy.typing as npt

from bot.content.model import Article, ArticleHead
from bot.knowledge.build import Knowledge
from bot.knowledge.index import SENTENCES_PER_SLOT
from bot.knowledge.rows import SentenceRows
from bot.nlu.when import PageTime
from bot.rules.model import Responses

_EPOCH = dt.date(1, 1, 1)


class PageDates:
    """Page dates of one snapshot's articles."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.k = knowledge
        self._by_file: dict[str, dt.date] | None = None
        self._row_days: npt.NDArray[np.int64] | None = None
        self._days: list[dt.date] | None = None

    @property
    def by_file(self) -> dict[str, dt.date]:
        if self._by_file is None:
            dated: dict[str, dt.date] = {}
            for article in self.k.heads:
                if article.date is not None:
                    dated[article.file] = max(dated.get(article.file, _EPOCH), article.date)
            for page in self.k.pages:
                if page.meta.date is not None:
                    dated[page.meta.file] = page.meta.date
            self._by_file = dated
        return self._by_file

    def of(self, article: Article | ArticleHead) -> dt.date | None:
        return self.by_file.get(article.file)

    def days(self) -> list[dt.date]:
        """Every page date of the archive, oldest first."""
        if self._days is None:
            self._days = sorted(set(self.by_file.values()))
        return self._days

    def any_within(self, when: PageTime) -> bool:
        """Whether any page is of ``when``'s days (a bisection of the days held)."""
        days = self.days()
        at = bisect_left(days, when.first) if when.first is not None else 0
        return at < len(days) and when.holds(days[at])

    def allowed_rows(self, rows: SentenceRows, when: PageTime) -> npt.NDArray[np.bool_]:
        """One flag per sentence row: whether its page is of the time asked."""
        if self._row_days is None:
            slot_days = np.zeros(max(self.k.slots.values(), default=0) + 1, np.int64)
            for article in self.k.heads:
                day = self.of(article)
                if day is not None:
                    slot_days[self.k.slots[article.id]] = day.toordinal()
            self._row_days = slot_days[rows.keys // SENTENCES_PER_SLOT]
        days = self._row_days
        allowed = days > 0
        if when.first is not None:
            allowed &= days >= when.first.toordinal()
        if when.last is not None:
            allowed &= days <= when.last.toordinal()
        return allowed


def day_label(responses: Responses, day: dt.date, language: str) -> str:
    """``2026年1月19日`` / ``2026-01-19``, as answers and source lines write a page date."""
    return responses.text(
        "source_date", language, year=day.year, month=day.month, day=day.day, iso=day.isoformat()
    )


def no_pages(responses: Responses, dates: PageDates, when: PageTime, language: str) -> str:
    """ "上周的报道…" when the archive has no page of that time: say which days it has."""
    days = dates.days()
    if not days:
        return responses.text("decline", language)
    return responses.text(
        "no_pages_then",
        language,
        when=when.label,
        first=day_label(responses, days[0], language),
        last=day_label(responses, days[-1], language),
        count=1 if days[0] == days[-1] else len(days),
    )
