"""``newsbot eval --all``: every question file on its own pages, in one report.

A manifest (``tests/eval_suites.yaml``) says which pages each question file is asked about:

```yaml
version: 1
root: ../..        # the paths below are relative to this, itself relative to the manifest
shipped: seeds     # the shipped page, put beside the pages of suites with beside_shipped
suites:
  - {questions: tests/qa/seed_page.yaml, pages: seeds}
  - {questions: tests/qa/blind/105_zhengwu.yaml, pages: tests/fixtures/blind/105_zhengwu,
     beside_shipped: true, holdout: true}
```

A suite may carry ``floor: {answerable: N, declined: M}``, its recorded final figures as
questions right; ``eval --all`` fails when a run falls below one (``make eval`` gates on it).

A blind page is asked beside the shipped page so an unknown name has other entities to be
confused with (docs/quality.md).  Holdout suites are never tuned on, so the report shows only
their totals and calibration table unless asked (``--show-holdout``): reading their failures
would turn them into development pages.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot import calibration
from bot.errors import InputError, Problem
from bot.evaluate import (
    EvalReport,
    EvalResult,
    evaluate,
    group_table,
    load_questions,
    render_failures,
)
from bot.service import NewsService
from bot.yamlsource import YamlFileError, YDict, YList, load_yaml, type_name

_SUITE_KEYS = {"questions", "pages", "beside_shipped", "holdout", "floor"}
_TOP_KEYS = {"version", "root", "shipped", "suites"}


@dataclass(frozen=True, slots=True)
class Suite:
    """One question file and the directory of pages it is asked about."""

    questions: Path
    pages: Path
    beside_shipped: bool = False
    holdout: bool = False
    # the recorded final figures, as questions right: (answerable, declined); a run below
    # either fails ``eval --all`` (and so ``make test``)
    floor: tuple[int, int] | None = None

    @property
    def name(self) -> str:
        return self.questions.stem


@dataclass(frozen=True, slots=True)
class Manifest:
    shipped: Path
    suites: tuple[Suite, ...]


def load_manifest(path: Path) -> Manifest:
    """The manifest, or InputError naming ``file:line`` of everything wrong in it."""
    label = str(path)
    try:
        data = load_yaml(path, name=label)
    except YamlFileError as exc:
        raise InputError([exc.problem]) from exc
    if not isinstance(data, YDict):
        line = getattr(data, "line", 1)
        raise InputError([Problem(label, line, f"expected a mapping, got {type_name(data)}")])
    unknown = sorted(set(data) - _TOP_KEYS)
    problems = [Problem(label, data.line_of(k), f"unknown key {k!r}") for k in unknown]
    root = (path.parent / str(data.get("root") or ".")).resolve()
    shipped = root / str(data.get("shipped") or "seeds")
    raw_suites = data.get("suites")
    if not isinstance(raw_suites, YList) or not raw_suites:
        problems.append(Problem(label, data.line_of("suites"), "suites must be a list"))
        raise InputError(problems)
    suites = []
    for index, raw in enumerate(raw_suites):
        line = raw_suites.line_of(index)
        if not isinstance(raw, YDict):
            problems.append(Problem(label, line, "each suite must map questions and pages"))
            continue
        problems += [
            Problem(label, raw.line_of(k), f"unknown key {k!r}")
            for k in sorted(set(raw) - _SUITE_KEYS)
        ]
        questions, pages = raw.get("questions"), raw.get("pages")
        if not isinstance(questions, str) or not isinstance(pages, str):
            problems.append(Problem(label, line, "questions and pages must be paths"))
            continue
        flags = {k: raw.get(k, False) for k in ("beside_shipped", "holdout")}
        wrong = [k for k, v in flags.items() if not isinstance(v, bool)]
        if wrong:
            problems.append(Problem(label, line, f"{', '.join(wrong)} must be true or false"))
            continue
        try:
            floor = _floor(raw.get("floor"))
        except ValueError:
            problems.append(Problem(label, raw.line_of("floor"), _FLOOR_FORM))
            continue
        suite = Suite(
            root / questions, root / pages, flags["beside_shipped"], flags["holdout"], floor
        )
        missing = [p for p in (suite.questions, suite.pages) if not p.exists()]
        if missing:
            problems.append(Problem(label, line, f"no such file or directory: {missing[0]}"))
            continue
        suites.append(suite)
    if problems:
        raise InputError(problems)
    return Manifest(shipped, tuple(suites))


_FLOOR_FORM = "floor must be {answerable: N, declined: M}: questions right, whole numbers"


def _floor(raw: object) -> tuple[int, int] | None:
    """The suite's floor, None when it has none; ValueError when it is malformed."""
    if raw is None:
        return None
    if not isinstance(raw, YDict) or set(raw) != {"answerable", "declined"}:
        raise ValueError(_FLOOR_FORM)
    values = (raw["answerable"], raw["declined"])
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values):
        raise ValueError(_FLOOR_FORM)
    return int(values[0]), int(values[1])


@contextmanager
def corpus(suite: Suite, shipped: Path) -> Iterator[Path]:
    """The seeds directory a suite is asked of: its pages, or (beside_shipped) a temporary
    copy of the shipped page's files and its own, as docs/quality.md runs it by hand."""
    if not suite.beside_shipped:
        yield suite.pages
        return
    with tempfile.TemporaryDirectory(prefix="newsbot-eval-") as tmp:
        for directory in (shipped, suite.pages):
            for file in sorted(directory.iterdir()):
                if file.is_file():
                    shutil.copy2(file, Path(tmp) / file.name)
        yield Path(tmp)


