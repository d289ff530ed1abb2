"""Typed, validated rules; built once per Knowledge snapshot and never mutated."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from bot.content.lexicon import Lexicon
from bot.rules.spoken import SpokenForms
from bot.rules.weights import Scoring


class IntentKind(StrEnum):
    CHITCHAT = "chitchat"
    META = "meta"
    QUESTION = "question"


class AnswerType(StrEnum):
    """What kind of fact answers a question; maps onto content fact kinds where it can."""

    MONEY = "money"
    COUNT = "count"
    PERCENT = "percent"
    DATE = "date"
    DURATION = "duration"
    PERSON = "person"
    ORG = "org"
    PLACE = "place"
    RANK = "rank"
    NAME = "name"  # another name of a thing (原名, 简称, 又称)
    QUANTITY = "quantity"  # any number: money, count, percent or duration
    REASON = "reason"
    METHOD = "method"
    DEFINITION = "definition"
    ANY = "any"


@dataclass(frozen=True, slots=True)
class Intent:
    id: str
    kind: IntentKind
    patterns: tuple[re.Pattern[str], ...]
    keywords: tuple[str, ...]
    examples: tuple[str, ...]
    answer: AnswerType | None = None
    response: str | None = None
    priority: int = 0
    file: str = ""
    line: int = 0
    requires: tuple[str, ...] = ()  # an answer must contain one of these words


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    zh: str
    en: str
    keywords: tuple[str, ...]
    file: str = ""
    line: int = 0

    def name(self, language: str) -> str:
        return self.en if language == "en" else self.zh


@dataclass(frozen=True, slots=True)
class LanguageRules:
    """Words that shape how a question is read rather than what it is about."""

    stopwords: frozenset[str] = frozenset()
    pronouns: tuple[str, ...] = ()
    followup_markers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Every score cut-off of the answerer, named; overridable in ``intents/*.yaml``."""

    min_coverage: float = 0.34  # share of the question's content words the sentence must hold
    min_coverage_open: float = 0.5  # …for questions with no answer type (no 多少/谁/何时 cue)
    entity_sentence: float = 1.0  # where a named entity was found relative to the answer
    entity_paragraph: float = 0.85
    entity_previous_paragraph: float = 0.55
    entity_home_region: float = 0.55  # the paper's 我省/全省 for the region it is named after
    entity_head_noun: float = 0.85  # the sentence says "公司"/"实验室" of an org its article names
    entity_section: float = 0.4
    entity_article: float = 0.2
    min_entity: float = 0.5  # a named entity must be at least this close to the answer
    fuzzy_min_score: float = 80.0  # rapidfuzz score (0..100) for a typo to count as a name
    fuzzy_min_pinyin: float = 90.0  # same-sound names (信为/信维) compared by pinyin
    idf_reference_sentences: int = 150  # about one page: rarer words all weigh the same
    max_candidates: int = 40  # sentences scored per question after index pruning
    max_question_chars: int = 300  # longer input is cut before understanding
    context_turns: int = 3  # how many previous turns a follow-up may refer to
    suggestions: int = 3
    max_listed_articles: int = 20  # "有哪些文章" lists the newest this many


THRESHOLD_NAMES = frozenset(f.name for f in fields(Thresholds))


class _Missing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True, slots=True)
class Responses:
    """All user-facing strings: key → language → template (``{name}`` placeholders)."""

    templates: Mapping[str, Mapping[str, str]] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def text(self, key: str, language: str = "zh", /, **values: object) -> str:
        """``key``'s template in ``language`` filled with ``values``.  When ``count`` is 1 and
        a ``<key>_one`` template exists it is used instead: English needs "1 section" where
        Chinese has one form, so the singular lives in the YAML, not in code."""
        if values.get("count") == 1 and f"{key}_one" in self.templates:
            key = f"{key}_one"
        variants = self.templates.get(key)
        if not variants:
            return key
        template = variants.get(language) or variants.get("zh") or next(iter(variants.values()))
        return string.Formatter().vformat(template, (), _Missing(values))

    def has(self, key: str) -> bool:
        return key in self.templates


@dataclass(frozen=True, slots=True)
class Rules:
    intents: tuple[Intent, ...]
    synonyms: Mapping[str, tuple[str, ...]]
    topics: tuple[Topic, ...]
    responses: Responses
    thresholds: Thresholds
    language: LanguageRules
    scoring: Scoring  # the answerer's weights (intents/scoring.yaml)
    lexicon: Lexicon
    files: tuple[str, ...] = ()
    fingerprint: str = ""
    synonym_kinds: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    spoken: SpokenForms = field(default_factory=SpokenForms)  # intents: spoken (啥 → 什么)

    def intent(self, intent_id: str) -> Intent | None:
        return next((i for i in self.intents if i.id == intent_id), None)

    def topic(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)
