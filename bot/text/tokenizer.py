"""One shared jieba tokenizer, configured once per process.

jieba's dictionary costs ~80 MB and half a second to load, so there is exactly one
``jieba.Tokenizer`` per process, created lazily (``newsbot check`` on bad YAML never pays for
it) and with its dictionary cache in a writable directory of our choosing rather than /tmp.
User words (corpus entities and synonyms) are added through :func:`add_words`, which
remembers what it added so a reload can tell which articles need re-tokenising.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

import jieba

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_cache_dir: Path | None = None
_user_words: set[str] = set()
_original: dict[str, int] = {}  # jieba's own frequency of each user word (0: not a word)
_base_total = 0  # jieba's own total frequency, kept whatever user words are added
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


def tokenizer() -> jieba.Tokenizer:
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                tok = jieba.Tokenizer()
                directory = cache_dir()
                try:
                    directory.mkdir(parents=True, exist_ok=True)
                    tok.tmp_dir = str(directory)
                except OSError:
                    logger.warning("jieba cache directory %s is not writable", directory)
                tok.initialize()
                global _base_total
                _base_total = tok.total
                _tokenizer = tok
    return _tokenizer


def add_words(words: Iterable[str]) -> set[str]:
    """Add user words (entities, synonyms); returns the words that were new."""
    tok = tokenizer()
    added = set()
    with _lock:
        for word in words:
            word = word.strip()
            if len(word) < 2 or word in _user_words or " " in word:
                continue
            _original.setdefault(word, tok.FREQ.get(word) or 0)
            tok.add_word(word, freq=max(_original[word], USER_WORD_FREQ))
            _user_words.add(word)
            added.add(word)
        # jieba adds every user word's frequency to its total, which lowers the probability
        # of every word: with 35,000 names a page would be cut differently than with 40.
        # Keeping the total fixed makes an article's tokens depend only on the words in it.
        tok.total = _base_total
    return added


def set_user_words(words: Iterable[str]) -> tuple[set[str], set[str]]:
    """Make the user dictionary exactly ``words`` (a snapshot's names and synonyms).

    Words of a previous snapshot (a removed page, another corpus in the same process) are
    taken out again, restoring jieba's own frequency for dictionary words, so tokenising
    never depends on what was loaded before.  Returns (added, removed).
    """
    wanted = {w.strip() for w in words if len(w.strip()) >= 2 and " " not in w}
    tok = tokenizer()
    if wanted == _user_words:
        return set(), set()  # a reload that changed no names
    with _lock:
        removed = _user_words - wanted
        for word in removed:
            original = _original.get(word, 0)
            if original:
                tok.add_word(word, freq=original)
            else:  # back to not being a word at all, as before it was added
                tok.FREQ.pop(word, None)
            _user_words.discard(word)
        tok.total = _base_total
    return add_words(wanted), removed


def is_word(text: str) -> bool:
    """Whether jieba's own dictionary knows ``text`` as a word (专家 yes, 投了 no); user words
    added for the corpus do not count."""
    if text in _original:
        return bool(_original[text])
    return bool(tokenizer().FREQ.get(text))


def user_words() -> frozenset[str]:
    return frozenset(_user_words)


def cut(text: str) -> list[str]:
    return list(tokenizer().cut(text, HMM=True))


def cut_for_search(text: str) -> list[str]:
    """Words and their sub-words (申请专利 → 申请, 专利, 申请专利): what an index wants."""
    return list(tokenizer().cut_for_search(text, HMM=True))


def cut_with_offsets(text: str) -> Iterator[tuple[str, int]]:
    pos = 0
    for token in tokenizer().cut(text, HMM=True):
        yield token, pos
        pos += len(token)


@cache
def proper_nouns() -> frozenset[str]:
    """Place and organisation names jieba's dictionary knows (宜宾, 北京, 一汽集团).

    A question naming one that the articles never mention is about something else; read
    from the dictionary file like :func:`boundary_words`.
    """
    return _dictionary_words(_PROPER_TAGS, min_length=2)


@cache
def common_nouns() -> frozenset[str]:
    """Two-character common nouns (全科, 春花): not names, though they may start with a
    surname. Person names jieba knows (王明, 高峰) carry another tag."""
    return _dictionary_words(frozenset({"n"}), min_length=2, max_length=2)


@cache
def boundary_words() -> frozenset[str]:
    """Short dictionary words that are verbs, adverbs, prepositions… (never part of a name).

    Read straight from jieba's dictionary file (``word freq tag`` lines) so the large
    part-of-speech table of ``jieba.posseg`` is never loaded.
    """
    return _dictionary_words(_BOUNDARY_TAGS, max_length=3)


def _dictionary_words(
    tags: frozenset[str], *, min_length: int = 1, max_length: int = 99
) -> frozenset[str]:
    words = set()
    with jieba.get_dict_file() as handle:
        for raw in handle:
            parts = raw.decode("utf-8").split()
            if len(parts) == 3 and min_length <= len(parts[0]) <= max_length and parts[2] in tags:
                words.add(parts[0])
    return frozenset(words)
