"""The answer-type registry: one module per answer type, found by listing this package.

Each module defines ``KIND``, an :class:`~bot.answer.types.base.AnswerKind` declaring its
fact kinds, cue words, fit function, summary and suggestion templates and follow-up
behaviour.  Adding a type is adding a module here (plus its ``AnswerType`` name and its
intent and weights in ``intents/``); nothing else dispatches on answer types.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from bot.answer.types.base import AnswerKind
from bot.content.model import FactKind
from bot.rules.model import AnswerType

__all__ = ["AnswerKind", "all_kinds", "kind_of", "owner_of"]


@cache
def _registry() -> Mapping[AnswerType, AnswerKind]:
    found: dict[AnswerType, AnswerKind] = {}
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name == "base":
            continue
        kind = getattr(importlib.import_module(f"{__name__}.{module.name}"), "KIND", None)
        if not isinstance(kind, AnswerKind):
            raise TypeError(f"{__name__}.{module.name} defines no KIND")
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
