"""The answerer's weights, named in ``intents/scoring.yaml`` and validated on load.

Every number that decides whether or what the bot answers — classifier scores, the weight
of a word, of a neighbour, of a plan, the cue words of open questions — is read from the
``scoring`` and ``cues`` sections; none has a default in code, so the YAML is the one place
they are written and documented.  A rules directory without a complete ``scoring`` section
does not load: every missing, unknown, mistyped or negative name is reported as
``file:line``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from bot.errors import Problem
from bot.rules.regexsafety import UnsafePattern, check_pattern
from bot.yamlsource import YDict, YList, type_name


@dataclass(frozen=True, slots=True)
class Scoring:
    """One field per weight; see ``intents/scoring.yaml`` for what each one does."""

    # classify
    pattern_score: float
    keyword_score: float
    keyword_step: float
    keyword_max: float
    priority_step: float
    # segment
    split_single_known: float
    split_real_word: float
    split_stray_char: float
    split_window: int
    # slots
    followup_max_chars: int
    # grounding
    max_name_tokens: int
    # pool
    name_weight: float
    neighbours: int
    neighbour_decay: float
    neighbour_slots: int
    common_word_per: int
    # score
    weight_coverage: float
    weight_entity: float
    weight_type: float
    single_char_weight: float
    unknown_word_weight: float
    attribute_weight: float
    change_tail: int
    soft_name_weight: float
    partial_chars: float
    partial_chars_gap: int
    partial_paragraph: float
    scope_previous: float
    scope_semicolon: float
    scope_sentences: int
    definition_coverage: float
    min_proper_noun_chars: int
    max_affiliation_sentences: int
    # calibration: score → share right, and the one confidence the bot declines below
    calibration_centre: float
    calibration_slope: float
    decline_below: float
    # type fit
    plan_fit: float
    paraphrased_count_fit: float
    unanchored_fit: float
    other_time_fit: float
    stated_figure_fit: float
    other_name_fit: float
    anchor_gap: int
    whole_sentence_coverage: float
    cue_hit: float
    cue_miss: float
    agent_fit: float
    max_agent_chars: int
    definition_head_chars: int
    # conversation, suggestions, meta
    context_margin: float
    announcing_max_chars: int
    page_time_window: int
    newest_margin: float
    newest_candidates: int
    suggest_candidates: int
    suggest_per_section: int
    title_word: float
    body_word: float
    body_word_cap: int
    text_candidates: int
    # answer type → the cue words a sentence answering it holds (one regex)
    cues: Mapping[str, re.Pattern[str]]

    def cue(self, answer: str) -> re.Pattern[str]:
        return self.cues[answer]


# Answer types no number or name satisfies: scored on their cue words, so each needs cues.
OPEN_TYPES = frozenset({"reason", "method", "definition"})
_NUMBERS = {f.name: f.type for f in fields(Scoring) if f.name != "cues"}
WEIGHT_NAMES = frozenset(_NUMBERS)


def read_weights(raw: Any, line: int, label: str, out: dict[str, float | int]) -> list[Problem]:
    """The ``scoring`` section: a mapping of weight name → number."""
    if not isinstance(raw, YDict):
        return [Problem(label, line, "scoring must map a weight name to a number")]
    problems = []
    for name, value in raw.items():
        at = raw.line_of(name)
        if name not in _NUMBERS:
            problems.append(Problem(label, at, f"unknown weight {name!r}"))
        elif isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(
                Problem(label, at, f"weight {name!r} must be a number, got {type_name(value)}")
            )
        elif _NUMBERS[name] == "int" and not isinstance(value, int):
            problems.append(Problem(label, at, f"weight {name!r} must be a whole number"))
        elif value < 0:
            problems.append(Problem(label, at, f"weight {name!r} must not be negative"))
        else:
            out[name] = value
    return problems


def read_cues(
    raw: Any, line: int, label: str, answer_types: frozenset[str], out: dict[str, re.Pattern[str]]
) -> list[Problem]:
    """The ``cues`` section: answer type → list of regular expressions (joined with |)."""
    if not isinstance(raw, YDict):
        return [Problem(label, line, "cues must map an answer type to a list of patterns")]
    problems = []
    for answer, words in raw.items():
        at = raw.line_of(answer)
        if answer not in answer_types:
            problems.append(Problem(label, at, f"unknown answer type {answer!r} in cues"))
            continue
        if not isinstance(words, YList) or not words or not all(isinstance(w, str) for w in words):
            problems.append(Problem(label, at, f"cues of {answer!r} must be a list of strings"))
            continue
        try:
            out[answer] = check_pattern("|".join(words))
        except UnsafePattern as exc:
            problems.append(Problem(label, at, f"unsafe cue pattern for {answer!r}: {exc}"))
        except re.error as exc:
            problems.append(Problem(label, at, f"invalid cue pattern for {answer!r}: {exc}"))
    return problems


def build_scoring(
    weights: dict[str, float | int],
    cues: dict[str, re.Pattern[str]],
    where: tuple[str, int],
    cued: frozenset[str] = frozenset(),
) -> tuple[Scoring | None, list[Problem]]:
    """The Scoring, or what is missing from it, reported where the section is (or, without
    one, at the first rules file)."""
    label, line = where
    problems = [
        Problem(label, line, f"missing weight {name!r} (see intents/scoring.yaml)")
        for name in sorted(WEIGHT_NAMES - weights.keys())
    ]
    problems += [
        Problem(label, line, f"missing cues for answer type {answer!r}")
        for answer in sorted(cued - cues.keys())
    ]
    if problems:
        return None, problems
    values: dict[str, Any] = {
        n: float(v) if _NUMBERS[n] == "float" else v for n, v in weights.items()
    }
    return Scoring(**values, cues=cues), []
