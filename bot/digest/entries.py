"""Digest entries: one per article, holding the article's pending sections.

Why entries on top of items: the ledger's unit is a section (an edit to one section must come
back once, and only that), but a reader wants each article once — title, one whole-sentence
summary, the page date, a button to read it — not the same title four times.  So a digest lists
entries, and an entry carries the section items it stands for; sending the entry records all of
them, which keeps the ledger's "no repeats, no losses" exactly as it was.  The one-line summary is
:func:`bot.digest.summary.one_line_summary`.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Final

from bot.content.model import Article
from bot.digest.items import DigestItem, clip

logger = logging.getLogger(__name__)

MAX_ENTRY_TITLE_CHARS: Final = 80


@dataclass(frozen=True, slots=True)
class DigestEntry:
    """One article as a digest lists it, with the section items it delivers."""

    article_id: str
    title: str
    summary: str  # one well-formed sentence, or "" when the article has none that fits
    date: dt.date | None
    url: str | None
    items: tuple[DigestItem, ...]
    version: str = ""  # the article's content hash: a button made for it goes stale with it

    @property
    def item_id(self) -> str:
        """The first section's item id: names the entry in errors and size tables."""
        return self.items[0].item_id

    @property
    def keys(self) -> tuple[tuple[str, str], ...]:
        return tuple(item.key for item in self.items)

    def as_dict(self, topic: str) -> dict[str, object]:
        """The JSON shape of an entry in ``newsbot digest --json``."""
        return {
            "article_id": self.article_id,
            "article": self.title,
            "topic": topic,
            "date": self.date.isoformat() if self.date else None,
            "summary": self.summary,
            "url": self.url,
            "item_ids": [item.item_id for item in self.items],
        }

    @classmethod
    def of_item(cls, item: DigestItem) -> DigestEntry:
        """An entry for a lone item (tests, and callers that have no article at hand)."""
        return cls(
            item.article_id, item.article_title, item.summary, None, None, (item,), item.item_hash
        )


def entry_for(article: Article, items: tuple[DigestItem, ...], summary: str) -> DigestEntry:
    """The entry of ``article`` delivering ``items`` (its pending sections, page order)."""
    return DigestEntry(
        article_id=article.id,
        title=clip(article.title, MAX_ENTRY_TITLE_CHARS),
        summary=summary,
        date=article.date,
        url=article.url,
        items=items,
        version=article.content_hash or article.title,
    )
