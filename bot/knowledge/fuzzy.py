"""Candidate index for typo-tolerant name matching.

Two doors into the set of names: the exact sound key (pinyin without tones) of names of
three or more characters, which catches the homophone typos that pinyin input produces
(和田电子 → 和天电子, 湘西洲 → 湘西州), and character bigrams of longer names, which feed
rapidfuzz only the few names sharing text with the message instead of every name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.text import pinyin

MIN_SOUND_CHARS = 3
MIN_EDIT_CHARS = 4


@dataclass(frozen=True, slots=True)
class FuzzyIndex:
    by_sound: Mapping[str, tuple[str, ...]]  # pinyin key → names
    # a name with one character masked → names (len >= MIN_SOUND_CHARS): the names that
    # differ from a window in at most one character, found by len(window) lookups
    by_mask: Mapping[str, tuple[str, ...]]
    # (character bigram, name length) → names of that length (len >= MIN_EDIT_CHARS)
    by_bigram: Mapping[tuple[str, int], tuple[str, ...]]
    lengths: tuple[int, ...]  # distinct name lengths, longest first
    # (first syllable, length) of the names in ``by_sound`` (and so of those in ``by_mask``):
    # a window that starts with another sound or has another length sounds like no name
    sound_heads: frozenset[tuple[str, int]] = frozenset()
    # character bigram → the lengths of the names in ``by_bigram`` that hold it
    bigram_lengths: Mapping[str, frozenset[int]] = field(default_factory=dict)

    @classmethod
    def build(cls, names: Iterable[str], short_names: Iterable[str] = ()) -> FuzzyIndex:
        """``short_names``: two-character names (people: 陈旌) also matched by sound."""
        by_sound: dict[str, list[str]] = {}
        by_mask: dict[str, list[str]] = {}
        by_bigram: dict[tuple[str, int], list[str]] = {}
        lengths: set[int] = set()
        heads: set[tuple[str, int]] = set()
        short = set(short_names)
        for name in sorted(set(names) | short):
            if not any("\u4e00" <= c <= "\u9fff" for c in name):
                continue
            if len(name) < MIN_SOUND_CHARS and not (name in short and len(name) == 2):
                continue
            lengths.add(len(name))
            by_sound.setdefault(pinyin.key(name), []).append(name)
            heads.add((pinyin.syllables(name[0])[0], len(name)))
            if len(name) >= MIN_SOUND_CHARS:
                for masked in masks(name):
                    by_mask.setdefault(masked, []).append(name)
            if len(name) >= MIN_EDIT_CHARS:
                for gram in {name[i : i + 2] for i in range(len(name) - 1)}:
                    by_bigram.setdefault((gram, len(name)), []).append(name)
        return cls(
            {k: tuple(v) for k, v in by_sound.items()},
            {k: tuple(v) for k, v in by_mask.items()},
            {k: tuple(v) for k, v in by_bigram.items()},
            tuple(sorted(lengths, reverse=True)),
            frozenset(heads),
            _lengths_by_bigram(by_bigram),
        )


def _lengths_by_bigram(by_bigram: Mapping[tuple[str, int], object]) -> dict[str, frozenset[int]]:
    found: dict[str, set[int]] = {}
    for gram, length in by_bigram:
        found.setdefault(gram, set()).add(length)
    return {gram: frozenset(lengths) for gram, lengths in found.items()}


def masks(text: str) -> list[str]:
    """``text`` with each character in turn replaced by a mask."""
    return [f"{text[:i]}\0{text[i + 1 :]}" for i in range(len(text))]
