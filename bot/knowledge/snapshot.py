"""The Knowledge snapshot: everything a question reads, immutable, swapped whole on reload.

Besides the corpus and its indexes a snapshot owns the word segmenter (jieba plus this
snapshot's names and synonyms), the lexicon, the rules with their synonyms and thresholds,
and the normalised texts, so that a reload can build the next snapshot while questions are
still answered from this one, and a failed build changes nothing a question reads.

:meth:`Knowledge.bound` binds the segmenter and lexicon for the module-level compatibility
functions (``bot.text.tokenizer.cut``, ``bot.content.lexicon.lexicon``) that code without a
snapshot in hand still calls; callers holding a Knowledge should use its attributes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from bot.content import lexicon as lexicon_module
from bot.content.lexicon import Lexicon
from bot.content.loader import Page
from bot.content.model import Article, ArticleHead
from bot.knowledge.analysis import Lexicons
from bot.knowledge.entities import EntityTable
from bot.knowledge.fuzzy import FuzzyIndex
from bot.knowledge.index import SentenceIndex
from bot.knowledge.topics import TopicTags
from bot.rules.model import Rules
from bot.text import tokenizer
from bot.text.tokenizer import Segmenter


@dataclass(frozen=True, slots=True)
class Knowledge:
    """Everything the answerer needs, immutable; reload builds a new one and swaps it in."""

    articles: Sequence[Article]  # a tuple when built; read on demand when opened from a file
    pages: tuple[Page, ...]
    rules: Rules
    entities: EntityTable
    index: SentenceIndex
    topics: TopicTags
    lexicons: Lexicons
    fuzzy: FuzzyIndex
    version: str
    built_at: dt.datetime
    build_seconds: float
    segmenter: Segmenter
    cache_hits: int = 0
    cache_misses: int = 0
    by_id: Mapping[str, Article] = field(default_factory=dict)
    slots: Mapping[str, int] = field(default_factory=dict)
    # article id → normalize(article.text), computed once at build (shared with the builder's
    # cache, so it costs no second copy)
    normalised_texts: Mapping[str, str] = field(default_factory=dict)
    normalised_titles: Mapping[str, str] = field(default_factory=dict)
    _derived: dict[str, Sequence[ArticleHead]] = field(
        init=False, default_factory=dict, compare=False, repr=False
    )

    def article(self, article_id: str) -> Article | None:
        return self.by_id.get(article_id)

    @property
    def fact_count(self) -> int:
        stored: int | None = getattr(self.articles, "fact_count", None)
        if stored is not None:
            return stored
        return sum(len(a.facts) for a in self.articles)

    @property
    def stored_heads(self) -> Sequence[ArticleHead] | None:
        """The heads an opened snapshot's articles carry (read from its file), else None.
        Kept with the articles, not beside them, so that a snapshot whose articles are
        replaced (``dataclasses.replace``) never reports the old ones' heads."""
        stored: Sequence[ArticleHead] | None = getattr(self.articles, "heads", None)
        return stored

    @property
    def heads(self) -> Sequence[ArticleHead]:
        """Every article's head (title, page, date…), in article order: what scans of all
        articles read, without reading the articles themselves."""
        if self.stored_heads is not None:
            return self.stored_heads
        found = self._derived.get("heads")
        if found is None:
            found = self._derived["heads"] = tuple(ArticleHead.of(a) for a in self.articles)
        return found

    @property
    def lexicon(self) -> Lexicon:
        """This snapshot's general-language lexicon (``intents/lexicon.yaml``)."""
        return self.rules.lexicon

    def normalised(self, sentence_key: int) -> str:
        """The normalised text of sentence ``sentence_key`` (a ``SentenceRef.key``), as
        indexed; what ``normalize(sentence.text)`` gives, without normalising again."""
        return self.index.texts[sentence_key]

    def normalised_paragraph(self, article_id: str, section: int, paragraph: int) -> str:
        """The normalised text of one paragraph (its sentences joined), as indexed."""
        return self.index.paragraph_texts[(article_id, section, paragraph)]

    def normalised_text(self, article_id: str) -> str:
        """``normalize(article.text)`` of an article, computed at build."""
        return self.normalised_texts[article_id]

    def normalised_title(self, article_id: str) -> str:
        """``normalize(article.title)`` of an article, computed at build."""
        return self.normalised_titles[article_id]

    @contextmanager
    def bound(self) -> Iterator[Knowledge]:
        """Make this snapshot's segmenter and lexicon the ones the module-level functions use
        in the current context (thread or task) until the block ends."""
        with tokenizer.active(self.segmenter), lexicon_module.active(self.rules.lexicon):
            yield self
