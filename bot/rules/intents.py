"""The ``intents`` section: intent rules with patterns, keywords and examples."""

from __future__ import annotations

import re
from typing import Any, TypeVar

from bot.rules.common import Collector, str_list
from bot.rules.model import AnswerType, Intent, IntentKind
from bot.rules.regexsafety import UnsafePattern, check_pattern
from bot.text.normalize import normalize
from bot.yamlsource import YDict, YList, type_name

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
_ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def parse_intents(raw: Any, line: int, label: str, problems: Collector) -> list[Intent]:
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


def _intent(item: YDict, label: str, problems: Collector) -> Intent | None:
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
        str_list(raw_patterns, label, item.line_of("patterns"), "patterns", problems)
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
        for k in str_list(
            item.get("keywords"), label, item.line_of("keywords"), "keywords", problems
        )
    )
    examples = str_list(
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
    requires = str_list(
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
    item: YDict, key: str, enum: type[E], label: str, problems: Collector, *, required: bool
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
