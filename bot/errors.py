"""Typed errors shared by every layer.

Library code raises these instead of printing or exiting, so that the CLI, the Telegram
``/reload`` command and the tests can all report the same ``file:line: message`` text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input file, located so an editor can jump to it."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "message": self.message}


class NewsbotError(Exception):
    """Base class for every error newsbot raises on purpose."""


class InputError(NewsbotError):
    """Seeds or rules that cannot be loaded; carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems) or "invalid input")


class ContentError(InputError):
    """A seed page or its sidecar is malformed."""


class RuleError(InputError):
    """An intents/synonyms/topics/responses file is malformed."""
