"""``newsbot eval``: accuracy of the answerer on a question file, by group, with failures.

File format (DESIGN "Question files for eval"): a YAML list of
``{q: 问题, expect: [substring, …] | null | any, group: name, dialog: id}``.  An item is right
when the reply's quote contains one of the substrings; for ``null`` when the bot declines;
for ``any`` when it answers at all.  Items sharing a ``dialog`` id are asked in order in one
conversation, so follow-ups are tested as real dialogs.

The questions go through :class:`~bot.service.NewsService` like every other front end's, so the
figures measure what users get, not a private copy of the answerer.
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot import calibration
from bot.answer.model import Answer
from bot.errors import InputError, Problem
from bot.service import NewsService
from bot.yamlsource import YamlFileError, YDict, YList, load_yaml, type_name

ANY = "any"
_KEYS = {"q", "expect", "group", "dialog", "note"}


@dataclass(frozen=True, slots=True)
class EvalItem:
    question: str
    expect: tuple[str, ...] | str | None  # substrings, None (decline) or "any"
    group: str
    dialog: str | None
    line: int

    @property
    def answerable(self) -> bool:
        return self.expect is not None


@dataclass(frozen=True, slots=True)
class EvalResult:
    item: EvalItem
    answer: Answer
    right: bool
    latency_ms: float

    @property
    def answered(self) -> bool:
        return self.answer.answered

    @property
    def confidence(self) -> float:
        return self.answer.confidence


@dataclass
class EvalReport:
    file: str
    results: list[EvalResult] = field(default_factory=list)

    def accuracy(self, results: Sequence[EvalResult]) -> float:
        return sum(r.right for r in results) / len(results) if results else 1.0

    @property
    def answerable(self) -> list[EvalResult]:
        return [r for r in self.results if r.item.answerable]

    @property
    def declined(self) -> list[EvalResult]:
        return [r for r in self.results if not r.item.answerable]

    def by_group(self) -> dict[str, list[EvalResult]]:
        groups: dict[str, list[EvalResult]] = defaultdict(list)
        for result in self.results:
            groups[result.item.group].append(result)
        return dict(sorted(groups.items()))

    def latency(self) -> dict[str, float]:
        values = sorted(r.latency_ms for r in self.results)
        if not values:
            return {"p50_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0}
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
        return {
            "p50_ms": round(statistics.median(values), 3),
            "p99_ms": round(p99, 3),
            "max_ms": round(values[-1], 3),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "total": len(self.results),
            "accuracy": round(self.accuracy(self.results), 4),
            "answerable_accuracy": round(self.accuracy(self.answerable), 4),
            "declined_accuracy": round(self.accuracy(self.declined), 4),
            "groups": {
                name: {
                    "total": len(rs),
                    "right": sum(r.right for r in rs),
                    "accuracy": round(self.accuracy(rs), 4),
                }
                for name, rs in self.by_group().items()
            },
            "latency": self.latency(),
            "calibration": [b.as_dict() for b in calibration.table(self.results)],
            "failures": [_failure(r) for r in self.failures()],
        }

    def failures(self) -> list[EvalResult]:
        """Wrong results, confident wrong answers first (:func:`calibration.worst_first`)."""
        return calibration.worst_first([r for r in self.results if not r.right])


def _failure(result: EvalResult) -> dict[str, Any]:
    item = result.item
    return {
        "line": item.line,
        "q": item.question,
        "group": item.group,
        "dialog": item.dialog,
        "expected": ("decline" if item.expect is None else item.expect),
        "answered": result.answer.answered,
        "confidence": round(result.answer.confidence, 3),
        "quote": result.answer.quote,
        "summary": result.answer.summary,
    }


def load_questions(path: Path) -> list[EvalItem]:
    label = str(path)
    try:
        data = load_yaml(path, name=label)
    except YamlFileError as exc:
        raise InputError([exc.problem]) from exc
    problems: list[Problem] = []
    if not isinstance(data, YList):
        raise InputError(
            [
                Problem(
                    label,
                    getattr(data, "line", 1),
                    f"expected a list of questions, got {type_name(data)}",
                )
            ]
        )
    items = []
    for index, raw in enumerate(data):
        line = data.line_of(index)
        if not isinstance(raw, YDict):
            problems.append(Problem(label, line, "each question must be a mapping with q, expect"))
            continue
        unknown = set(raw) - _KEYS
        if unknown:
            problems.append(Problem(label, line, f"unknown key(s): {', '.join(sorted(unknown))}"))
        question = raw.get("q")
        if not isinstance(question, str) or not question.strip():
            problems.append(Problem(label, raw.line_of("q"), "q must be the question text"))
            continue
        expect = _expect(raw, label, problems)
        group = str(raw.get("group") or "default")
        dialog = raw.get("dialog")
        items.append(EvalItem(question, expect, group, str(dialog) if dialog else None, line))
    if problems:
        raise InputError(problems)
    return items


def _expect(raw: YDict, label: str, problems: list[Problem]) -> tuple[str, ...] | str | None:
    if "expect" not in raw:
        problems.append(
            Problem(label, raw.line, "missing expect (a list of substrings, null or any)")
        )
        return None
    value = raw["expect"]
    if value is None:
        return None
    if value == ANY:
        return ANY
    if isinstance(value, str):
        return (value,)
    if isinstance(value, YList) and value and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    problems.append(
        Problem(label, raw.line_of("expect"), "expect must be a list of substrings, null or any")
    )
    return None


def is_right(item: EvalItem, answer: Answer) -> bool:
    if item.expect is None:
        return not answer.answered
    if item.expect == ANY:
        return answer.answered
    return answer.answered and any(s in (answer.quote or "") for s in item.expect)


def evaluate(items: Sequence[EvalItem], service: NewsService, file: str = "") -> EvalReport:
    """Ask every item through ``service``: items of one ``dialog`` share a conversation, any
    other item has one of its own.  The conversations are dropped afterwards, so an eval run
    leaves the service's conversations as it found them."""
    report = EvalReport(file)
    run = object()  # keys of this run cannot collide with a chat's or another run's
    keys: set[tuple[object, object]] = set()
    for index, item in enumerate(items):
        key: tuple[object, object] = (run, item.dialog if item.dialog else index)
        keys.add(key)
        started = time.perf_counter()
        answer = service.ask(item.question, key)
        elapsed = (time.perf_counter() - started) * 1000
        report.results.append(EvalResult(item, answer, is_right(item, answer), elapsed))
        if not item.dialog:
            service.reset(key)
    for key in keys:
        service.reset(key)
    return report


