"""YAML with line numbers: every value knows where it came from."""

from __future__ import annotations

import pytest

from bot.yamlsource import YamlFileError, parse_yaml


def test_lines_of_keys_and_items() -> None:
    data = parse_yaml("version: 1\nitems:\n  - a\n  - {b: 2}\n", "f.yaml")
    assert data.line_of("items") == 2
    assert data["items"].line_of(1) == 4
    assert data["items"][1].line_of("b") == 4


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("a: 1\na: 2\n", 2, "duplicate key"),
        ("a: [1, 2\n", 2, "YAML syntax error"),
        ("a: *missing\n", 1, "undefined alias"),
        ("? [1, 2]\n: x\n", 1, "plain text"),
    ],
)
def test_errors_are_located(text: str, line: int, fragment: str) -> None:
    with pytest.raises(YamlFileError) as caught:
        parse_yaml(text, "f.yaml")
    assert caught.value.problem.line == line
    assert fragment in caught.value.problem.message
    assert str(caught.value).startswith(f"f.yaml:{line}: ")


def test_safe_loader_refuses_python_objects() -> None:
    with pytest.raises(YamlFileError):
        parse_yaml("x: !!python/object/apply:os.system ['true']\n", "f.yaml")
