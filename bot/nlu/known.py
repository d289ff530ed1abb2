"""Stage 3b's corpus check: whether a name-like span is something the corpus knows.

:mod:`bot.nlu.grounding` finds spans that look like names; this module says whether the
corpus answers to one: a grounded name, a shortened one (华南理工), one that sounds like a name
or a surname-led corpus word (王小曼 ~ 王小蔓), or words the corpus uses (益阳).  Kept apart so
that the span finders can be compared against the same check (tools/compare_grounding.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.content.lexicon import Lexicon
from bot.knowledge.build import Knowledge
from bot.knowledge.fuzzy import MIN_SOUND_CHARS, masks
from bot.nlu import resources
from bot.text import pinyin

CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")  # a run of Chinese characters


@dataclass(frozen=True, slots=True)
class Words:
    """The lexicon's lists this stage reads, gathered once (the lexicon is immutable)."""

    org_suffixes: tuple[str, ...]
    place_suffixes: tuple[str, ...]
    roles: frozenset[str]
    role_endings: frozenset[str]
    surnames: frozenset[str]
    generic: frozenset[str]

    def is_role(self, token: str) -> bool:
        """A title or a job word (镇长, 护林员, 厨师), or a job ending jieba cut off (网格|员)."""
        if token in self.roles:
            return True
        ending = 1 <= len(token) <= 4 and token[-1] in self.role_endings
        return ending and CJK_RUN.fullmatch(token) is not None


def words() -> Words:
    """The bound snapshot's lists, gathered once per lexicon (a reload with another
    ``lexicon.yaml`` gets its own)."""
    lex = resources.lexicon()
    cached = _WORDS.get(id(lex))
    if cached is None or cached[0] is not lex:
        cached = (lex, _words(lex))
        if len(_WORDS) >= _KEPT_LEXICONS:
            del _WORDS[next(iter(_WORDS))]  # the oldest: its snapshot has long been swapped out
        _WORDS[id(lex)] = cached
    return cached[1]


# by the lexicon's identity (hashing a frozen lexicon hashes every list in it)
_WORDS: dict[int, tuple[Lexicon, Words]] = {}
_KEPT_LEXICONS = 4  # the serving snapshot's, a reload's, and a couple of older ones


def _words(lex: Lexicon) -> Words:
    # who a person is where they live (渔民陈水生, 村民某某) stands before a name as a title does
    roles = (
        frozenset(lex.roles_before_name)
        | frozenset(lex.roles_after_name)
        | frozenset(lex.home_roles)
    )
    generic = (
        frozenset(lex.describing_words)
        | frozenset(lex.org_stop_words)
        | frozenset(lex.false_name_words)
        | roles
        | resources.boundary_words()
        | resources.modifier_words()
    )
    return Words(
        tuple(sorted(lex.org_suffixes, key=len, reverse=True)),
        tuple(sorted(lex.place_suffixes, key=len, reverse=True)),
        roles,
        frozenset(lex.role_endings),
        frozenset(lex.surnames),
        generic,
    )


def unknown_in_corpus(
    text: str,
    start: int,
    end: int,
    taken: bytearray,
    stop: frozenset[str],
    knowledge: Knowledge,
    person: bool = False,
) -> bool:
    """The span's own words (not a grounded name, not generic) are never used by the corpus.

    A word the corpus uses (益阳 of 益阳小米…) proves nothing; a word it never uses, or a
    run of characters it never writes, makes the span a name the articles do not hold."""
    if end - start < 2 or all(taken[start:end]):
        return False
    index = knowledge.index
    generic = words().generic
    span = text[start:end]
    prefixes = knowledge.entities.prefixes
    if span in knowledge.lexicons.aliases or span in prefixes or index.df(span):
        return False  # 华南理工 is the start of 华南理工大学
    # a grounded part (四川 of 四川华电新能源) proves nothing about the rest: only the
    # characters no name covers are read
    rest = "".join(" " if taken[start + i] else c for i, c in enumerate(span)).split()
    pieces = [
        t for part in rest for t in resources.cut(part) if t not in stop and t not in generic
    ]
    if not pieces:
        return False
    singles = "".join(t for t in pieces if len(t) == 1)
    if singles and any(c not in index.chars for c in singles):
        return True
    if _near_a_name(span, knowledge, person):
        return False
    unused = any(
        len(t) >= 2 and not index.df(t) and t not in index.postings and t not in prefixes
        for t in pieces
    )
    if not unused:
        # every word is used, but never together: 白云 and 生态 are on the page, 白云生态 is
        # not (the page's institute is 白石生态研究所)
        unused = any(_never_written_together(part, knowledge) for part in rest)
    return unused and not _shortens_a_name(span, knowledge)


