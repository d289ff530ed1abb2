"""Load the general-language lexicon (``lexicon.yaml``) that the fact extractor relies on."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.yamlsource import load_yaml

LEXICON_PATH = Path(__file__).with_name("lexicon.yaml")


@dataclass(frozen=True, slots=True)
class Lexicon:
    measure_words: tuple[str, ...]
    people_measures: frozenset[str]
    time_now: tuple[str, ...]
    time_past: tuple[str, ...]
    elapsed_days: tuple[str, ...]
    plan_words: tuple[str, ...]
    future_words: tuple[str, ...]
    amount_nouns: frozenset[str]
    duration_units: tuple[str, ...]
    roles_before_name: tuple[str, ...]
    roles_after_name: tuple[str, ...]
    roles_leading: tuple[str, ...]
    staff_roles: frozenset[str]
    speech_verbs: tuple[str, ...]
    surnames: frozenset[str]
    double_surnames: frozenset[str]
    org_suffixes: tuple[str, ...]
    place_suffixes: tuple[str, ...]
    place_suffix_words: tuple[str, ...]
    describing_words: tuple[str, ...]
    regions: tuple[str, ...]
    org_stop_words: tuple[str, ...]
    false_name_words: tuple[str, ...]
    rank_scopes: tuple[str, ...]
    rank_words: tuple[str, ...]
    money_verbs: frozenset[str]
    relative_years: dict[str, int]
    relative_days: dict[str, int]
    plan_periods: dict[str, tuple[int, int]]


def alternation(words: tuple[str, ...] | frozenset[str]) -> str:
    """A regex alternation that prefers the longest word (so 台套 beats 台)."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


@cache
def lexicon() -> Lexicon:
    data = load_yaml(LEXICON_PATH)

    def words(key: str) -> tuple[str, ...]:
        return tuple(str(w) for w in data[key])

    return Lexicon(
        measure_words=words("measure_words"),
        people_measures=frozenset(words("people_measures")),
        time_now=words("time_now"),
        time_past=words("time_past"),
        elapsed_days=words("elapsed_days"),
        plan_words=words("plan_words"),
        future_words=words("future_words"),
        amount_nouns=frozenset(words("amount_nouns")),
        duration_units=words("duration_units"),
        roles_before_name=words("roles_before_name"),
        roles_after_name=words("roles_after_name"),
        roles_leading=words("roles_leading"),
        staff_roles=frozenset(words("staff_roles")),
        speech_verbs=words("speech_verbs"),
        surnames=frozenset(str(data["surnames"])),
        double_surnames=frozenset(words("double_surnames")),
        org_suffixes=words("org_suffixes"),
        place_suffixes=words("place_suffixes"),
        place_suffix_words=words("place_suffix_words"),
        describing_words=words("describing_words"),
        regions=words("regions"),
        org_stop_words=words("org_stop_words"),
        false_name_words=words("false_name_words"),
        rank_scopes=words("rank_scopes"),
        rank_words=words("rank_words"),
        money_verbs=frozenset(words("money_verbs")),
        relative_years={str(k): int(v) for k, v in data["relative_years"].items()},
        relative_days={str(k): int(v) for k, v in data["relative_days"].items()},
        plan_periods={str(k): (int(v[0]), int(v[1])) for k, v in data["plan_periods"].items()},
    )
