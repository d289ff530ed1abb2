"""Word segmentation: jieba's main dictionary once per process, user words per snapshot.

jieba's dictionary costs ~80 MB and a second to load, so the main dictionary is loaded once,
lazily (``newsbot check`` on bad YAML never pays for it), with its cache in a directory of our
choosing rather than /tmp, and never changed afterwards.  User words (corpus names, synonyms)
belong to a snapshot: each :class:`Segmenter` is its own ``jieba.Tokenizer`` whose frequency
table is a copy of the main one plus that snapshot's words (a dict copy: ~15 ms and ~15 MB,
measured on 498k entries), so a reload builds the next snapshot's segmenter while questions
keep being cut by the old one, and a build that fails half-way changes nothing anyone reads.

The module-level functions (:func:`cut`, :func:`cut_with_offsets`, …) are a compatibility
shim for code that does not hold a snapshot yet (the answer and nlu modules): they use the
segmenter bound to the current context with :func:`active` (the service binds the snapshot a
question is answered from), else the one last :func:`publish`-ed by a successful build.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache, partial
from pathlib import Path

import jieba

from bot.text import jieba_table
from bot.text.binding import BoundSlot

logger = logging.getLogger(__name__)

_lock = threading.RLock()  # current() makes a Segmenter, which loads the base, under it
_base: jieba.Tokenizer | None = None
_cache_dir: Path | None = None
USER_WORD_FREQ = 20_000  # high enough that a name is cut as one word

# jieba part-of-speech tags of words that cannot start a proper name: verbs, adverbs,
# prepositions, conjunctions, pronouns, numerals, measure words, particles, time and place
# directions.
_BOUNDARY_TAGS = frozenset(
    {
        "v",
        "vd",
        "vi",
        "vq",
        "d",
        "p",
        "c",
        "r",
        "rr",
        "rz",
        "m",
        "mq",
        "q",
        "u",
        "uj",
        "ul",
        "uz",
        "ud",
        "ug",
        "uv",
        "f",
        "t",
        "tg",
        "ad",
        "y",
        "e",
        "o",
        "zg",
        "dg",
        "df",
    }
)


_PROPER_TAGS = frozenset({"ns", "nt"})


def configure(cache_dir: Path | None) -> None:
    """Set where jieba keeps its dictionary cache; call before the first tokenisation."""
    global _cache_dir
    _cache_dir = cache_dir


def cache_dir() -> Path:
    """Where jieba's dictionary cache is (configured, else the default)."""
    return _cache_dir or default_cache_dir()


def default_cache_dir() -> Path:
    """``$NEWSBOT_CACHE``, else ``$XDG_CACHE_HOME/newsbot``, else ``~/.cache/newsbot``."""
    if explicit := os.environ.get("NEWSBOT_CACHE"):
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "newsbot"


def _load_main_table(tok: jieba.Tokenizer, directory: Path) -> None:
    """jieba's main table from :mod:`bot.text.jieba_table`'s file (a fifth of jieba's own
    read time), else from jieba (its cache or its word file), then stored for the next start."""
    stored = jieba_table.read_table(directory)
    if stored is not None:
        tok.FREQ, tok.total = stored
        tok.initialized = True
        return
    tok.initialize()
    jieba_table.write_table(directory, tok.FREQ, tok.total)


def base_tokenizer() -> jieba.Tokenizer:
    """jieba with its main dictionary only: shared by every segmenter, never modified."""
    global _base
    if _base is None:
        with _lock:
            if _base is None:
                jieba.setLogLevel(logging.WARNING)
                tok = jieba.Tokenizer()
                directory = cache_dir()
                try:
                    directory.mkdir(parents=True, exist_ok=True)
                    tok.tmp_dir = str(directory)
                except OSError:
                    logger.warning("jieba cache directory %s is not writable", directory)
                _load_main_table(tok, directory)
                _base = tok
    return _base


RECENT_CUTS = 256  # texts whose cut a segmenter remembers: a few questions' worth of stages