def written(part: str, knowledge: Knowledge) -> bool:
    """Some sentence writes ``part`` as it stands: read in the few sentences holding its
    rarest corpus word, never by a scan (False when it holds none)."""
    found = _corpus_words(part, knowledge)
    return bool(found) and _written_with(part, found, knowledge)


def _never_written_together(part: str, knowledge: Knowledge) -> bool:
    """``part`` holds two or more corpus words but no sentence writes them as ``part``."""
    found = _corpus_words(part, knowledge)
    if len(found) < 2 or "".join(found) != part:
        return False
    return not _written_with(part, found, knowledge)


def _corpus_words(part: str, knowledge: Knowledge) -> list[str]:
    """The words of ``part`` (two characters or more) that some sentence uses."""
    return [t for t in resources.cut(part) if len(t) >= 2 and knowledge.index.df(t)]


def _written_with(part: str, words: list[str], knowledge: Knowledge) -> bool:
    """A sentence holding the rarest of ``words`` writes ``part``."""
    index = knowledge.index
    rarest = min(words, key=index.df)
    return any(part in index.texts[key] for key in index.postings.get(rarest, ()))


def _near_a_name(span: str, knowledge: Knowledge, person: bool) -> bool:
    """The span sounds like a corpus name or a surname-led corpus word, or differs from a
    name in one character (王小曼 for 王小蔓, whom the parser did not pick out as a person):
    a typo of a real name, which the name stage may miss when jieba cut it oddly."""
    fuzzy = knowledge.fuzzy
    sound = " ".join(pinyin.syllables(span))
    if fuzzy.by_sound.get(sound) or (person and sound in _corpus_name_sounds(knowledge)):
        return True
    # one other character, but not the first: 罗建华 is not a typo of 王建华, another surname
    # is another person (and another place: 东塘村 is not 西塘村); and one typed for a
    # same-sounding one: 白云生态研究所 is not a slip of 白石生态研究所
    return len(span) >= MIN_SOUND_CHARS and any(
        pinyin.slip_of(span, name) for m in masks(span)[1:] for name in fuzzy.by_mask.get(m, ())
    )


_SOUNDS: dict[int, tuple[object, frozenset[str]]] = {}


def _corpus_name_sounds(knowledge: Knowledge) -> frozenset[str]:
    """The sounds of the corpus's surname-led three-character words, built once
    per snapshot on the first question that needs them (the entity table holds only the
    people the parser recognised)."""
    index = knowledge.index
    cached = _SOUNDS.get(id(index))
    if cached is not None and cached[0] is index:
        return cached[1]
    surnames = words().surnames
    sounds = frozenset(
        " ".join(pinyin.syllables(word))
        for word in index.postings
        if len(word) == 3 and word[0] in surnames and CJK_RUN.fullmatch(word)
    )
    _SOUNDS.clear()  # one snapshot serves at a time: the previous one's entry is dropped
    _SOUNDS[id(index)] = (index, sounds)
    return sounds


def _shortens_a_name(span: str, knowledge: Knowledge) -> bool:
    """Readers shorten names to a dictionary word (华南理工 for 华南理工大学), which the
    snapshot's prefix set leaves out; checked only for a span about to be reported."""
    return knowledge.entities.starts_an_alias(span)
