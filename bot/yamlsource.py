"""YAML loading that remembers line numbers.

Rules and sidecars are data written by editors; when one is wrong the error must say
``file:line``.  ``yaml.safe_load`` forgets where values came from, so this composes the
node tree with the *safe* loader and converts it into dict/list subclasses that carry the
line of every key and item.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.errors import Problem

MAX_YAML_BYTES = 2 * 1024 * 1024


class YDict(dict[str, Any]):
    """A mapping with the 1-based line of itself and of each key."""

    line: int
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class YList(list[Any]):
    """A sequence with the 1-based line of itself and of each item."""

    line: int
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


class YamlFileError(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


def read_text(path: Path, *, limit: int = MAX_YAML_BYTES, name: str | None = None) -> str:
    """Read a UTF-8 file (BOM and CRLF tolerated) or raise a located error."""
    name = name or str(path)
    try:
        size = path.stat().st_size
        if size > limit:
            raise YamlFileError(
                Problem(name, 1, f"file is too large ({size} bytes, limit {limit})")
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise YamlFileError(Problem(name, 1, f"cannot read file: {exc.strerror}")) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlFileError(Problem(name, line, "file is not valid UTF-8")) from exc
    if "\x00" in text:
        raise YamlFileError(Problem(name, 1, "file contains binary data (NUL bytes)"))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load_yaml(path: Path, *, name: str | None = None) -> Any:
    """Parse one YAML document from ``path`` into YDict/YList/scalars with line numbers."""
    label = name or str(path)
    return parse_yaml(read_text(path, name=label), label)


# libyaml's parser builds the same nodes (with the same line marks) about six times faster; a
# rules pack is parsed on every build, so that is most of a small build.  Its error messages
# are worded differently, so a document it rejects is parsed again by the Python parser,
# whose messages the editor sees.
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", None)


def parse_yaml(text: str, label: str) -> Any:
    if _FAST_LOADER is not None:
        fast = _FAST_LOADER(text)
        try:
            node = fast.get_single_node()
            return None if node is None else _convert(node, fast, label)
        except yaml.YAMLError:
            pass  # reported below, in the pure-Python parser's words
        finally:
            fast.dispose()
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return _convert(node, loader, label)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        message = " ".join(filter(None, [exc.context, exc.problem])) or "invalid YAML"
        raise YamlFileError(Problem(label, line, f"YAML syntax error: {message}")) from exc
    except yaml.YAMLError as exc:
        raise YamlFileError(Problem(label, 1, f"YAML error: {exc}")) from exc
    finally:
        loader.dispose()


_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


def _convert(node: yaml.Node, loader: Any, label: str) -> Any:
    """``loader``: a SafeLoader or CSafeLoader (the same constructor either way)."""
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in _PLAIN_TAGS:
        raise YamlFileError(Problem(label, line, f"unsupported YAML tag {node.tag!r}"))
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result = YDict()
        result.line = line
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, str | int | float | bool) or key is None:
                raise YamlFileError(Problem(label, key_line, "mapping keys must be plain text"))
            key = str(key)
            if key in result:
                raise YamlFileError(Problem(label, key_line, f"duplicate key {key!r}"))
            result[key] = _convert(value_node, loader, label)
            result.key_lines[key] = key_line
        return result
    if isinstance(node, yaml.SequenceNode):
        items = YList()
        items.line = line
        items.item_lines = []
        for item in node.value:
            items.append(_convert(item, loader, label))
            items.item_lines.append(item.start_mark.line + 1)
        return items
    return loader.construct_object(node, deep=True)


def type_name(value: object) -> str:
    """Editor-facing name of a YAML value's type, for 'expected X, got Y' messages."""
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "number"
    if value is None:
        return "nothing"
    return "text"
