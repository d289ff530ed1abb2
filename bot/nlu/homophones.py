"""Stage 2a — homophones: words typed with a same-sounding wrong character (必业 for 毕业,
镇管之宝 for 镇馆之宝, 消废券 for 消费券), the slips pinyin input makes.

jieba cannot cut such a slip into words, so it leaves single characters or a fragment the
corpus never uses.  A run of those whose sound is exactly one corpus word of the same
length is read as that word.  Only runs jieba could not cut are read: a real word of the
question (城里 | 年轻人) never becomes another one (历年).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from bot.knowledge.build import Knowledge
from bot.nlu import resources
from bot.text import pinyin
from bot.text.chars import HAN

_HAN_WORD_RE = re.compile(f"[{HAN}]+")

MIN_CHARS, MAX_CHARS = 2, 4  # the lengths of words a slip is looked up among
KEPT_SNAPSHOTS = 2  # the serving snapshot's table and a reload's

_BY_SOUND: dict[int, tuple[object, Mapping[str, tuple[str, ...]]]] = {}


def repaired(tokens: Sequence[tuple[str, int]], knowledge: Knowledge) -> list[tuple[str, int]]:
    """``tokens`` (jieba's cut with offsets) with each slip replaced by the corpus word it
    sounds like, at the slip's offset; the rest of an uncut run is left as it was."""
    postings = knowledge.index.postings
    language = knowledge.rules.language
    known = language.stopwords | frozenset(language.pronouns)
    result: list[tuple[str, int]] = []
    k = 0
    while k < len(tokens):
        j = k
        while j < len(tokens) and tokens[j][0] not in known and _uncut(tokens[j][0], postings):
            j += 1
        if j == k:
            result.append(tokens[k])
            k += 1
            continue
        run = "".join(t for t, _ in tokens[k:j])
        if len(run) >= MIN_CHARS and _HAN_WORD_RE.fullmatch(run):
            result += _read_run(run, tokens[k][1], knowledge)
        else:
            result += tokens[k:j]
        k = j
    return result


def _read_run(run: str, start: int, knowledge: Knowledge) -> list[tuple[str, int]]:
    """The run cut into corpus words it sounds like (longest first, left to right) and the
    characters between them."""
    by_sound = _by_sound(knowledge)
    pieces: list[tuple[str, int]] = []
    i = 0
    while i < len(run):
        for size in range(min(MAX_CHARS, len(run) - i), MIN_CHARS - 1, -1):
            words = by_sound.get(pinyin.key(run[i : i + size]), ())
            if len(words) == 1:
                pieces.append((words[0], start + i))
                i += size
                break
        else:
            pieces.append((run[i], start + i))
            i += 1
    return pieces


def _uncut(token: str, postings: Mapping[str, object]) -> bool:
    """A token jieba could not make a word of: one character, or a fragment neither the
    corpus nor the dictionary knows."""
    return len(token) == 1 or (token not in postings and not resources.is_word(token))


def prepare(knowledge: Knowledge) -> None:
    """Make the snapshot's table before it serves (0.3 s at a thousand pages), so no
    question waits for it."""
    _by_sound(knowledge)


def _by_sound(knowledge: Knowledge) -> Mapping[str, tuple[str, ...]]:
    """Corpus words of MIN_CHARS to MAX_CHARS Chinese characters by their sound, made once
    per snapshot (the serving one and a reload's are kept)."""
    index = knowledge.index
    cached = _BY_SOUND.get(id(index))
    if cached is not None and cached[0] is index:
        return cached[1]
    table: dict[str, list[str]] = {}
    for word in index.postings:
        if MIN_CHARS <= len(word) <= MAX_CHARS and _HAN_WORD_RE.fullmatch(word):
            table.setdefault(pinyin.key(word), []).append(word)
    frozen = {sound: tuple(sorted(words)) for sound, words in table.items()}
    if len(_BY_SOUND) >= KEPT_SNAPSHOTS:
        del _BY_SOUND[next(iter(_BY_SOUND))]  # the oldest: long swapped out
    _BY_SOUND[id(index)] = (index, frozen)
    return frozen
