"""The one place the pipeline reaches the segmenter and the lexicon.

Every stage of ``bot/nlu`` and ``bot/answer`` calls these instead of importing
``bot.text.tokenizer`` or ``bot.content.lexicon`` itself.  They answer with the segmenter and
lexicon of the snapshot bound for the question in hand (``Knowledge.bound``, which
``Answerer.answer`` holds for the whole question), so a reload never changes how a question
in flight is cut or read; outside a question they fall back to the last published build.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from bot.content.lexicon import Lexicon, alternation
from bot.content.lexicon import lexicon as _lexicon
from bot.text import tokenizer as _tokenizer
from bot.text.normalize import normalize

__all__ = [
    "alternation",
    "boundary_words",
    "brand_names",
    "cut",
    "cut_with_offsets",
    "is_word",
    "lexicon",
    "modifier_words",
    "normalise_long",
    "normalised",
    "person_names",
    "proper_nouns",
]


def lexicon() -> Lexicon:
    """The word lists of facts and questions (plan words, measure words, roles…)."""
    return _lexicon()


def cut(text: str) -> list[str]:
    return _tokenizer.cut(text)


def cut_with_offsets(text: str) -> Iterator[tuple[str, int]]:
    return _tokenizer.cut_with_offsets(text)


def sub_words(word: str) -> list[str]:
    """The shorter dictionary words inside ``word`` (登记注册 → 登记, 注册), as an index cuts."""
    return [w for w in _tokenizer.cut_for_search(word) if w != word]


def is_word(text: str) -> bool:
    """Whether jieba's dictionary (with the corpus's user words) knows ``text``."""
    return _tokenizer.is_word(text)


def proper_nouns() -> frozenset[str]:
    return _tokenizer.proper_nouns()


def common_nouns() -> frozenset[str]:
    return _tokenizer.common_nouns()


def boundary_words() -> frozenset[str]:
    return _tokenizer.boundary_words()


def modifier_words() -> frozenset[str]:
    """Dictionary words tagged as distinguishing modifiers (大型, 民营, 省级): they describe
    an organisation (省级医院), they never name one."""
    return _tokenizer.dictionary_words().modifiers


def person_names() -> frozenset[str]:
    """Person names jieba's dictionary knows (王建华): a question naming one the articles
    never mention asks about someone else."""
    return _tokenizer.dictionary_words().people


def brand_names() -> frozenset[str]:
    """Other proper names jieba's dictionary knows (格力电器, tag ``nz``), of three or more
    characters: brands and companies, rarely an ordinary word."""
    return _tokenizer.dictionary_words().brands


# The one place corpus text is normalised at question time.  The snapshot holds each
# sentence's, paragraph's, title's and article's normalised text (``Knowledge.normalised*``,
# ``knowledge.index.texts[key]``) and the stages use those where they have the key; this
# covers the pieces read without one (a fact's clause, a suggestion's sentence), cached so a
# piece is normalised once, not once per question.
@lru_cache(maxsize=8192)
def normalised(text: str) -> str:
    """``text`` in the form the index and the question share (simplified, half width)."""
    return normalize(text)


def normalise_long(text: str) -> str:
    """A whole article's text, normalised uncached: its caller keeps the result."""
    return normalize(text)
