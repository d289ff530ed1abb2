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
        by_head: dict[str, set[int]] = {}
        for phrase in self._values:
            by_head.setdefault(phrase[:2], set()).add(len(phrase))
        # per first two characters, the lengths of the phrases starting with them, longest
        # first: a position is tried at one or two lengths, not at every phrase length
        self._heads = {head: sorted(ls, reverse=True) for head, ls in by_head.items()}
        self._lengths = sorted({len(p) for p in self._values}, reverse=True)

    def with_phrases(self, phrases: Iterable[tuple[str, str]]) -> PhraseMatcher:
        """This matcher and ``phrases`` (an earlier phrase keeps its value), built without
        going over this one's phrases again: a page added to an archive adds a few names to
        tens of thousands."""
        grown = PhraseMatcher(())
        grown._values = dict(self._values)
        heads = dict(self._heads)
        lengths = set(self._lengths)
        for phrase, value in phrases:
            if len(phrase) < 2 or phrase in grown._values:
                continue
            grown._values[phrase] = value
            head = phrase[:2]
            if len(phrase) not in heads.get(head, ()):
                heads[head] = sorted({*heads.get(head, ()), len(phrase)}, reverse=True)
            lengths.add(len(phrase))
        grown._heads = heads
        grown._lengths = sorted(lengths, reverse=True)
        return grown

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

    def starting_at(self, text: str, i: int) -> list[str]:
        """The phrases that start at position ``i`` of ``text``, longest first."""
        lengths = self._heads.get(text[i : i + 2])
        if lengths is None:
            return []
        values = self._values
        n = len(text)
        return [text[i : i + ln] for ln in lengths if i + ln <= n and text[i : i + ln] in values]

    def find(self, text: str) -> list[Match]:
        matches: list[Match] = []
        i = 0
        n = len(text)
        values = self._values
        heads = self._heads
        while i < n - 1:
            lengths = heads.get(text[i : i + 2])
            if lengths is not None:
                for length in lengths:
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
            lengths = heads.get(text[i : i + 2])
            if lengths is None:
                continue
            for length in lengths:
                phrase = text[i : i + length]
                if len(phrase) == length and (value := values.get(phrase)) is not None:
                    matches.append(Match(phrase, value, i, i + length))
        return matches

    def phrases_in(self, text: str) -> set[str]:
        """The distinct phrases that occur in ``text`` (nested ones included)."""
        found: set[str] = set()
        values = self._values
        heads = self._heads
        for i in range(len(text) - 1):
            lengths = heads.get(text[i : i + 2])
            if lengths is None:
                continue
            for length in lengths:
                phrase = text[i : i + length]
                if phrase in values:
                    found.add(phrase)
        return found