def _offsets_of(tok: jieba.Tokenizer, text: str) -> tuple[tuple[str, int], ...]:
    """jieba's words of ``text`` with where each starts."""
    pos = 0
    out = []
    for token in tok.cut(text, HMM=True):
        out.append((token, pos))
        pos += len(token)
    return tuple(out)


def clean_words(words: Iterable[str]) -> frozenset[str]:
    """The user words jieba can take: two characters or more, no spaces."""
    stripped = (word.strip() for word in words)
    return frozenset(word for word in stripped if len(word) >= 2 and " " not in word)


def _add_words(table: dict[str, int], words: Iterable[str], main: Mapping[str, int]) -> None:
    """What ``jieba.Tokenizer.add_word`` does to the frequency table for each of ``words``
    (the word at least :data:`USER_WORD_FREQ`, each of its prefixes present), in one loop
    without jieba's per-call checks: an archive's tens of thousands of names are added at
    every start. No tags: user words carry none."""
    for word in words:
        table[word] = max(main.get(word) or 0, USER_WORD_FREQ)
        for end in range(1, len(word)):
            table.setdefault(word[:end], 0)


class Segmenter:
    """One snapshot's word cutter: jieba's main dictionary plus exactly ``words``.

    Immutable once made (nothing adds words later), so any number of threads may cut with it
    while a reload builds the next one.
    """

    __slots__ = ("_jieba", "_offsets", "words")
    _jieba: jieba.Tokenizer
    words: frozenset[str]

    def __init__(self, words: Iterable[str] = (), *, start: Segmenter | None = None) -> None:
        """A segmenter for ``words``; ``start`` (another segmenter) only makes it faster: its
        table is copied and changed by the words that differ, instead of adding every word
        to the main dictionary again (35,000 names at 1,000 pages)."""
        self.words = clean_words(words)
        base = base_tokenizer()
        if not self.words:  # the main dictionary as it is: its table, not a copy of it
            self._jieba = base
            self._offsets = lru_cache(maxsize=RECENT_CUTS)(partial(_offsets_of, base))
            return
        source = start._jieba if start is not None else base
        tok = jieba.Tokenizer()
        tok.tmp_dir = base.tmp_dir
        tok.FREQ = dict(source.FREQ)
        tok.initialized = True
        if start is not None:
            for word in start.words - self.words:
                # back to jieba's own frequency; 0 (no word) rather than a deletion, since it
                # may be the prefix of another word, and 0 cuts exactly like absent
                tok.FREQ[word] = base.FREQ.get(word) or 0
        added = self.words - start.words if start is not None else self.words
        _add_words(tok.FREQ, added, base.FREQ)
        # jieba adds every user word's frequency to its total, which lowers the probability
        # of every word: with 35,000 names a page would be cut differently than with 40.
        # Keeping the total fixed makes an article's tokens depend only on the words in it.
        tok.total = base.total
        self._jieba = tok
        # A question is cut by several stages (word bounds, content words, name grounding);
        # the cut of a text never changes for one segmenter, so recent ones are remembered.
        self._offsets = lru_cache(maxsize=RECENT_CUTS)(partial(_offsets_of, tok))

    def with_words(self, words: Iterable[str]) -> Segmenter:
        """A segmenter for ``words``: this one when they are the same (a reload that changed
        no names costs nothing), else one made from this one's table."""
        wanted = clean_words(words)
        return self if wanted == self.words else Segmenter(wanted, start=self)

    def cut(self, text: str) -> list[str]:
        return list(self._jieba.cut(text, HMM=True))

    def cut_for_search(self, text: str) -> list[str]:
        """Words and their sub-words (申请专利 → 申请, 专利, 申请专利): what an index wants."""
        return list(self._jieba.cut_for_search(text, HMM=True))

    def cut_with_offsets(self, text: str) -> Iterator[tuple[str, int]]:
        return iter(self._offsets(text))

    def user_words(self) -> frozenset[str]:
        return self.words

    # The rest depend on jieba's main dictionary only, the same for every snapshot; they are
    # methods too so that callers holding a snapshot need nothing else.

    def is_word(self, text: str) -> bool:
        return is_word(text)

    def proper_nouns(self) -> frozenset[str]:
        return proper_nouns()

    def common_nouns(self) -> frozenset[str]:
        return common_nouns()

    def boundary_words(self) -> frozenset[str]:
        return boundary_words()


