"""Load and validate ``intents/*.yaml``; every problem is reported as ``file:line: message``.

Each file is a mapping with ``version: 1`` and any of the sections ``intents``, ``synonyms``,
``topics``, ``responses``, ``thresholds``, ``language``, ``scoring`` and ``cues`` (the
answerer's weights, :mod:`bot.rules.weights`) and ``spoken`` (:mod:`bot.rules.spoken`).
All problems in all files are collected before raising, so an editor fixes them in one
round instead of one per reload.
"""

from __future__ import annotations

import hashlib
import re
import string
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from bot.errors import Problem, RuleError
from bot.rules.model import (
    THRESHOLD_NAMES,
    AnswerType,
    Intent,
    IntentKind,
    LanguageRules,
    Responses,
    Rules,
    Thresholds,
    Topic,
)
from bot.rules.regexsafety import UnsafePattern, check_pattern
from bot.rules.spoken import SpokenForms, read_spoken
from bot.rules.weights import OPEN_TYPES, build_scoring, read_cues, read_weights
from bot.text.normalize import normalize
from bot.yamlsource import YamlFileError, YDict, YList, load_yaml, type_name

RULES_VERSION = 1
SECTIONS = (
    "intents",
    "synonyms",
    "topics",
    "responses",
    "thresholds",
    "language",
    "scoring",
    "cues",
    "spoken",
)
SYNONYM_KINDS = ("concept", "org", "person", "place")
_INTENT_KEYS = {
    "id",
    "kind",
    "answer",
    "patterns",
    "keywords",
    "examples",
    "response",
    "priority",
    "description",
    "requires",
}
_TOPIC_KEYS = {"id", "zh", "en", "keywords"}
_LANGUAGE_KEYS = {"stopwords", "pronouns", "followup_markers"}
_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_TOPIC_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,23}$")
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


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, file: str, line: int, message: str) -> None:
        self.problems.append(Problem(file, line, message))


def rule_files(directory: Path) -> list[Path]:
    return sorted(
        p
        for p in directory.iterdir()
        if p.suffix in (".yaml", ".yml") and p.is_file() and not p.name.startswith(".")
    )


def load_rules(directory: Path) -> Rules:
    """Read every YAML file of ``directory``; raise RuleError listing all problems."""
    problems = _Collector()
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
            intents += _intents(data["intents"], data.line_of("intents"), label, problems)
        if "synonyms" in data:
            _synonyms(
                data["synonyms"],
                data.line_of("synonyms"),
                label,
                problems,
                synonyms,
                synonym_origin,
                synonym_kinds,
            )
        if "topics" in data:
            topics += _topics(data["topics"], data.line_of("topics"), label, problems)
        if "responses" in data:
            _responses(data["responses"], data.line_of("responses"), label, problems, responses)
        if "thresholds" in data:
            _thresholds(
                data["thresholds"], data.line_of("thresholds"), label, problems, thresholds
            )
        if "language" in data:
            language = _language(data["language"], data.line_of("language"), label, problems)
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
    _check_unique(intents, "intent", problems)
    _check_unique(topics, "topic", problems)
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
    scoring, missing = build_scoring(weights, cues, weights_at or (labels[0], 1), OPEN_TYPES)
    if loaded_all:
        problems.problems += missing
    if problems.problems or scoring is None:
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
        scoring=scoring,
        files=tuple(labels),
        fingerprint=digest.hexdigest()[:16],
        spoken=spoken,
    )


def _check_header(data: Any, label: str, problems: _Collector) -> bool:
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


def _str_list(
    value: Any, label: str, line: int, what: str, problems: _Collector, *, allow_empty: bool = True
) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, YList):
        problems.add(label, line, f"{what} must be a list, got {type_name(value)}")
        return ()
    items = []
    for index, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            problems.add(
                label, value.line_of(index), f"{what} must hold text, got {type_name(item)}"
            )
            continue
        text = str(item).strip()
        if not text:
            problems.add(label, value.line_of(index), f"empty entry in {what}")
            continue
        items.append(text)
    if not items and not allow_empty:
        problems.add(label, line, f"{what} must not be empty")
    return tuple(items)


def _intents(raw: Any, line: int, label: str, problems: _Collector) -> list[Intent]:
    if not isinstance(raw, YList):
        problems.add(label, line, f"intents must be a list, got {type_name(raw)}")
        return []
    result = []
    for index, item in enumerate(raw):
        item_line = raw.line_of(index)
        if not isinstance(item, YDict):
            problems.add(label, item_line, f"each intent must be a mapping, got {type_name(item)}")
            continue
        intent = _intent(item, label, problems)
        if intent is not None:
            result.append(intent)
    return result


