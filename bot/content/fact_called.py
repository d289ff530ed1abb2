"""Name facts: another name a sentence gives a thing (原名“北岭风景区”, 简称“同心合作社”).

Readers ask what something is or was called (原名叫什么, 以前叫什么名字, 直播号叫啥); pages
answer with a naming word and the name in quotes.  Only a quoted name right after a naming
word (intents/lexicon.yaml: naming_cues) is taken: quotes alone also mark slogans and
speech, which are no names; a name without quotes only after the surest naming words
(``bare_naming_cues``), up to the end of its clause.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.content.fact_patterns import patterns
from bot.content.model import Fact, FactKind


def called(sentence: str) -> Iterator[Fact]:
    """Each naming word with its quoted name (or, after the surest naming words, a name up to
    the clause's end: 原名江南产权交易所，); the naming word is the qualifier."""
    p = patterns()
    quoted = list(p.called.finditer(sentence))
    taken = [(m.start(), m.end()) for m in quoted]
    bare = [
        m
        for m in p.called_bare.finditer(sentence)
        if not any(s < m.end() and m.start() < e for s, e in taken)
    ]
    for m in sorted(quoted + bare, key=lambda m: m.start()):
        yield Fact(
            FactKind.NAME,
            m.group(0),
            m["name"],
            None,
            m.start(),
            m.end(),
            qualifier=m["cue"],
        )
