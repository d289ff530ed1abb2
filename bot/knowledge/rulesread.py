"""Reading the rules directory for a build, parsed again only when a rule file changed.

The files are small: hashing them costs far less than parsing and validating the YAML, and
an unchanged rules object lets the builder reuse everything that depends on it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable
from pathlib import Path

from bot.rules.loader import load_rules, rule_files
from bot.rules.model import Rules


class RulesReader:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._read: tuple[Hashable, Rules] | None = None

    def read(self) -> Rules:
        """The rules (the last ones when no file was added, removed or changed); raises
        RuleError listing every problem."""
        try:
            stamp: Hashable = tuple(
                (p.name, hashlib.sha1(p.read_bytes(), usedforsecurity=False).digest())
                for p in rule_files(self.directory)
            )
        except OSError:
            stamp = None
        if stamp is not None and self._read is not None and self._read[0] == stamp:
            return self._read[1]
        rules = load_rules(self.directory)
        self._read = (stamp, rules) if stamp is not None else None
        return rules