def render(report: EvalReport) -> str:
    lines = [f"eval {report.file}: {len(report.results)} questions"]
    lines += group_table(report.by_group())
    lines.append(
        f"answerable accuracy: {report.accuracy(report.answerable):.1%} "
        f"({sum(r.right for r in report.answerable)}/{len(report.answerable)})"
    )
    lines.append(
        f"declined accuracy:   {report.accuracy(report.declined):.1%} "
        f"({sum(r.right for r in report.declined)}/{len(report.declined)})"
    )
    latency = report.latency()
    lines.append(
        f"latency: p50 {latency['p50_ms']:.2f} ms, p99 {latency['p99_ms']:.2f} ms, "
        f"max {latency['max_ms']:.2f} ms"
    )
    lines += calibration.render_table(calibration.table(report.results))
    lines += render_failures(report.file, report.failures())
    return "\n".join(lines)


def group_table(groups: dict[str, list[EvalResult]]) -> list[str]:
    lines = [f"{'group':<14}{'right':>7}{'total':>7}{'accuracy':>10}"]
    for name, results in groups.items():
        right = sum(r.right for r in results)
        share = right / len(results) if results else 1.0
        lines.append(f"{name:<14}{right:>7}{len(results):>7}{share:>10.1%}")
    return lines


def render_failures(file: str, failures: Sequence[EvalResult]) -> list[str]:
    """Failures as ``file:line`` entries, in the order given (confident wrong first)."""
    if not failures:
        return []
    lines = ["", f"failures ({len(failures)}):"]
    for result in failures:
        item = result.item
        expected = (
            "decline"
            if item.expect is None
            else ("any answer" if item.expect == ANY else " | ".join(item.expect))
        )
        got = (
            f"quote: {result.answer.quote} (confidence {result.answer.confidence:.2f})"
            if result.answer.answered
            else "declined"
        )
        lines.append(f"  {file}:{item.line} [{item.group}] {item.question}")
        lines.append(f"      expected: {expected}")
        lines.append(f"      got:      {got}")
    return lines
