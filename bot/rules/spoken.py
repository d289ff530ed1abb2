"""Spoken forms: the colloquial words a reader types, rewritten to the written ones.

Articles say 什么时候, 为什么, 负责人; readers type 啥时候, 为啥, 老大, and end a question with
啊/呀/嘛.  The intent patterns and the index only know the written words, so the question is
rewritten before anything reads it.  The table is data (``spoken:`` in ``intents/*.yaml``):
general Chinese only, never a page's wording.  Validated on load with ``file:line`` errors.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from bot.errors import Problem
from bot.text.normalize import normalize
from bot.yamlsource import YDict, YList, type_name

_KEYS = {"forms", "particles"}
# a particle is dropped only where a clause ends: before punctuation, a space or the end
_WORD_RE = re.compile(r"\w")
_CLAUSE_END = r"(?=[\s,.!?;:，。！？；：、~～…]|$)"


@dataclass(frozen=True, slots=True)
class SpokenForms:
    """``forms``: spoken → written (a form mapped to itself is kept whole: 老大难 is not
    老大 + 难); ``particles``: single characters dropped at a clause's end."""

    forms: tuple[tuple[str, str], ...] = ()
    particles: frozenset[str] = frozenset()
    _table: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({}), compare=False, repr=False
    )
    _forms_re: re.Pattern[str] | None = field(default=None, compare=False, repr=False)
    _particles_re: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, forms: dict[str, str], particles: frozenset[str]) -> SpokenForms:
        # longest first, so 啥时候 wins over 啥 and 老大难 over 老大
        ordered = tuple(sorted(forms.items(), key=lambda kv: (-len(kv[0]), kv[0])))
        forms_re = re.compile("|".join(re.escape(k) for k, _ in ordered)) if ordered else None
        particles_re = (
            re.compile("[" + "".join(re.escape(p) for p in sorted(particles)) + "]+" + _CLAUSE_END)
            if particles
            else None
        )
        return cls(ordered, particles, MappingProxyType(dict(ordered)), forms_re, particles_re)

    def rewrite(self, text: str) -> str:
        """``text`` (already normalised) with spoken forms written out and end particles
        dropped; a message that is nothing but particles (啊？) is kept as it is."""
        if self._forms_re is not None:
            table = self._table
            text = self._forms_re.sub(lambda m: table[m.group(0)], text)
        if self._particles_re is not None:
            stripped = self._particles_re.sub("", text)
            if stripped != text and _WORD_RE.search(stripped):
                text = stripped
        return text


def read_spoken(raw: Any, line: int, label: str) -> tuple[SpokenForms, list[Problem]]:
    """The ``spoken`` section: ``forms`` (a mapping of strings) and ``particles`` (a list
    of single characters); every problem is located."""
    problems: list[Problem] = []
    if not isinstance(raw, YDict):
        return SpokenForms(), [Problem(label, line, "spoken must be a mapping")]
    for key in raw:
        if key not in _KEYS:
            problems.append(Problem(label, raw.line_of(key), f"unknown spoken key {key!r}"))
    forms: dict[str, str] = {}
    raw_forms = raw.get("forms", YDict())
    if not isinstance(raw_forms, YDict):
        problems.append(Problem(label, raw.line_of("forms"), "spoken.forms must be a mapping"))
        raw_forms = YDict()
    for spoken, written in raw_forms.items():
        at = raw_forms.line_of(spoken) if isinstance(raw_forms, YDict) else line
        if not isinstance(spoken, str) or not spoken.strip():
            problems.append(Problem(label, at, "a spoken form must be a non-empty string"))
            continue
        if not isinstance(written, str) or not written.strip():
            problems.append(
                Problem(
                    label,
                    at,
                    f"spoken form {spoken!r} must map to a non-empty string, "
                    f"not {type_name(written)}",
                )
            )
            continue
        forms[normalize(spoken)] = normalize(written)
    particles: set[str] = set()
    raw_particles = raw.get("particles", YList())
    if not isinstance(raw_particles, list):
        problems.append(
            Problem(label, raw.line_of("particles"), "spoken.particles must be a list")
        )
        raw_particles = YList()
    for position, particle in enumerate(raw_particles):
        at = raw_particles.line_of(position) if isinstance(raw_particles, YList) else line
        if not isinstance(particle, str) or len(particle) != 1 or not particle.strip():
            problems.append(
                Problem(label, at, f"a particle must be one character, not {particle!r}")
            )
            continue
        particles.add(normalize(particle))
    return SpokenForms.of(forms, frozenset(particles)), problems