# --- the compatibility shim -------------------------------------------------------------

_slot: BoundSlot[Segmenter] = BoundSlot("newsbot_segmenter", lambda: Segmenter(), _lock)
publish = _slot.publish  # make a segmenter the one unbound callers use (a successful build)
active = _slot.active  # bind a segmenter for the module-level functions in this context


def current() -> Segmenter:
    """The bound segmenter, else the published one, else one without user words."""
    return _slot.current()


def tokenizer() -> jieba.Tokenizer:
    """The current segmenter's jieba (for callers that need jieba's own API)."""
    return current()._jieba


def user_words() -> frozenset[str]:
    return current().words


def cut(text: str) -> list[str]:
    return current().cut(text)


def cut_for_search(text: str) -> list[str]:
    """Words and their sub-words (申请专利 → 申请, 专利, 申请专利): what an index wants."""
    return current().cut_for_search(text)


def cut_with_offsets(text: str) -> Iterator[tuple[str, int]]:
    return current().cut_with_offsets(text)


# --- the main dictionary ------------------------------------------------------------------


def is_word(text: str) -> bool:
    """Whether jieba's own dictionary knows ``text`` as a word (专家 yes, 投了 no); user words
    added for the corpus do not count."""
    return bool(base_tokenizer().FREQ.get(text))


@dataclass(frozen=True, slots=True)
class DictionaryWords:
    """The tagged lists of jieba's dictionary the stages read, from one pass over its word
    file (``word freq tag`` lines) — never through ``jieba.posseg``, whose tables take seconds
    to load, and never the whole table kept (350,000 words)."""

    proper: frozenset[str]  # ns/nt of 2+ characters: 宜宾, 北京, 一汽集团
    common: frozenset[str]  # two-character common nouns (n): 全科, 春花
    boundary: frozenset[str]  # verbs, adverbs, prepositions… of up to 3 characters
    modifiers: frozenset[str]  # distinguishing words (b) of up to 3 characters: 大型, 省级
    people: frozenset[str]  # person names (nr) of 2–3 characters: 王建华
    brands: frozenset[str]  # other proper names (nz) of 3+ characters: 格力电器


@cache
def dictionary_words() -> DictionaryWords:
    """The tagged lists, read once: one pattern over the whole file (not a split of each of
    its lines) and one loop over its words."""
    line = re.compile(r"^(\S+) \S+ (\S+)\s*$", re.MULTILINE)
    with jieba.get_dict_file() as handle:
        text = handle.read().decode("utf-8")
    proper, common, boundary, modifiers, people, brands = [], [], [], [], [], []
    for word, tag in line.findall(text):
        size = len(word)
        if tag in _PROPER_TAGS and size >= 2:
            proper.append(word)
        elif tag == "n" and size == 2:
            common.append(word)
        elif tag in _BOUNDARY_TAGS and size <= 3:
            boundary.append(word)
        elif tag == "b" and size <= 3:
            modifiers.append(word)
        elif tag == "nr" and 2 <= size <= 3:
            people.append(word)
        elif tag == "nz" and size >= 3:
            brands.append(word)
    return DictionaryWords(
        *(frozenset(words) for words in (proper, common, boundary, modifiers, people, brands))
    )


def proper_nouns() -> frozenset[str]:
    """Place and organisation names jieba's dictionary knows (宜宾, 北京, 一汽集团): a
    question naming one that the articles never mention is about something else."""
    return dictionary_words().proper


def common_nouns() -> frozenset[str]:
    """Two-character common nouns (全科, 春花): not names, though they may start with a
    surname. Person names jieba knows (王明, 高峰) carry another tag."""
    return dictionary_words().common


def boundary_words() -> frozenset[str]:
    """Short dictionary words that are verbs, adverbs, prepositions… (never part of a name)."""
    return dictionary_words().boundary
