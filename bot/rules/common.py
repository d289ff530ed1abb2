"""What every rule-file section parser shares: the problem collector and list checks.

Each section parser adds ``file:line: message`` problems to one collector instead of raising,
so a load reports every problem of every file at once.
"""

from __future__ import annotations

from typing import Any

from bot.errors import Problem
from bot.rules.model import Intent, Topic
from bot.yamlsource import YList, type_name


class Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, file: str, line: int, message: str) -> None:
        self.problems.append(Problem(file, line, message))


def str_list(
    value: Any, label: str, line: int, what: str, problems: Collector, *, allow_empty: bool = True
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


def check_unique(items: list[Intent] | list[Topic], what: str, problems: Collector) -> None:
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