def _intent(item: YDict, label: str, problems: _Collector) -> Intent | None:
    before = len(problems.problems)
    for key in item:
        if key not in _INTENT_KEYS:
            problems.add(
                label,
                item.line_of(key),
                f"unknown intent key {key!r} (allowed: {', '.join(sorted(_INTENT_KEYS))})",
            )
    intent_id = item.get("id")
    if not isinstance(intent_id, str) or not _ID_RE.match(intent_id):
        problems.add(
            label,
            item.line_of("id"),
            "intent id must be lower-case ASCII (letters, digits, _), e.g. ask_amount",
        )
        return None
    kind = _enum(item, "kind", IntentKind, label, problems, required=True)
    answer = _enum(item, "answer", AnswerType, label, problems, required=False)
    if kind is IntentKind.QUESTION and answer is None and "answer" not in item:
        problems.add(
            label,
            item.line,
            f"question intent {intent_id!r} needs 'answer' "
            f"(one of {', '.join(a.value for a in AnswerType)})",
        )
    patterns = []
    raw_patterns = item.get("patterns")
    for index, text in enumerate(
        _str_list(raw_patterns, label, item.line_of("patterns"), "patterns", problems)
    ):
        line = raw_patterns.line_of(index) if isinstance(raw_patterns, YList) else item.line
        try:
            patterns.append(check_pattern(normalize(text) if text.isascii() else text))
        except UnsafePattern as exc:
            problems.add(label, line, f"unsafe pattern {text!r}: {exc}")
        except re.error as exc:
            problems.add(label, line, f"invalid regular expression {text!r}: {exc}")
    keywords = tuple(
        normalize(k)
        for k in _str_list(
            item.get("keywords"), label, item.line_of("keywords"), "keywords", problems
        )
    )
    examples = _str_list(
        item.get("examples"),
        label,
        item.line_of("examples"),
        "examples",
        problems,
        allow_empty=False,
    )
    if "examples" not in item:
        problems.add(label, item.line, f"intent {intent_id!r} needs at least one example")
    if not patterns and not keywords and len(problems.problems) == before:
        problems.add(label, item.line, f"intent {intent_id!r} needs patterns or keywords")
    response = item.get("response")
    if response is not None and not isinstance(response, str):
        problems.add(label, item.line_of("response"), "response must be a response key")
        response = None
    priority = item.get("priority", 0)
    if isinstance(priority, bool) or not isinstance(priority, int):
        problems.add(label, item.line_of("priority"), "priority must be a whole number")
        priority = 0
    requires = _str_list(
        item.get("requires"), label, item.line_of("requires"), "requires", problems
    )
    if len(problems.problems) != before or kind is None:
        return None
    return Intent(
        intent_id,
        kind,
        tuple(patterns),
        keywords,
        examples,
        answer,
        response,
        priority,
        label,
        item.line,
        requires,
    )


E = TypeVar("E", IntentKind, AnswerType)


def _enum(
    item: YDict, key: str, enum: type[E], label: str, problems: _Collector, *, required: bool
) -> E | None:
    value = item.get(key)
    if value is None:
        if required:
            problems.add(
                label, item.line, f"missing '{key}' (one of {', '.join(e.value for e in enum)})"
            )
        return None
    try:
        return enum(value)
    except ValueError:
        problems.add(
            label,
            item.line_of(key),
            f"{key} {value!r} is not one of {', '.join(e.value for e in enum)}",
        )
        return None


def _synonyms(
    raw: Any,
    line: int,
    label: str,
    problems: _Collector,
    out: dict[str, tuple[str, ...]],
    origin: dict[str, tuple[str, str, int]],
    kinds: dict[str, str],
) -> None:
    """``canonical: [variant, …]`` or ``canonical: {kind: org, variants: [variant, …]}``."""
    if not isinstance(raw, YDict):
        problems.add(label, line, "synonyms must map a canonical term to a list of variants")
        return
    for canonical, variants in raw.items():
        key_line = raw.line_of(canonical)
        norm = normalize(canonical)
        if isinstance(variants, YDict):
            unknown = set(variants) - {"kind", "variants"}
            if unknown:
                problems.add(
                    label,
                    key_line,
                    f"unknown synonym key(s) {', '.join(sorted(unknown))}"
                    " (allowed: kind, variants)",
                )
            kind = variants.get("kind", "concept")
            if kind not in SYNONYM_KINDS:
                problems.add(
                    label,
                    variants.line_of("kind"),
                    f"kind must be one of {', '.join(SYNONYM_KINDS)}, got {kind!r}",
                )
            else:
                kinds[norm] = kind
            variants = variants.get("variants")
        words = _str_list(
            variants, label, key_line, f"variants of {canonical!r}", problems, allow_empty=False
        )
        for word in (norm, *(normalize(w) for w in words)):
            if word in origin and origin[word][0] != norm:
                other, file, other_line = origin[word]
                problems.add(
                    label,
                    key_line,
                    f"{word!r} is listed under both {other!r} ({file}:{other_line}) and {norm!r}",
                )
            origin.setdefault(word, (norm, label, key_line))
        out[norm] = tuple(dict.fromkeys(normalize(w) for w in words if normalize(w) != norm))