@dataclass
class AllReport:
    """Every suite's report, with development and holdout kept apart."""

    reports: list[tuple[Suite, EvalReport]] = field(default_factory=list)

    def results(self, holdout: bool) -> list[EvalResult]:
        return [r for s, rep in self.reports if s.holdout == holdout for r in rep.results]

    def by_group(self, holdout: bool) -> dict[str, list[EvalResult]]:
        groups: dict[str, list[EvalResult]] = defaultdict(list)
        for result in self.results(holdout):
            groups[result.item.group].append(result)
        return dict(sorted(groups.items()))

    def totals(self, holdout: bool) -> dict[str, Any]:
        return _totals(self.results(holdout))

    def below_floor(self) -> list[str]:
        """Each suite that answered fewer questions right than its recorded floor."""
        found = []
        for suite, report in self.reports:
            if suite.floor is None:
                continue
            t = _totals(report.results)
            got = (t["answerable_right"], t["declined_right"])
            if got[0] < suite.floor[0] or got[1] < suite.floor[1]:
                answerable, declined = suite.floor
                found.append(
                    f"{suite.name}: answerable {got[0]}/{t['answerable']} (floor {answerable}),"
                    f" declined {got[1]}/{t['declined']} (floor {declined})"
                )
        return found

    def as_dict(self, show_holdout: bool = False) -> dict[str, Any]:
        suites = []
        for suite, report in self.reports:
            entry: dict[str, Any] = {
                "name": suite.name,
                "questions": str(suite.questions),
                "pages": str(suite.pages),
                "beside_shipped": suite.beside_shipped,
                "holdout": suite.holdout,
                **_totals(report.results),
            }
            if show_holdout or not suite.holdout:
                full = report.as_dict()
                entry["groups"] = full["groups"]
                entry["failures"] = full["failures"]
            suites.append(entry)
        parts = ("dev", "holdout")
        return {
            "suites": suites,
            "groups": {
                part: {
                    name: {"total": len(rs), "right": sum(r.right for r in rs)}
                    for name, rs in self.by_group(part == "holdout").items()
                }
                for part in parts
                if show_holdout or part == "dev"
            },
            "totals": {part: self.totals(part == "holdout") for part in parts},
            "calibration": {
                part: [b.as_dict() for b in calibration.table(self.results(part == "holdout"))]
                for part in parts
            },
        }


def _totals(results: list[EvalResult]) -> dict[str, Any]:
    answerable = [r for r in results if r.item.answerable]
    declined = [r for r in results if not r.item.answerable]
    return {
        "total": len(results),
        "right": sum(r.right for r in results),
        "answerable": len(answerable),
        "answerable_right": sum(r.right for r in answerable),
        "declined": len(declined),
        "declined_right": sum(r.right for r in declined),
        "answerable_accuracy": round(_share(answerable), 4),
        "declined_accuracy": round(_share(declined), 4),
        "confident_wrong": sum(r.answered and not r.right for r in results),
    }


def _share(results: list[EvalResult]) -> float:
    return sum(r.right for r in results) / len(results) if results else 1.0


def evaluate_all(manifest: Manifest, intents: Path, cache_dir: Path) -> AllReport:
    """Each suite asked of a freshly loaded service over its own corpus (suites on the same
    pages share one)."""
    report = AllReport()
    services: dict[tuple[Path, bool], NewsService] = {}
    for suite in manifest.suites:
        key = (suite.pages, suite.beside_shipped)
        if key not in services:
            with corpus(suite, manifest.shipped) as seeds:
                service = NewsService(seeds, intents, cache_dir)
                service.load()  # the snapshot holds the texts: the copy may go afterwards
            services[key] = service
        items = load_questions(suite.questions)
        report.reports.append((suite, evaluate(items, services[key], suite.name)))
    return report


def render_all(report: AllReport, show_holdout: bool = False) -> str:
    header = (
        f"{'suite':<16}{'answerable':>12}{'declined':>12}{'right':>7}{'total':>7}"
        f"{'conf.wrong':>12}"
    )
    lines = ["eval --all: per page", header]
    for suite, rep in report.reports:
        t = _totals(rep.results)
        mark = " (holdout)" if suite.holdout else ""
        lines.append(
            f"{suite.name:<16}{t['answerable_accuracy']:>12.1%}{t['declined_accuracy']:>12.1%}"
            f"{t['right']:>7}{t['total']:>7}{t['confident_wrong']:>12}{mark}"
        )
    for holdout in (False, True):
        t = report.totals(holdout)
        name = "holdout" if holdout else "development"
        lines.append(
            f"{name} total: answerable {t['answerable_accuracy']:.1%} "
            f"({t['answerable_right']}/{t['answerable']}), declined "
            f"{t['declined_accuracy']:.1%} ({t['declined_right']}/{t['declined']}), "
            f"confident wrong {t['confident_wrong']}"
        )
    lines += ["", "development by group:", *group_table(report.by_group(False))]
    if show_holdout:
        lines += ["", "holdout by group:", *group_table(report.by_group(True))]
    lines.append("")
    lines += calibration.render_table(calibration.table(report.results(False)), "development")
    lines += calibration.render_table(calibration.table(report.results(True)), "holdout")
    for suite, rep in report.reports:
        if show_holdout or not suite.holdout:
            lines += render_failures(str(suite.questions.name), rep.failures())
    return "\n".join(lines)
