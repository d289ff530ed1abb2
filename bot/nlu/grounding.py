"""Stage 3b — grounding: the name-like spans of a message that no corpus entity answers to.

Stage 3 (:mod:`bot.nlu.names`) grounds what it can: exact names, aliases, sound-alikes and
one-character typos.  A question about 小米公司 on a page that never mentions it must not be
answered with another company's chairman, so this stage looks for spans that *look like* a
name — an organisation (a word before an org suffix: 小米公司, 仁和医院), a place (a word
before a place suffix: 泉州市), a person (a surname-led word next to a role: 镇长李国栋, or
one jieba's dictionary tags as a person's name) — and reports those whose own words the
corpus never uses.  Generic words (这家公司, 哪个医院, 省级医院) are not names: their words
are stopwords, describing words or dictionary modifiers.

Only a cheap check (does the message hold a suffix, a role or a surname-led word at all)
gates the work, and the dictionary's tags are read from jieba's word file, never through
``jieba.posseg`` (slow to load: see docs/quality.md, "Name grounding").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from bot.knowledge.build import Knowledge
from bot.knowledge.entity_model import EntityKind
from bot.nlu import resources
from bot.nlu.known import CJK_RUN, Words, unknown_in_corpus
from bot.nlu.known import words as lexicon_words
from bot.nlu.names import NameMatch
from bot.nlu.persons import person_like, split_person
from bot.nlu.slips import holds, look_alikes, namesakes

_ASPECT = frozenset("了过着")  # aspect markers: a word before them is a verb (省了, 省过)
_NOUN = -1  # a whole token that is an ordinary noun ending like a name (景区, 党支部)


class NameKind(Enum):
    ORG = "org"
    PLACE = "place"
    PERSON = "person"


@dataclass(frozen=True, slots=True)
class UnknownName:
    """A name-like span of the message that no corpus entity answers to."""

    text: str  # as written in the message: 小米公司
    kind: NameKind
    start: int
    end: int


def unknown_names(
    text: str, names: Sequence[NameMatch], knowledge: Knowledge, max_name_tokens: int
) -> tuple[UnknownName, ...]:
    """Name-like spans of ``text`` (normalised) that no corpus entity or word answers to."""
    words = lexicon_words()
    taken = bytearray(len(text))
    for name in names:
        if holds(name):
            taken[name.start : name.end] = b"\x01" * (name.end - name.start)
    found = [
        UnknownName(text[start:end], _KIND_OF[entity.kind], start, end)
        for start, end, entity in look_alikes(text, taken, knowledge)
    ]
    found += [
        UnknownName(text[start:end], _KIND_OF[kind], start, end)
        for start, end, kind in namesakes(text, taken, knowledge)
    ]
    if not _may_hold_a_name(text, words):
        return _outermost(found)
    tokens = list(resources.cut_with_offsets(text))
    stop = knowledge.rules.language.stopwords | frozenset(knowledge.rules.language.pronouns)
    places = {(n.start, n.end) for n in names if n.entity.kind is EntityKind.PLACE and holds(n)}
    for k, (token, at) in enumerate(tokens):
        coined = _coined_before(tokens, k, stop, words)
        if coined is not None:
            begin, stem_end, coined_kind = coined
            if unknown_in_corpus(text, begin, stem_end, taken, stop, knowledge):
                tail = at + len(token)
                found.append(UnknownName(text[begin:tail], coined_kind, begin, tail))
            continue
        if len(token) == 2 and tokens[k + 1 : k + 2] and tokens[k + 1][0] in _ASPECT:
            continue  # 上门了几回: a verb before an aspect marker (jieba tags some as places)
        suffix, kind = _suffix_of(token, words)
        if (at, at + len(token)) in places:
            continue  # 老院区 is a place the page holds: no name to look for before it
        if suffix is not None and kind is not None:
            end = at + len(token)
            own = _own_name(token, suffix, words)
            if own in (None, _NOUN) and _cut_off_first(tokens, k, suffix, stop, words):
                own = 1  # 桂|州市: jieba cut a place name's first character off
            if own is None:
                continue  # 党支部, 能省: a word that merely ends like a name
            if not own and len(suffix) == 1 and _verb_reading(tokens, k, stop):
                continue  # 每吨能省多少钱: 省 "saves", not a province
            start = _name_start(tokens, k, own, stop, words, max_name_tokens)
            if start is not None and knowledge.index.df(text[start:end]):
                continue  # “澜湾青年社区”: a name the corpus uses as one word is on the page
            if start is not None and unknown_in_corpus(
                text, start, end - len(suffix), taken, stop, knowledge
            ):
                found.append(UnknownName(text[start:end], kind, start, end))
            continue
        split = split_person(tokens, k, words)
        if split is not None and unknown_in_corpus(
            text, at, split, taken, stop, knowledge, person=True
        ):
            found.append(UnknownName(text[at:split], NameKind.PERSON, at, split))
            continue
        if person_like(tokens, k, words) and unknown_in_corpus(
            text, at, at + len(token), taken, stop, knowledge, person=True
        ):
            found.append(UnknownName(token, NameKind.PERSON, at, at + len(token)))
        elif token in resources.proper_nouns() and unknown_in_corpus(
            text, at, at + len(token), taken, stop, knowledge
        ):
            found.append(UnknownName(token, NameKind.PLACE, at, at + len(token)))
        elif _a_brand(token) and unknown_in_corpus(
            text, at, at + len(token), taken, stop, knowledge
        ):
            found.append(UnknownName(token, NameKind.ORG, at, at + len(token)))
    return _outermost(found)


_KIND_OF = {
    EntityKind.ORG: NameKind.ORG,
    EntityKind.PLACE: NameKind.PLACE,
    EntityKind.PERSON: NameKind.PERSON,
}


def _may_hold_a_name(text: str, words: Words) -> bool:
    """The cheap gate: a suffix, a role word or a surname character somewhere."""
    return (
        any(s in text for s in words.org_suffixes)
        or any(s in text for s in words.place_suffixes)
        or any(c in words.surnames for c in text)
        or any(w in resources.proper_nouns() or w in resources.brand_names() for w in _grams(text))
    )


def _a_brand(token: str) -> bool:
    """A word jieba's dictionary tags as another proper name (格力电器), unless it is made of
    words that name no thing: 登记注册 (tagged so) is two verbs, 登记 and 注册."""
    if token not in resources.brand_names():
        return False
    parts = resources.sub_words(token)
    return len(parts) < 2 or not all(p in resources.boundary_words() for p in parts)


def _grams(text: str) -> list[str]:
    """Every window of two to four characters: the lengths most dictionary names have."""
    return [text[i : i + n] for n in (2, 3, 4) for i in range(len(text) - n + 1)]


def _suffix_of(token: str, words: Words) -> tuple[str | None, NameKind | None]:
    if token in words.generic:
        return None, None
    for suffix in words.org_suffixes:
        if token.endswith(suffix):
            return suffix, NameKind.ORG
    for suffix in words.place_suffixes:
        if token.endswith(suffix):
            return suffix, NameKind.PLACE
    return None, None


def _coined_before(
    tokens: list[tuple[str, int]], k: int, stop: frozenset[str], words: Words
) -> tuple[int, int, NameKind] | None:
    """A suffix that is also a plain word (高速, 机场, 铁路: "高速发展") ends a name when what
    stands before it is a word no dictionary knows (云乐|高速), or two lone characters (湘|黔|
    高速): readers shorten a road's or a line's name to a coined word.  A one-character
    suffix jieba left on its own (青螺|县, 石门|村) ends the word before it, known or not.
    Returns that word's span and the name's kind."""
    token = tokens[k][0]
    if token not in words.generic or k == 0:
        return None
    kind = (
        NameKind.PLACE
        if token in words.place_suffixes
        else NameKind.ORG
        if token in words.org_suffixes
        else None
    )
    if kind is None:
        return None

    def plain(word: str) -> bool:
        return (
            CJK_RUN.fullmatch(word) is not None and word not in stop and word not in words.generic
        )

    before, at = tokens[k - 1]
    end = at + len(before)
    # a lone one-character suffix (青螺|县, 石门|村) ends the word before it, whatever it is
    after = tokens[k + 1][0] if k + 1 < len(tokens) else ""
    asks = after in _ASPECT or after in resources.lexicon().figure_question_words
    lone = len(token) == 1 and not asks  # 每吨能省|多少: 省 "saves"
    if len(before) >= 2 and plain(before) and (lone or not resources.is_word(before)):
        return at, end, kind
    if len(before) == 1 and k >= 2 and plain(before):
        first, start = tokens[k - 2]
        if len(first) == 1 and plain(first) and not resources.is_word(first + before):
            return start, end, kind
    return None


def _verb_reading(tokens: list[tuple[str, int]], k: int, stop: frozenset[str]) -> bool:
    """A lone one-character suffix followed by a question word or an aspect marker (省多少钱,
    运费省了多少) is a verb there, not the end of a place name (青山镇镇长, 某县投资)."""
    after = tokens[k + 1][0] if k + 1 < len(tokens) else ""
    return after in _ASPECT or (len(after) >= 2 and after in stop)


def _own_name(token: str, suffix: str, words: Words) -> int | None:
    """How many of the token's own characters before the suffix belong to the name (泉州 of
    泉州市), or None when the token is an ordinary word that ends like a name: a dictionary
    noun that jieba does not tag as a place or organisation (党支部), or a suffix character
    glued to a word that cannot name anything (能省: "can save")."""
    own = len(token) - len(suffix)
    if not own:
        return 0
    head = token[:own]
    named = token in resources.proper_nouns() or token in resources.brand_names()
    if named:
        return own  # 泉州市, and 塘村 of 东|塘村 (jieba cut the name's first character off)
    if head in words.generic or (not resources.is_word(token) and own < 2):
        return None
    if resources.is_word(token) and len(suffix) == 1:
        return _NOUN  # 景区, 党支部: a noun ending like a name; the name is before it, if any
    return own


def _cut_off_first(
    tokens: list[tuple[str, int]], k: int, suffix: str, stop: frozenset[str], words: Words
) -> bool:
    """``州市`` after a lone character (湘|州市): one name character glued to the suffix and
    the name's first character cut off before it — a two-character place name jieba does
    not know.  Not 能省 (a word of its own), nor after a stop word (的|州市) or punctuation."""
    token = tokens[k][0]
    if len(token) - len(suffix) != 1 or k == 0:
        return False
    before = tokens[k - 1][0]
    return (
        len(before) == 1
        and CJK_RUN.fullmatch(before) is not None
        and before not in stop
        # a generic character (望 "look") still begins a name it makes a word with (望|X区)
        and (before not in words.generic or resources.is_word(before + token[0]))
        and token[0] not in words.generic
    )


def _name_start(
    tokens: list[tuple[str, int]],
    k: int,
    own: int,
    stop: frozenset[str],
    words: Words,
    max_name_tokens: int,
) -> int | None:
    """Where the name before the suffix of token ``k`` starts: the token's own characters
    before the suffix and up to ``max_name_tokens`` content words before it."""
    at = tokens[k][1]
    start = at if own > 0 else None
    j = k - 1
    count = 0
    if own == _NOUN:
        # before a noun that only ends like a name, one dictionary word (鼓浪屿|景区), never
        # a fragment jieba glued (做个|腹部) or a word of the question's own
        word = tokens[j][0] if j >= 0 else ""
        ok = len(word) >= 2 and CJK_RUN.fullmatch(word) and resources.is_word(word)
        if ok and word not in stop and word not in words.generic:
            return tokens[j][1]
        return None
    if own == 1 and j >= 0 and len(tokens[j][0]) == 1 and CJK_RUN.fullmatch(tokens[j][0]):
        start = tokens[j][1]  # 东|塘村: the character jieba cut off the name
        j -= 1
        count += 1
    while j >= 0 and count < max_name_tokens:
        word, where = tokens[j]
        if not CJK_RUN.fullmatch(word) or word in stop or word in words.generic:
            break
        if _suffix_of(word, words)[0] is not None:
            break  # 江西省 | 农业农村厅: the place is a name of its own
        start = where
        count += 1
        j -= 1
    return start


def _outermost(found: list[UnknownName]) -> tuple[UnknownName, ...]:
    """One span per name: a span inside another (小米 in 小米公司) is dropped."""
    kept: list[UnknownName] = []
    for name in sorted(found, key=lambda n: (n.start, -n.end)):
        if kept and name.start < kept[-1].end:
            continue
        kept.append(name)
    return tuple(kept)
