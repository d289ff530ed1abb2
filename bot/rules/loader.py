"""Load and validate ``intents/*.yaml``; every problem is reported as ``file:line: message``.

Each file is a mapping with ``version: 1`` and any of the sections ``intents``, ``synonyms``,
``topics``, ``responses``, ``thresholds``, ``language``, ``lexicon``, ``scoring`` and ``cues``
(the answerer's weights, :mod:`bot.rules.weights`) and ``spoken`` (spoken forms,
:mod:`bot.rules.spoken`).  All problems in all files are collected before raising, so an
editor fixes them in one round instead of one per reload.  Each section has its parser module
(intents, vocab, texts, lexicon, weights, spoken); this one reads the files, checks their
headers and puts the sections together.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bot.content.lexicon import Lexicon
from bot.errors import Problem, RuleError
from bot.rules.common import Collector, check_unique
from bot.rules.intents import parse_intents
from bot.rules.lexicon import parse_lexicon
from bot.rules.model import (
    AnswerType,
    Intent,
    LanguageRules,
    Responses,
    Rules,
    Thresholds,
    Topic,
)
from bot.rules.spoken import SpokenForms, read_spoken
from bot.rules.texts import parse_responses, parse_thresholds
from bot.rules.vocab import SYNONYM_KINDS, parse_language, parse_synonyms, parse_topics
from bot.rules.weights import OPEN_TYPES, build_scoring, read_cues, read_weights
from bot.yamlsource import YamlFileError, YDict, load_yaml, type_name

__all__ = ["REQUIRED_RESPONSES", "RULES_VERSION", "SECTIONS", "SYNONYM_KINDS", "load_rules"]

RULES_VERSION = 1
SECTIONS = (
    "intents",
    "synonyms",
    "topics",
    "responses",
    "thresholds",
    "language",
    "lexicon",
    "scoring",
    "cues",
    "spoken",
)
# Strings the program itself asks for; a rules directory without them cannot run the bot.
REQUIRED_RESPONSES = (
    "decline",
    "decline_with_suggestions",
    "help",
    "empty",
    "too_long",
    "articles_header",
    "article_line",
    "topics_header",
    "source_line",
    "error",
    "unknown_article",
)


def rule_files(directory: Path) -> list[Path]:
    return sorted(
        p
        for p in directory.iterdir()
        if p.suffix in (".yaml", ".yml") and p.is_file() and not p.name.startswith(".")
    )


def load_rules(directory: Path) -> Rules:
    """Read every YAML file of ``directory``; raise RuleError listing all problems."""
    problems = Collector()
    if not directory.is_dir():
        raise RuleError([Problem(str(directory), 0, "intents directory does not exist")])
    files = rule_files(directory)
    if not files:
        raise RuleError(
            [Problem(str(directory), 0, "no rule files (*.yaml) in intents directory")]
        )
    intents: list[Intent] = []
    synonyms: dict[str, tuple[str, ...]] = {}
    synonym_origin: dict[str, tuple[str, str, int]] = {}
    synonym_kinds: dict[str, str] = {}
    topics: list[Topic] = []
    responses: dict[str, dict[str, str]] = {}
    thresholds: dict[str, float | int] = {}
    language = LanguageRules()
    lexicon: Lexicon | None = None
    lexicon_at: tuple[str, int] | None = None
    weights: dict[str, float | int] = {}
    cues: dict[str, re.Pattern[str]] = {}
    weights_at: tuple[str, int] | None = None
    spoken = SpokenForms()
    digest = hashlib.sha256()
    labels = []
    for path in files:
        label = f"{directory.name}/{path.name}"
        labels.append(label)
        try:
            data = load_yaml(path, name=label)
        except YamlFileError as exc:
            problems.problems.append(exc.problem)
            continue
        digest.update(path.read_bytes())
        if not _check_header(data, label, problems):
            continue
        if "intents" in data:
            intents += parse_intents(data["intents"], data.line_of("intents"), label, problems)
        if "synonyms" in data:
            parse_synonyms(
                data["synonyms"],
                data.line_of("synonyms"),
                label,
                problems,
                synonyms,
                synonym_origin,
                synonym_kinds,
            )
        if "topics" in data:
            topics += parse_topics(data["topics"], data.line_of("topics"), label, problems)
        if "responses" in data:
            parse_responses(
                data["responses"], data.line_of("responses"), label, problems, responses
            )
        if "thresholds" in data:
            parse_thresholds(
                data["thresholds"], data.line_of("thresholds"), label, problems, thresholds
            )
        if "language" in data:
            language = parse_language(data["language"], data.line_of("language"), label, problems)
        if "lexicon" in data:
            line = data.line_of("lexicon")
            if lexicon_at is not None:
                problems.add(
                    label,
                    line,
                    f"lexicon is defined twice (first at {lexicon_at[0]}:{lexicon_at[1]})",
                )
            else:
                lexicon_at = (label, line)
                lexicon = parse_lexicon(data["lexicon"], line, label, problems)
        if "scoring" in data:
            weights_at = (label, data.line_of("scoring"))
            problems.problems += read_weights(data["scoring"], weights_at[1], label, weights)
        if "cues" in data:
            answers = frozenset(a.value for a in AnswerType)
            problems.problems += read_cues(
                data["cues"], data.line_of("cues"), label, answers, cues
            )
        if "spoken" in data:
            spoken, found = read_spoken(data["spoken"], data.line_of("spoken"), label)
            problems.problems += found
    check_unique(intents, "intent", problems)
    check_unique(topics, "topic", problems)
    if not problems.problems:
        for key in REQUIRED_RESPONSES:
            if key not in responses:
                problems.add(
                    labels[0],
                    1,
                    f"missing response {key!r} (every rules directory "
                    "needs it; see intents/responses.yaml)",
                )
    loaded_all = not any(
        p.message.startswith(("YAML", "file ", "cannot read")) for p in problems.problems
    )
    for intent in intents if loaded_all else ():
        if intent.response and intent.response not in responses:
            problems.add(
                intent.file,
                intent.line,
                f"intent {intent.id!r} uses response {intent.response!r}, which no file defines",
            )
    if lexicon_at is None:
        problems.add(
            labels[0],
            1,
            "no file has a 'lexicon' section (every rules directory needs one; "
            "see intents/lexicon.yaml)",
        )
    scoring, missing = build_scoring(weights, cues, weights_at or (labels[0], 1), OPEN_TYPES)
    if loaded_all:
        problems.problems += missing
    if problems.problems or lexicon is None or scoring is None:
        raise RuleError(problems.problems)
    return Rules(
        intents=tuple(sorted(intents, key=lambda i: -i.priority)),
        synonyms=MappingProxyType(synonyms),
        synonym_kinds=MappingProxyType(synonym_kinds),
        topics=tuple(topics),
        responses=Responses(
            MappingProxyType({k: MappingProxyType(v) for k, v in responses.items()})
        ),
        thresholds=Thresholds(**thresholds),  # type: ignore[arg-type]
        language=language,
        lexicon=lexicon,
        scoring=scoring,
        files=tuple(labels),
        fingerprint=digest.hexdigest()[:16],
        spoken=spoken,
    )


def _check_header(data: Any, label: str, problems: Collector) -> bool:
    if not isinstance(data, YDict):
        line = getattr(data, "line", 1)
        problems.add(
            label,
            line,
            f"expected a mapping with 'version: {RULES_VERSION}' and "
            f"sections, got {type_name(data)}",
        )
        return False
    ok = True
    if "version" not in data:
        problems.add(label, data.line, f"missing 'version: {RULES_VERSION}'")
        ok = False
    elif data["version"] != RULES_VERSION:
        problems.add(
            label,
            data.line_of("version"),
            f"unsupported version {data['version']!r} (expected {RULES_VERSION})",
        )
        ok = False
    for key in data:
        if key != "version" and key not in SECTIONS:
            problems.add(
                label,
                data.line_of(key),
                f"unknown section {key!r} (allowed: {', '.join(SECTIONS)})",
            )
    return ok
