"""The vocabulary sections: ``synonyms``, ``topics`` and ``language`` (stopwords, pronouns)."""

from __future__ import annotations

import re
from typing import Any

from bot.rules.common import Collector, str_list
from bot.rules.model import LanguageRules, Topic
from bot.text.normalize import normalize
from bot.yamlsource import YDict, YList, type_name

SYNONYM_KINDS = ("concept", "org", "person", "place")
_TOPIC_KEYS = {"id", "zh", "en", "keywords"}
_LANGUAGE_KEYS = {"stopwords", "pronouns", "followup_markers"}
_TOPIC_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,23}$")


def parse_synonyms(
    raw: Any,
    line: int,
    label: str,
    problems: Collector,
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
        words = str_list(
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


def parse_topics(raw: Any, line: int, label: str, problems: Collector) -> list[Topic]:
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
        keywords = str_list(
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


def parse_language(raw: Any, line: int, label: str, problems: Collector) -> LanguageRules:
    if not isinstance(raw, YDict):
        problems.add(label, line, "language must be a mapping")
        return LanguageRules()
    for key in raw:
        if key not in _LANGUAGE_KEYS:
            problems.add(label, raw.line_of(key), f"unknown language key {key!r}")

    def words(key: str) -> tuple[str, ...]:
        return tuple(
            normalize(w) for w in str_list(raw.get(key), label, raw.line_of(key), key, problems)
        )

    return LanguageRules(
        frozenset(words("stopwords")), words("pronouns"), words("followup_markers")
    )
