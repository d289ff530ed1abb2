"""Stage 3 — names: the organisations, people, places and concepts a message mentions.

Each is grounded to a corpus entity: exactly (a dictionary lookup of the message's
substrings), by sound (信为电科 → 信维电科, the homophones pinyin input produces), or by one
wrong character (罗建民 ~ 罗建明).  What is not grounded stays a plain word for stage 2,
and the answer stage reports it as unknown when the articles never mention it.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.knowledge.build import Knowledge
from bot.knowledge.entities import Entity, EntityKind
from bot.knowledge.fuzzy import MIN_EDIT_CHARS, MIN_SOUND_CHARS, FuzzyIndex, masks
from bot.nlu import resources
from bot.nlu.segment import WORD_RE, word_bounds
from bot.text import pinyin

# A company named without its legal form: that many characters at least (青禾竹业; not 竹业,
# which reads as a word or part of one), and at most.
MIN_BARE_NAME_CHARS = 3
MAX_BARE_NAME_CHARS = 12


@dataclass(frozen=True, slots=True)
class NameMatch:
    entity: Entity
    surface: str  # as written in the message
    start: int
    end: int
    fuzzy: bool = False
    score: float = 100  # rapidfuzz's scale: an exact match


def find_names(text: str, knowledge: Knowledge) -> tuple[NameMatch, ...]:
    """Names in the message: exact or same-sounding (longest first), then near-spellings."""
    sounds = pinyin.syllables(text)
    bounds = word_bounds(text)
    found = _names_by_text_or_sound(text, sounds, bounds, knowledge)
    taken = bytearray(len(text))
    for name in found:
        taken[name.start : name.end] = b"\x01" * (name.end - name.start)
    found += _names_by_spelling(text, sounds, bounds, taken, knowledge)
    found.sort(key=lambda n: n.start)
    unique: dict[str, NameMatch] = {}
    for name in found:
        unique.setdefault(name.entity.key, name)
    return tuple(unique.values())


def _names_by_text_or_sound(
    text: str, sounds: list[str], bounds: frozenset[int], knowledge: Knowledge
) -> list[NameMatch]:
    """Leftmost-longest names, where a window matches a name by its text or by its sound.

    Sound keys catch the homophones pinyin input produces (信为电科, 湘西洲); because the
    longest window wins, 湘西洲 is read as 湘西州 rather than the shorter alias 湘西.
    """
    aliases = knowledge.lexicons.aliases
    by_sound = knowledge.fuzzy.by_sound
    heads = knowledge.fuzzy.sound_heads
    table = knowledge.entities
    lengths = sorted(set(knowledge.fuzzy.lengths) | set(aliases.lengths()) | {2}, reverse=True)
    result: list[NameMatch] = []
    i = 0
    n = len(text)
    while i < n - 1:
        exact = _exact_name(text, i, knowledge)
        hit = exact
        # a same-sounding name must be whole words: not 新工 of 新工厂
        for length in lengths if i in bounds else ():
            end = i + length
            if end > n or (exact is not None and end <= exact.end) or end not in bounds:
                continue
            if (sounds[i], length) not in heads:
                continue  # no name starts with this sound and has this length
            window = text[i:end]
            if length >= MIN_SOUND_CHARS or (length == 2 and not resources.is_word(window)):
                # a two-character dictionary word (培育) is that word, not a name (沛宇)
                same = by_sound.get(" ".join(sounds[i:end]))
                entity = table.by_alias(same[0]) if same else None
                if entity is None or not same:
                    continue
                if exact is not None and entity.key != exact.entity.key:
                    continue  # 湖南这 is 湖南 and a word, not someone called 胡楠哲
                if window not in same and _another_word(window, knowledge):
                    continue  # the page writes 林晓梅 too: another person than its 林晓枚
                score = max(
                    fuzz.ratio(window, same[0]), knowledge.rules.thresholds.fuzzy_min_pinyin
                )
                hit = NameMatch(entity, window, i, end, True, score)
                break
        if hit is not None:
            result.append(hit)
            i = hit.end
        else:
            i += 1
    return result


def _another_word(window: str, knowledge: Knowledge) -> bool:
    """The corpus uses the typed word as a word of its own (林晓梅 beside its 林晓枚, whom
    the parser made an entity): a near-spelling of a name it also writes is no slip."""
    return knowledge.index.df(window) > 0


def _exact_name(text: str, i: int, knowledge: Knowledge) -> NameMatch | None:
    """The longest known name written exactly at position ``i`` — or a company's name
    without its legal form (青禾竹业 for a page's 青禾竹业有限公司), as readers write it even
    when the page never does."""
    for window in knowledge.lexicons.aliases.starting_at(text, i):
        entity = knowledge.entities.by_alias(window)
        if entity is not None:
            return NameMatch(entity, window, i, i + len(window))
    table = knowledge.entities
    if not table.starts_an_alias(text[i : i + 2]):
        return None
    forms = resources.lexicon().legal_forms
    for end in range(min(len(text), i + MAX_BARE_NAME_CHARS), i + MIN_BARE_NAME_CHARS - 1, -1):
        window = text[i:end]
        if resources.is_word(window):
            continue
        for form in forms:
            entity = table.by_alias(window + form)
            if entity is not None and entity.kind is EntityKind.ORG:
                return NameMatch(entity, window, i, end)
    return None


def _names_by_spelling(
    text: str,
    sounds: list[str],
    bounds: frozenset[int],
    taken: bytearray,
    knowledge: Knowledge,
) -> list[NameMatch]:
    """Names with one wrong character: nearly the same sound (罗建民 ~ 罗建明, compared by
    pinyin) or, for longer names, nearly the same spelling (rapidfuzz on the characters)."""
    index = knowledge.fuzzy
    min_score = knowledge.rules.thresholds.fuzzy_min_score
    min_sound = knowledge.rules.thresholds.fuzzy_min_pinyin
    result: list[NameMatch] = []
    n = len(text)
    grams = name_bigrams(text, index)
    i = 0
    while i < n:
        if taken[i] or not WORD_RE.match(text[i]) or i not in bounds:
            i += 1
            continue
        best = None
        for length in index.lengths:
            end = i + length
            if end > n or end not in bounds or taken.find(1, i, end) >= 0:
                continue
            best = (
                _sound_candidate(text[i:end], sounds[i:end], index, min_sound)
                if length >= MIN_SOUND_CHARS and (sounds[i], length) in index.sound_heads
                else None
            )
            if (
                best is None
                and length >= MIN_EDIT_CHARS
                and bigrams_within(grams.get(length, ()), i, end - 1) >= _bigrams_needed(length)
            ):
                best = _edit_candidate(text[i:end], index.by_bigram, min_score)
            if best is not None:
                break
        entity = knowledge.entities.by_alias(best[2]) if best else None
        if best is not None and _another_word(text[i : i + best[1]], knowledge):
            entity = None  # the page writes the typed word too: another name than its own
        if best is not None and entity is not None:
            score, length, _ = best
            result.append(NameMatch(entity, text[i : i + length], i, i + length, True, score))
            taken[i : i + length] = b"\x01" * length
            i += length
            continue
        i += 1
    return result


def _sound_candidate(
    window: str, syllables: list[str], index: FuzzyIndex, min_score: float
) -> tuple[float, int, str] | None:
    """A same-length name starting with the same syllable whose sound is nearly the same and
    that differs in one character only: with hundreds of names, sound alone pairs ordinary
    words with some name (长说要 ~ 张曙敖).  The caller has checked that some name of this
    length starts with the window's first syllable (``FuzzyIndex.sound_heads``)."""
    key = " ".join(syllables)
    best: tuple[float, int, str] | None = None
    by_mask = index.by_mask
    near = {name for masked in masks(window) if masked in by_mask for name in by_mask[masked]}
    for name in sorted(near):
        sounds = pinyin.syllables(name)
        if sounds[0] != syllables[0]:
            continue
        score = fuzz.ratio(key, " ".join(sounds))
        if score >= min_score and (best is None or score > best[0]):
            best = (score, len(syllables), name)
    return best


def name_bigrams(text: str, index: FuzzyIndex) -> dict[int, list[int]]:
    """Per name length, where the message has a bigram of some name of that length (sorted
    positions, from the in-memory ``bigram_lengths``): a window with fewer of them than a
    near-spelling needs is not compared at all (most windows)."""
    grams: dict[int, list[int]] = {}
    for p in range(len(text) - 1):
        for length in index.bigram_lengths.get(text[p : p + 2], ()):
            grams.setdefault(length, []).append(p)
    return grams


def bigrams_within(positions: Sequence[int], start: int, stop: int) -> int:
    """How many of the sorted ``positions`` lie in ``[start, stop)``."""
    return bisect_left(positions, stop) - bisect_left(positions, start)


def _bigrams_needed(length: int) -> int:
    """How many bigrams a name of ``length`` characters shares with a near-spelling of it."""
    return max(1, (length - 1) // 2)


def _edit_candidate(
    window: str, by_bigram: Mapping[tuple[str, int], tuple[str, ...]], min_score: float
) -> tuple[float, int, str] | None:
    """The closest same-length name sharing enough bigrams with ``window``, if close enough."""
    length = len(window)
    counts: dict[str, int] = {}
    for gram in {window[k : k + 2] for k in range(length - 1)}:
        for name in by_bigram.get((gram, length), ()):
            counts[name] = counts.get(name, 0) + 1
    needed = _bigrams_needed(length)
    best: tuple[float, int, str] | None = None
    shortlist = heapq.nsmallest(20, ((-c, n) for n, c in counts.items() if c >= needed))
    for _, name in shortlist:
        score = fuzz.ratio(window, name)
        if score >= min_score and (best is None or score > best[0]):
            best = (score, length, name)
    return best
