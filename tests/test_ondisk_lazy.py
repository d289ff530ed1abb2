"""The stored snapshot's meta values decoded when read (bot/knowledge/ondisk/lazy.py)."""

from __future__ import annotations

import pytest

from bot.knowledge.ondisk.codec import CodecError, decoder
from bot.knowledge.ondisk.lazy import DecodedOnUse, ValuesOnRead


def test_values_are_converted_once_when_read() -> None:
    calls: list[object] = []

    def convert(raw: object) -> frozenset[str]:
        calls.append(raw)
        return decoder(frozenset[str])(raw)

    table = ValuesOnRead({"a": ["x", "y"], "b": []}, convert)
    assert len(table) == 2 and "a" in table and "c" not in table and list(table) == ["a", "b"]
    assert calls == []  # nothing decoded until a value is read
    assert table["a"] == frozenset({"x", "y"}) and table["a"] is table["a"]
    assert table["b"] == frozenset() and table.get("b") == frozenset()
    assert calls == [["x", "y"], []]  # each once, an empty value too
    assert table.get("c") is None


def test_a_value_of_the_wrong_shape_fails_when_read() -> None:
    table = ValuesOnRead({"a": "not a list"}, decoder(frozenset[str]))
    with pytest.raises(CodecError):
        table["a"]


def test_a_table_decoded_on_use_is_made_once() -> None:
    made: list[int] = []

    def make() -> dict[str, int]:
        made.append(1)
        return {"x": 1}

    table = DecodedOnUse(make)
    assert made == []
    assert table["x"] == 1 and "x" in table and len(table) == 1 and list(table) == ["x"]
    assert made == [1]
