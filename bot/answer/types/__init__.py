"""The answer-type registry: one module per answer type, each named once in ``MODULES``.

Each module defines ``KIND``, an :class:`~bot.answer.types.base.AnswerKind` declaring its
fact kinds, cue words, fit function, summary and suggestion templates and follow-up
behaviour.  Adding a type is adding a module here and its line in ``MODULES`` (plus its
``AnswerType`` name and its intent and weights in ``intents/``); nothing else dispatches on
answer types.  The modules are imported by name in code, not discovered at run time, so the
import graph shows every dependency; a test checks that no module file is left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType, ModuleType

from bot.answer.types import (
    count,
    date,
    definition,
    duration,
    general,
    method,
    money,
    name,
    org,
    percent,
    person,
    place,
    quantity,
    rank,
    reason,
)
from bot.answer.types.base import AnswerKind
from bot.content.model import FactKind
from bot.rules.model import AnswerType

__all__ = ["MODULES", "AnswerKind", "all_kinds", "kind_of", "owner_of"]

MODULES: tuple[ModuleType, ...] = (
    count,
    date,
    definition,
    duration,
    general,
    method,
    money,
    name,
    org,
    percent,
    person,
    place,
    quantity,
    rank,
    reason,
)


@cache
def _registry() -> Mapping[AnswerType, AnswerKind]:
    found: dict[AnswerType, AnswerKind] = {}
    for module in MODULES:
        kind = getattr(module, "KIND", None)
        if not isinstance(kind, AnswerKind):
            raise TypeError(f"{module.__name__} defines no KIND")
        if kind.answer in found:
            raise TypeError(f"answer type {kind.answer} is declared twice")
        found[kind.answer] = kind
    missing = set(AnswerType) - found.keys()
    if missing:
        raise TypeError(f"answer types without a module: {sorted(missing)}")
    return MappingProxyType(found)


@cache
def _owners() -> Mapping[FactKind, AnswerKind]:
    owners: dict[FactKind, AnswerKind] = {}
    for kind in _registry().values():
        if kind.owns is not None:
            if kind.owns in owners:
                raise TypeError(f"fact kind {kind.owns} is owned twice")
            owners[kind.owns] = kind
    return MappingProxyType(owners)


def all_kinds() -> tuple[AnswerKind, ...]:
    return tuple(_registry().values())


def kind_of(answer: AnswerType) -> AnswerKind:
    return _registry()[answer]


def owner_of(fact_kind: FactKind) -> AnswerKind | None:
    """The type whose summaries and suggestions facts of ``fact_kind`` use."""
    return _owners().get(fact_kind)