def _topics(raw: Any, line: int, label: str, problems: _Collector) -> list[Topic]:
    if not isinstance(raw, YList):
        problems.add(label, line, f"topics must be a list, got {type_name(raw)}")
        return []
    topics = []
    for index, item in enumerate(raw):
        item_line = raw.line_of(index)
        if not isinstance(item, YDict):
            problems.add(
                label, item_line, "each topic must be a mapping with id, zh, en, keywords"
            )
            continue
        for key in item:
            if key not in _TOPIC_KEYS:
                problems.add(label, item.line_of(key), f"unknown topic key {key!r}")
        topic_id = item.get("id")
        if not isinstance(topic_id, str) or not _TOPIC_ID_RE.match(topic_id):
            problems.add(
                label,
                item.line_of("id"),
                "topic id must be short lower-case ASCII "
                "(it travels in button data), e.g. finance",
            )
            continue
        names = {}
        for key in ("zh", "en"):
            value = item.get(key)
            if not isinstance(value, str) or not value.strip():
                problems.add(label, item.line_of(key), f"topic {topic_id!r} needs a {key} name")
            else:
                names[key] = value.strip()
        keywords = _str_list(
            item.get("keywords"),
            label,
            item.line_of("keywords"),
            f"keywords of topic {topic_id!r}",
            problems,
            allow_empty=False,
        )
        if len(names) == 2 and keywords:
            topics.append(
                Topic(
                    topic_id,
                    names["zh"],
                    names["en"],
                    tuple(normalize(k) for k in keywords),
                    label,
                    item_line,
                )
            )
    return topics


def _responses(
    raw: Any, line: int, label: str, problems: _Collector, out: dict[str, dict[str, str]]
) -> None:
    if not isinstance(raw, YDict):
        problems.add(label, line, "responses must map a key to {zh: …, en: …}")
        return
    for key, value in raw.items():
        key_line = raw.line_of(key)
        if isinstance(value, str):
            value_map = {"zh": value}
        elif isinstance(value, YDict):
            value_map = {}
            for lang, text in value.items():
                if lang not in ("zh", "en"):
                    problems.add(
                        label,
                        value.line_of(lang),
                        f"response language must be zh or en, got {lang!r}",
                    )
                elif not isinstance(text, str) or not text.strip():
                    problems.add(
                        label,
                        value.line_of(lang),
                        f"response {key!r} ({lang}) must be non-empty text",
                    )
                else:
                    value_map[lang] = text.rstrip("\n")
            if "zh" not in value_map and not any(p.line == key_line for p in problems.problems):
                problems.add(label, key_line, f"response {key!r} needs a zh text (Chinese first)")
        else:
            problems.add(label, key_line, f"response {key!r} must be text or {{zh, en}}")
            continue
        if key in out:
            problems.add(label, key_line, f"response {key!r} is defined twice")
        if not _template_ok(value_map, label, key_line, key, problems):
            continue
        out[key] = value_map


def _template_ok(
    texts: dict[str, str], label: str, line: int, key: str, problems: _Collector
) -> bool:
    for text in texts.values():
        try:
            for _, name, _, _ in string.Formatter().parse(text):
                if name is not None and not re.fullmatch(r"[a-z_]*", name):
                    problems.add(
                        label,
                        line,
                        f"response {key!r}: placeholder {{{name}}} must be "
                        "a plain lower-case name",
                    )
                    return False
        except ValueError as exc:
            problems.add(
                label,
                line,
                f"response {key!r}: bad template ({exc}); write {{{{ and }}}} for literal braces",
            )
            return False
    return True


def _thresholds(
    raw: Any, line: int, label: str, problems: _Collector, out: dict[str, float | int]
) -> None:
    if not isinstance(raw, YDict):
        problems.add(label, line, "thresholds must map a name to a number")
        return
    defaults = Thresholds()
    for name, value in raw.items():
        if name not in THRESHOLD_NAMES:
            problems.add(label, raw.line_of(name), f"unknown threshold {name!r}")
            continue
        default = getattr(defaults, name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.add(
                label,
                raw.line_of(name),
                f"threshold {name!r} must be a number, got {type_name(value)}",
            )
            continue
        if isinstance(default, int) and not isinstance(value, int):
            problems.add(label, raw.line_of(name), f"threshold {name!r} must be a whole number")
            continue
        if value < 0:
            problems.add(label, raw.line_of(name), f"threshold {name!r} must not be negative")
            continue
        out[name] = value


def _language(raw: Any, line: int, label: str, problems: _Collector) -> LanguageRules:
    if not isinstance(raw, YDict):
        problems.add(label, line, "language must be a mapping")
        return LanguageRules()
    for key in raw:
        if key not in _LANGUAGE_KEYS:
            problems.add(label, raw.line_of(key), f"unknown language key {key!r}")

    def words(key: str) -> tuple[str, ...]:
        return tuple(
            normalize(w) for w in _str_list(raw.get(key), label, raw.line_of(key), key, problems)
        )

    return LanguageRules(
        frozenset(words("stopwords")), words("pronouns"), words("followup_markers")
    )


def _check_unique(items: list[Intent] | list[Topic], what: str, problems: _Collector) -> None:
    seen: dict[str, tuple[str, int]] = {}
    for item in items:
        if item.id in seen:
            file, line = seen[item.id]
            problems.add(
                item.file,
                item.line,
                f"duplicate {what} id {item.id!r} (first defined at {file}:{line})",
            )
        else:
            seen[item.id] = (item.file, item.line)
