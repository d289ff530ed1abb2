"""The answer contract (DESIGN "The answer contract"): what every front end renders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Source:
    article_id: str
    article: str
    section: str | None
    file: str
    line: int
    section_index: int = 0
    paragraph_index: int = 0
    date: dt.date | None = None  # the page's date (shown by the front ends; not in --json)

    def as_dict(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "article": self.article,
            "section": self.section,
            "file": self.file,
            "line": self.line,
        }


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    answered: bool
    intent: str
    confidence: float
    summary: str
    quote: str | None = None
    source: Source | None = None
    suggestions: tuple[str, ...] = ()
    topic: str | None = None  # topic id of the answer's section, for "subscribe" buttons
    items: tuple[tuple[str, str], ...] = field(default=())  # (label, payload) for lists
    page: int = 1  # a list's page (/articles 2: the next max_listed_articles)…
    pages: int = 1  # …of this many; its first item is number ``offset + 1``
    offset: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answered": self.answered,
            "intent": self.intent,
            "confidence": round(self.confidence, 3),
            "summary": self.summary,
            "quote": self.quote,
            "source": self.source.as_dict() if self.source else None,
            "suggestions": list(self.suggestions),
        }
