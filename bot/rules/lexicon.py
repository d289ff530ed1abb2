"""The ``lexicon`` section: general Chinese-language word lists the parser and extractor use,
and (under ``parsing:``) the few thresholds the page parser decides with.

It lives in the rules pack (``intents/lexicon.yaml``) rather than inside the package so that
``/reload`` re-reads it with the other rules and a changed list reaches the next snapshot only.
Every key is required and typed; an error names ``file:line`` like the other sections.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from bot.content.lexicon import Lexicon, ParsingThresholds
from bot.errors import Problem, RuleError
from bot.rules.common import Collector, str_list
from bot.yamlsource import YamlFileError, YDict, YList, load_yaml, type_name

# What each key holds: a word list (kept in order), a word set, a string of characters, a
# word → whole number map, a word → [first, last] year range map, or a word → word map.
_LIST, _SET, _CHARS, _NUMBERS, _RANGES = "list", "set", "chars", "numbers", "ranges"
_WORDS = "words"  # a word → word map
FIELDS: dict[str, str] = {
    "measure_words": _LIST,
    "people_measures": _SET,
    "household_measures": _SET,
    "vessel_measures": _SET,
    "case_measures": _SET,
    "earning_verbs": _LIST,
    "home_roles": _LIST,
    "legal_forms": _LIST,
    "roles_plain": _SET,
    "venue_words": _LIST,
    "relative_words": _SET,
    "scope_levels": _WORDS,
    "scope_compare_chars": _CHARS,
    "scope_word_not_before": _CHARS,
    "kinship_roles": _SET,
    "age_measures": _SET,
    "person_pronouns": _SET,
    "time_now": _LIST,
    "time_past": _LIST,
    "elapsed_days": _LIST,
    "plan_words": _LIST,
    "future_words": _LIST,
    "amount_nouns": _SET,
    "duration_units": _LIST,
    "roles_before_name": _LIST,
    "roles_after_name": _LIST,
    "role_endings": _CHARS,
    "roles_leading": _LIST,
    "staff_roles": _SET,
    "speech_verbs": _LIST,
    "surnames": _CHARS,
    "double_surnames": _SET,
    "org_suffixes": _LIST,
    "place_suffixes": _LIST,
    "place_suffix_words": _LIST,
    "describing_words": _LIST,
    "home_region_words": _LIST,
    "name_words_before_suffix": _LIST,
    "naming_cues": _LIST,
    "bare_naming_cues": _LIST,
    "former_naming_cues": _SET,
    "former_name_asked": _LIST,
    "name_question_words": _SET,
    "regions": _LIST,
    "org_stop_words": _LIST,
    "org_stop_words_not_after": _WORDS,
    "org_stop_words_not_before": _WORDS,
    "org_type_heads": _LIST,
    "false_name_words": _LIST,
    "rank_scopes": _LIST,
    "rank_words": _LIST,
    "money_verbs": _SET,
    "relative_years": _NUMBERS,
    "relative_days": _NUMBERS,
    "relative_weeks": _NUMBERS,
    "relative_months": _NUMBERS,
    "page_nouns": _LIST,
    "newest_words": _LIST,
    "head_asked": _SET,
    "commentary_words": _LIST,
    "dateline_credit_words": _LIST,
    "org_abbreviations": _WORDS,
    "figure_question_words": _LIST,
    "figure_links": _SET,
    "ordinal_heads": _LIST,
    "ordinal_heads_after_di": _LIST,
    "ordinal_determiners": _LIST,
    "change_verbs": _LIST,
    "change_links": _LIST,
    "head_roles": _LIST,
    "plan_periods": _RANGES,
}

# The ``parsing`` thresholds: a positive number, a fraction (more than 0, at most 1) or a
# positive whole number.  None has a default: a missing one is an error.
_NUMBER, _FRACTION, _COUNT = "number", "fraction", "count"
PARSING = "parsing"
PARSING_FIELDS: dict[str, str] = {
    "orphan_ratio": _NUMBER,
    "orphan_margin": _FRACTION,
    "speaker_bonus": _NUMBER,
    "max_kicker_chars": _COUNT,
    "min_han_ratio": _FRACTION,
    "summary_length_power": _NUMBER,
    "summary_position_penalty": _NUMBER,
}


def parse_lexicon(raw: Any, line: int, label: str, problems: Collector) -> Lexicon | None:
    """The section as a Lexicon, or None (with problems added) when anything is wrong."""
    if not isinstance(raw, YDict):
        problems.add(
            label, line, f"lexicon must map a word-list name to words, got {type_name(raw)}"
        )
        return None
    before = len(problems.problems)
    for key in raw:
        if key not in FIELDS and key != PARSING:
            problems.add(label, raw.line_of(key), f"unknown lexicon key {key!r}")
    values: dict[str, Any] = {}
    if PARSING not in raw:
        problems.add(label, line, f"lexicon is missing {PARSING!r}")
    else:
        values[PARSING] = parse_parsing(raw[PARSING], raw.line_of(PARSING), label, problems)
    for key, kind in FIELDS.items():
        if key not in raw:
            problems.add(label, line, f"lexicon is missing {key!r}")
            continue
        key_line = raw.line_of(key)
        value = raw[key]
        if kind in (_LIST, _SET):
            words = str_list(value, label, key_line, f"lexicon {key}", problems, allow_empty=False)
            _no_duplicates(value, words, label, key, problems)
            values[key] = frozenset(words) if kind == _SET else words
        elif kind == _CHARS:
            if not isinstance(value, str) or not value.strip():
                problems.add(label, key_line, f"lexicon {key} must be a non-empty string")
                continue
            values[key] = frozenset(value.strip())
        else:
            values[key] = _mapping(value, kind, label, key, key_line, problems)
    if len(problems.problems) != before:
        return None
    # the thresholds are in the fingerprint too: pages parsed with other values are parsed again
    digest = hashlib.sha256(repr(sorted((k, _stable(v)) for k, v in values.items())).encode())
    return Lexicon(**values, fingerprint=digest.hexdigest()[:16], source=f"{label}:{line}")


def parse_parsing(
    raw: Any, line: int, label: str, problems: Collector
) -> ParsingThresholds | None:
    """The ``parsing`` thresholds, or None (with problems added) when any is wrong."""
    if not isinstance(raw, YDict):
        problems.add(
            label, line, f"lexicon parsing must map a name to a number, got {type_name(raw)}"
        )
        return None
    before = len(problems.problems)
    values: dict[str, Any] = {}
    for name, value in raw.items():
        at = raw.line_of(name)
        kind = PARSING_FIELDS.get(str(name))
        what = f"lexicon parsing {name}"
        if kind is None:
            problems.add(label, at, f"unknown lexicon parsing key {name!r}")
        elif isinstance(value, bool) or not isinstance(value, int | float):
            problems.add(label, at, f"{what} must be a number, got {type_name(value)}")
        elif kind == _COUNT and not isinstance(value, int):
            problems.add(label, at, f"{what} must be a whole number")
        elif value <= 0:
            problems.add(label, at, f"{what} must be positive")
        elif kind == _FRACTION and value > 1:
            problems.add(label, at, f"{what} must be at most 1")
        else:
            values[str(name)] = value if kind == _COUNT else float(value)
    for name in PARSING_FIELDS:
        if name not in raw:
            problems.add(label, line, f"lexicon parsing is missing {name!r}")
    if len(problems.problems) != before:
        return None
    return ParsingThresholds(**values, source=f"{label}:{line}")


def load_lexicon_file(path: Path) -> Lexicon:
    """A lexicon read from one rule file (the bundled default); raises RuleError."""
    problems = Collector()
    label = f"{path.parent.name}/{path.name}"
    try:
        data = load_yaml(path, name=label)
    except YamlFileError as exc:
        raise RuleError([exc.problem]) from None
    if not isinstance(data, YDict) or "lexicon" not in data:
        raise RuleError([Problem(label, 1, "expected a 'lexicon' section")])
    found = parse_lexicon(data["lexicon"], data.line_of("lexicon"), label, problems)
    if found is None:
        raise RuleError(problems.problems)
    return found


def _no_duplicates(
    raw: Any, words: tuple[str, ...], label: str, key: str, problems: Collector
) -> None:
    seen: set[str] = set()
    for index, word in enumerate(words):
        if word in seen:
            line = raw.line_of(index) if isinstance(raw, YList) else 1
            problems.add(label, line, f"lexicon {key}: {word!r} is listed twice")
        seen.add(word)


def _mapping(
    value: Any, kind: str, label: str, key: str, line: int, problems: Collector
) -> dict[str, Any]:
    if not isinstance(value, YDict) or not value:
        problems.add(label, line, f"lexicon {key} must be a non-empty mapping")
        return {}
    out: dict[str, Any] = {}
    for word, number in value.items():
        where = value.line_of(word)
        if kind == _NUMBERS:
            if isinstance(number, bool) or not isinstance(number, int):
                problems.add(label, where, f"lexicon {key}: {word!r} must be a whole number")
                continue
            out[str(word)] = number
            continue
        if kind == _WORDS:
            if not isinstance(number, str) or not number.strip():
                problems.add(label, where, f"lexicon {key}: {word!r} must map to a word")
                continue
            out[str(word)] = number.strip()
            continue
        if (
            not isinstance(number, YList)
            or len(number) != 2
            or not all(isinstance(n, int) and not isinstance(n, bool) for n in number)
            or number[0] > number[1]
        ):
            problems.add(label, where, f"lexicon {key}: {word!r} must be [first year, last year]")
            continue
        out[str(word)] = (int(number[0]), int(number[1]))
    return out


def _stable(value: object) -> object:
    if isinstance(value, ParsingThresholds):
        return [(n, getattr(value, n)) for n in PARSING_FIELDS]  # not where it was read
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, dict):
        return sorted(value.items())
    return value
