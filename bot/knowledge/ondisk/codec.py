"""Typed dataclasses to JSON values and back, driven by their type hints.

The stored snapshot keeps articles, entities and topic tags as JSON text: data only, so a
tampered file can make the bot read wrong words but never run code (pickle could).  A
dataclass is written as the list of its fields in order (half the size of an object with
names, and a list is faster to decode), tuples and frozensets as lists, mappings as lists
of ``[key, value]`` pairs (keys may be tuples), enums by value and dates in ISO form.

Decoders are compiled once per type, so decoding an article costs a few calls per field
rather than a walk over its type hints; a value of the wrong shape raises
:class:`CodecError`, which the store reports as an unreadable snapshot.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

Decoder = Callable[[Any], Any]
Encoder = Callable[[Any], Any]

_PRIMITIVES = (str, int, float, bool)


class CodecError(ValueError):
    """A stored value that does not have the shape its type says."""


def encode(value: Any) -> Any:
    """``value`` as JSON-able lists, strings and numbers (a dataclass: its fields in order)."""
    if value is None or (isinstance(value, _PRIMITIVES) and not isinstance(value, enum.Enum)):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [encode(getattr(value, f.name)) for f in _init_fields(type(value))]
    if isinstance(value, Mapping):
        return [[encode(k), encode(v)] for k, v in value.items()]
    if isinstance(value, tuple | list | frozenset | set):
        items = sorted(value) if isinstance(value, frozenset | set) else value
        return [encode(v) for v in items]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"cannot store a {type(value).__name__}")


@functools.cache
def decoder(tp: Any) -> Decoder:
    """The decoder of values of type ``tp`` (compiled once per type)."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any:
        return lambda raw: raw
    if tp in _PRIMITIVES:
        return _primitive(tp)
    if tp is type(None):
        return _none
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _enum(tp)
    if tp is dt.date:
        return _date
    if tp is dt.datetime:
        return _datetime
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _dataclass(tp)
    if origin in (types.UnionType, typing.Union):
        return _union(args)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _sequence(decoder(args[0]), tuple)
        return _fixed_tuple(tuple(decoder(a) for a in args))
    if origin in (frozenset, set):
        return _sequence(decoder(args[0]), frozenset if origin is frozenset else set)
    if origin is list:
        return _sequence(decoder(args[0]), list)
    if origin in (dict, Mapping):
        return _mapping(decoder(args[0]), decoder(args[1]))
    raise TypeError(f"no decoder for {tp!r}")


def decode(tp: Any, raw: Any) -> Any:
    """``raw`` (as :func:`encode` wrote it) as a value of type ``tp``."""
    try:
        return decoder(tp)(raw)
    except CodecError:
        raise
    except (TypeError, ValueError, KeyError, IndexError) as exc:
        raise CodecError(f"not a {getattr(tp, '__name__', tp)}: {exc}") from exc


def _init_fields(cls: type) -> tuple[dataclasses.Field[Any], ...]:
    return tuple(f for f in dataclasses.fields(cls) if f.init)


def _primitive(tp: type) -> Decoder:
    if tp is float:

        def number(raw: Any) -> float:
            # an int stays an int: a count held in a float field is written back as it was
            if type(raw) not in (int, float):
                raise CodecError(f"not a number: {raw!r}")
            return typing.cast(float, raw)

        return number

    def check(raw: Any) -> Any:
        if type(raw) is not tp:
            raise CodecError(f"not a {tp.__name__}: {raw!r}")
        return raw

    return check


def _none(raw: Any) -> None:
    if raw is not None:
        raise CodecError(f"not null: {raw!r}")


def _enum(tp: type[enum.Enum]) -> Decoder:
    return lambda raw: tp(raw)


def _date(raw: Any) -> dt.date:
    return dt.date.fromisoformat(raw)


def _datetime(raw: Any) -> dt.datetime:
    return dt.datetime.fromisoformat(raw)


def _dataclass(cls: type) -> Decoder:
    hints = typing.get_type_hints(cls)
    fields = _init_fields(cls)
    # resolved when first used: a field may name a dataclass defined further down
    decoders: list[Decoder] = []

    def decode_fields(raw: Any) -> Any:
        if not decoders:
            decoders.extend(decoder(hints[f.name]) for f in fields)
        if type(raw) is not list or len(raw) != len(decoders):
            raise CodecError(f"{cls.__name__}: expected {len(decoders)} fields")
        return cls(*[d(v) for d, v in zip(decoders, raw, strict=True)])

    return decode_fields


def _union(args: tuple[Any, ...]) -> Decoder:
    """Unions of primitives and None are told apart by the JSON value's own type; one other
    type beside None (``Fact | None``) by whether the value is null."""
    primitive = [a for a in args if a in _PRIMITIVES]
    others = [a for a in args if a not in _PRIMITIVES and a is not type(None)]
    nullable = type(None) in args
    if others and (len(others) > 1 or primitive):
        raise TypeError(f"cannot decode the union {args!r}")
    if others:
        inner = decoder(others[0])
        return lambda raw: None if raw is None and nullable else inner(raw)
    kinds = {float: (int, float), int: (int,), str: (str,), bool: (bool,)}
    accepted = frozenset(t for a in primitive for t in kinds[a])

    def pick(raw: Any) -> Any:
        if raw is None and nullable:
            return None
        if type(raw) not in accepted:
            raise CodecError(f"not one of {args!r}: {raw!r}")
        return raw

    return pick


def _sequence(item: Decoder, make: Callable[[Any], Any]) -> Decoder:
    def decode_items(raw: Any) -> Any:
        if type(raw) is not list:
            raise CodecError("not a list")
        return make(map(item, raw))

    return decode_items


def _fixed_tuple(items: tuple[Decoder, ...]) -> Decoder:
    def decode_items(raw: Any) -> tuple[Any, ...]:
        if type(raw) is not list or len(raw) != len(items):
            raise CodecError(f"expected {len(items)} items")
        return tuple(d(v) for d, v in zip(items, raw, strict=True))

    return decode_items


def _mapping(key: Decoder, value: Decoder) -> Decoder:
    def decode_pairs(raw: Any) -> dict[Any, Any]:
        if type(raw) is not list:
            raise CodecError("not a list of pairs")
        return {key(k): value(v) for k, v in raw}

    return decode_pairs
