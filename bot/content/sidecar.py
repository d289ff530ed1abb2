"""The optional sidecar ``seeds/<stem>.yaml``: page metadata and layout corrections.

Heuristics cannot know a page's date (needed for 今年/去年/今天) or fix every layout quirk,
so an editor may add a small YAML file next to the page.  It is validated strictly: an
unknown key is far more likely a typo than an intention.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from bot.content.model import LayoutFix, PageMeta
from bot.errors import ContentError, Problem
from bot.yamlsource import YamlFileError, YDict, YList, load_yaml, type_name

SIDECAR_VERSION = 1
_KEYS = {"version", "publication", "date", "summaries", "layout", "url", "urls"}
_URL_RE = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
MAX_URL_CHARS = 2048
_LAYOUT_KEYS = {"line", "action", "target"}
_ACTIONS = {"join", "split", "title"}


def sidecar_path(page: Path) -> Path:
    return page.with_suffix(".yaml")


def load_sidecar(page: Path, label: str) -> PageMeta:
    """Read the sidecar of ``page`` if there is one; raise ContentError listing every problem."""
    path = sidecar_path(page)
    page_label = label
    if not path.exists():
        return PageMeta(file=page_label)
    name = str(Path(label).with_suffix(".yaml"))
    try:
        data = load_yaml(path, name=name)
    except YamlFileError as exc:
        raise ContentError([exc.problem]) from exc
    problems: list[Problem] = []
    meta = _parse(data, name, page_label, problems)
    if problems:
        raise ContentError(problems)
    return meta


def _parse(data: Any, name: str, page_label: str, problems: list[Problem]) -> PageMeta:
    if data is None:
        return PageMeta(file=page_label)
    if not isinstance(data, YDict):
        problems.append(
            Problem(
                name,
                getattr(data, "line", 1),
                f"expected a mapping of page settings, got {type_name(data)}",
            )
        )
        return PageMeta(file=page_label)
    for key in data:
        if key not in _KEYS:
            problems.append(
                Problem(
                    name,
                    data.line_of(key),
                    f"unknown key {key!r} (allowed: {', '.join(sorted(_KEYS))})",
                )
            )
    version = data.get("version", SIDECAR_VERSION)
    if version != SIDECAR_VERSION:
        problems.append(
            Problem(
                name,
                data.line_of("version"),
                f"unsupported version {version!r} (expected {SIDECAR_VERSION})",
            )
        )
    publication = data.get("publication")
    if publication is not None and not isinstance(publication, str):
        problems.append(
            Problem(
                name,
                data.line_of("publication"),
                f"publication must be text, got {type_name(publication)}",
            )
        )
        publication = None
    date = _parse_date(data, name, problems)
    summaries = _parse_summaries(data, name, problems)
    layout = _parse_layout(data, name, problems)
    url = _url(data.get("url"), name, data.line_of("url"), "url", problems)
    urls = _parse_urls(data, name, problems)
    return PageMeta(
        file=page_label,
        publication=publication,
        date=date,
        summaries=summaries,
        layout=layout,
        url=url,
        urls=urls,
    )


def _url(raw: Any, name: str, line: int, what: str, problems: list[Problem]) -> str | None:
    """An http(s) link, or None (with a problem) for anything else: it becomes a button."""
    if raw is None:
        return None
    if isinstance(raw, str) and len(raw) <= MAX_URL_CHARS and _URL_RE.fullmatch(raw.strip()):
        return raw.strip()
    problems.append(
        Problem(name, line, f"{what} must be an http:// or https:// link, got {raw!r}")
    )
    return None


def _parse_urls(data: YDict, name: str, problems: list[Problem]) -> dict[str, str]:
    raw = data.get("urls")
    if raw is None:
        return {}
    if not isinstance(raw, YDict):
        problems.append(
            Problem(name, data.line_of("urls"), "urls must map an article title to its link")
        )
        return {}
    result = {}
    for title, value in raw.items():
        url = _url(value, name, raw.line_of(title), f"url of {title!r}", problems)
        if url is not None:
            result[str(title)] = url
    return result


def _parse_date(data: YDict, name: str, problems: list[Problem]) -> dt.date | None:
    raw = data.get("date")
    if raw is None:
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            pass
    problems.append(
        Problem(name, data.line_of("date"), f"date must look like 2026-01-23, got {raw!r}")
    )
    return None


def _parse_summaries(data: YDict, name: str, problems: list[Problem]) -> dict[str, str]:
    raw = data.get("summaries")
    if raw is None:
        return {}
    if not isinstance(raw, YDict):
        problems.append(
            Problem(
                name,
                data.line_of("summaries"),
                "summaries must map an article title to its summary",
            )
        )
        return {}
    result = {}
    for title, summary in raw.items():
        if not isinstance(summary, str) or not summary.strip():
            problems.append(
                Problem(name, raw.line_of(title), f"summary of {title!r} must be non-empty text")
            )
            continue
        result[title] = summary.strip()
    return result


def _parse_layout(data: YDict, name: str, problems: list[Problem]) -> tuple[LayoutFix, ...]:
    raw = data.get("layout")
    if raw is None:
        return ()
    if not isinstance(raw, YList):
        problems.append(Problem(name, data.line_of("layout"), "layout must be a list of fixes"))
        return ()
    fixes = []
    for index, item in enumerate(raw):
        line = raw.line_of(index)
        if not isinstance(item, YDict):
            problems.append(Problem(name, line, "each layout fix must be a mapping"))
            continue
        unknown = set(item) - _LAYOUT_KEYS
        if unknown:
            problems.append(
                Problem(name, line, f"unknown layout key(s): {', '.join(sorted(unknown))}")
            )
        target_line = item.get("line")
        action = item.get("action")
        target = item.get("target")
        if not isinstance(target_line, int) or isinstance(target_line, bool) or target_line < 1:
            problems.append(
                Problem(
                    name,
                    item.line_of("line"),
                    "layout fix needs 'line': the page line it applies to",
                )
            )
            continue
        if action not in _ACTIONS:
            problems.append(
                Problem(
                    name,
                    item.line_of("action"),
                    f"action must be one of {', '.join(sorted(_ACTIONS))}",
                )
            )
            continue
        if target is not None and not isinstance(target, str):
            problems.append(Problem(name, item.line_of("target"), "target must be a title"))
            continue
        fixes.append(
            LayoutFix(action=str(action), line=target_line, target=target, source_line=line)
        )
    return tuple(fixes)
