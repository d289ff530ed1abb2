"""Find known phrases (entity names, synonym variants) in text without scanning the phrase list.

A message is matched by looking up its substrings in a dict, gated by a set of the phrases'
first two characters, so the cost grows with the message length, not with the number of
phrases in the corpus.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Match:
    phrase: str
    value: str
    start: int
    end: int


class PhraseMatcher:
    """Leftmost-longest, non-overlapping matches of phrases mapped to a value."""

    def __init__(self, phrases: Mapping[str, str] | Iterable[tuple[str, str]]) -> None:
        items = phrases.items() if isinstance(phrases, Mapping) else phrases
        self._values: dict[str, str] = {}
        for phrase, value in items:
            if len(phrase) >= 2:
                self._values.setdefault(phrase, value)
        self._heads = {p[:2] for p in self._values}
        self._lengths = sorted({len(p) for p in self._values}, reverse=True)

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, phrase: str) -> bool:
        return phrase in self._values

    def lengths(self) -> list[int]:
        return list(self._lengths)

    def phrases(self) -> list[str]:
        return list(self._values)

    def get(self, phrase: str) -> str | None:
        return self._values.get(phrase)

    def find(self, text: str) -> list[Match]:
        matches: list[Match] = []
        i = 0
        n = len(text)
        values = self._values
        heads = self._heads
        while i < n - 1:
            if text[i : i + 2] in heads:
                for length in self._lengths:
                    if i + length <= n:
                        phrase = text[i : i + length]
                        value = values.get(phrase)
                        if value is not None:
                            matches.append(Match(phrase, value, i, i + length))
                            i += length
                            break
                else:
                    i += 1
                continue
            i += 1
        return matches

    def find_all(self, text: str) -> list[Match]:
        """Every match, nested ones included (信维 inside 信维电科)."""
        matches: list[Match] = []
        values = self._values
        heads = self._heads
        for i in range(len(text) - 1):
            if text[i : i + 2] not in heads:
                continue
            for length in self._lengths:
                phrase = text[i : i + length]
                if len(phrase) == length and (value := values.get(phrase)) is not None:
                    matches.append(Match(phrase, value, i, i + length))
        return matches
