"""The ``responses`` (user-facing templates) and ``thresholds`` (named numbers) sections."""

from __future__ import annotations

import re
import string
from typing import Any

from bot.rules.common import Collector
from bot.rules.model import THRESHOLD_NAMES, Thresholds
from bot.yamlsource import YDict, type_name


def parse_responses(
    raw: Any, line: int, label: str, problems: Collector, out: dict[str, dict[str, str]]
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
    texts: dict[str, str], label: str, line: int, key: str, problems: Collector
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


def parse_thresholds(
    raw: Any, line: int, label: str, problems: Collector, out: dict[str, float | int]
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
