"""Inverted index over every sentence of the corpus.

Questions are answered by looking up their rare words' posting lists, never by scanning the
corpus: a sentence is identified by a stable integer key (article slot × 4096 + position),
posting lists are compact ``array('q')`` objects, and the normalised text of each sentence is
kept for exact substring checks when candidates are scored.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.content.model import Article
from bot.knowledge.analysis import ENTITY_PREFIX, TextAnalysis, sentence_locations
from bot.text.normalize import normalize

SENTENCES_PER_SLOT = 4096


@dataclass(frozen=True, slots=True)
class SentenceRef:
    key: int
    article_id: str
    section: int
    paragraph: int
    index: int


@dataclass(frozen=True, slots=True)
class SentenceIndex:
    refs: Mapping[int, SentenceRef]
    texts: Mapping[int, str]
    mentions: Mapping[int, frozenset[str]]
    postings: Mapping[str, array[int]]
    paragraph_mentions: Mapping[tuple[str, int, int], frozenset[str]]
    paragraph_texts: Mapping[tuple[str, int, int], str]
    heads: Mapping[tuple[str, int], str]  # title, kicker, column, byline, section heading
    chars: frozenset[str]  # every character of the corpus: single-character words that occur
    section_mentions: Mapping[tuple[str, int], frozenset[str]]
    article_mentions: Mapping[str, frozenset[str]]
    article_keys: Mapping[str, tuple[int, ...]]
    size: int = 0
    reference_sentences: int = 0  # see :meth:`idf`; 0: no saturation
    idf_cache: dict[str, float] = field(default_factory=dict, compare=False)

    def idf(self, term: str) -> float:
        """BM25's IDF, saturated for rare words: a word used less than about once per
        ``reference_sentences`` (a page) is as informative as one never used.  Without that,
        a word the corpus lacks weighs log(size) and, in a hundred-page archive, outweighs
        everything else a question says, so coverage — and the answer — would change with the
        archive's size rather than with the question."""
        cached = self.idf_cache.get(term)
        if cached is None:
            df = len(self.postings.get(term, ()))
            floor = (
                0.5 * max(1.0, self.size / self.reference_sentences)
                if self.reference_sentences
                else 0.5
            )
            rarity = max(df + 0.5, floor)
            cached = math.log(1 + (self.size - rarity + 1.0) / rarity)
            self.idf_cache[term] = cached
        return cached

    def df(self, term: str) -> int:
        return len(self.postings.get(term, ()))

    def has(self, term: str, key: int) -> bool:
        """Whether sentence ``key`` is in ``term``'s posting list (lists are sorted)."""
        keys = self.postings.get(term)
        if not keys:
            return False
        at = bisect_left(keys, key)
        return at < len(keys) and keys[at] == key


@dataclass(slots=True)
class _Parts:
    """The index's tables while they are filled (plain dicts and lists)."""

    refs: dict[int, SentenceRef] = field(default_factory=dict)
    texts: dict[int, str] = field(default_factory=dict)
    mentions: dict[int, frozenset[str]] = field(default_factory=dict)
    paragraph_mentions: dict[tuple[str, int, int], frozenset[str]] = field(default_factory=dict)
    paragraph_texts: dict[tuple[str, int, int], str] = field(default_factory=dict)
    heads: dict[tuple[str, int], str] = field(default_factory=dict)
    section_mentions: dict[tuple[str, int], frozenset[str]] = field(default_factory=dict)
    article_mentions: dict[str, frozenset[str]] = field(default_factory=dict)
    article_keys: dict[str, tuple[int, ...]] = field(default_factory=dict)


def _add_article(
    parts: _Parts,
    article: Article,
    analysis: TextAnalysis,
    mentions_of: tuple[tuple[str, ...], ...],
    slot: int,
) -> dict[str, list[int]]:
    """Put one article's sentences into ``parts``; return its postings (term → keys, in
    increasing order, all inside the article's slot)."""
    base = slot * SENTENCES_PER_SLOT
    keys = []
    postings: dict[str, list[int]] = {}
    paragraph_mentions: dict[tuple[str, int, int], set[str]] = {}
    paragraph_parts: dict[tuple[str, int, int], list[str]] = {}
    section_mentions: dict[tuple[str, int], set[str]] = {}
    art_set: set[str] = set()
    for position, (s_i, p_i, k, _sentence) in enumerate(sentence_locations(article)):
        if position >= SENTENCES_PER_SLOT:
            break
        key = base + position
        keys.append(key)
        parts.refs[key] = SentenceRef(key, article.id, s_i, p_i, k)
        text = parts.texts[key] = analysis.texts[position]
        found = frozenset(mentions_of[position])
        parts.mentions[key] = found
        paragraph_mentions.setdefault((article.id, s_i, p_i), set()).update(found)
        paragraph_parts.setdefault((article.id, s_i, p_i), []).append(text)
        section_mentions.setdefault((article.id, s_i), set()).update(found)
        art_set.update(found)
        for term in analysis.terms[position]:
            postings.setdefault(term, []).append(key)
        for entity_key in found:
            postings.setdefault(ENTITY_PREFIX + entity_key, []).append(key)
    parts.article_keys[article.id] = tuple(keys)
    parts.article_mentions[article.id] = frozenset(art_set)
    parts.paragraph_mentions.update((k, frozenset(v)) for k, v in paragraph_mentions.items())
    parts.paragraph_texts.update((k, "".join(v)) for k, v in paragraph_parts.items())
    parts.section_mentions.update((k, frozenset(v)) for k, v in section_mentions.items())
    meta = " ".join(
        filter(
            None,
            [article.title, article.kicker, article.column, article.subtitle, *article.byline],
        )
    )
    for s_i, section in enumerate(article.sections):
        parts.heads[(article.id, s_i)] = normalize(f"{meta} {section.heading or ''}")
    return postings


def _freeze(
    parts: _Parts,
    postings: dict[str, array[int]],
    chars: frozenset[str],
    reference_sentences: int,
) -> SentenceIndex:
    return SentenceIndex(
        refs=parts.refs,
        texts=parts.texts,
        mentions=parts.mentions,
        postings=postings,
        paragraph_mentions=parts.paragraph_mentions,
        paragraph_texts=parts.paragraph_texts,
        heads=parts.heads,
        chars=chars,
        section_mentions=parts.section_mentions,
        article_mentions=parts.article_mentions,
        article_keys=parts.article_keys,
        size=len(parts.refs),
        reference_sentences=reference_sentences,
    )


def build_index(
    articles: Sequence[Article],
    analyses: Mapping[str, TextAnalysis],
    mentions_of: Mapping[str, tuple[tuple[str, ...], ...]],
    slots: Mapping[str, int],
    reference_sentences: int = 0,
) -> SentenceIndex:
    parts = _Parts()
    merged: dict[str, list[int]] = {}
    for article in articles:
        own = _add_article(
            parts, article, analyses[article.id], mentions_of[article.id], slots[article.id]
        )
        for term, keys in own.items():
            found = merged.get(term)
            if found is None:
                merged[term] = keys
            else:
                found += keys
    postings = {t: array("q", sorted(keys)) for t, keys in merged.items()}
    return _freeze(parts, postings, frozenset("".join(parts.texts.values())), reference_sentences)


def patch_index(
    previous: SentenceIndex,
    removed: Mapping[str, tuple[int, Iterable[str]]],
    added: Sequence[Article],
    analyses: Mapping[str, TextAnalysis],
    mentions_of: Mapping[str, tuple[tuple[str, ...], ...]],
    slots: Mapping[str, int],
    chars: frozenset[str],
) -> SentenceIndex:
    """``previous`` without the articles in ``removed`` (article id → (its slot, the terms
    its sentences were indexed under)) and with ``added``: the same index a full build of
    the new article set gives, for the cost of the articles that changed.

    Every article's sentence keys lie in its own slot's range, so taking an article out of
    a posting list, or putting it back, is one slice of the (sorted) array.
    """
    gone = set(removed)
    parts = _Parts(
        refs=dict(previous.refs),
        texts=dict(previous.texts),
        mentions=dict(previous.mentions),
        paragraph_mentions={
            k: v for k, v in previous.paragraph_mentions.items() if k[0] not in gone
        },
        paragraph_texts={k: v for k, v in previous.paragraph_texts.items() if k[0] not in gone},
        heads={k: v for k, v in previous.heads.items() if k[0] not in gone},
        section_mentions={k: v for k, v in previous.section_mentions.items() if k[0] not in gone},
        article_mentions={k: v for k, v in previous.article_mentions.items() if k not in gone},
        article_keys={k: v for k, v in previous.article_keys.items() if k not in gone},
    )
    postings = dict(previous.postings)
    for article_id, (slot, terms) in removed.items():
        for key in previous.article_keys.get(article_id, ()):
            del parts.refs[key], parts.texts[key], parts.mentions[key]
        low, high = slot * SENTENCES_PER_SLOT, (slot + 1) * SENTENCES_PER_SLOT
        for term in terms:
            keys = postings.get(term)
            if keys is None:
                continue
            start, end = bisect_left(keys, low), bisect_left(keys, high)
            if start == 0 and end == len(keys):
                del postings[term]
            elif start < end:
                postings[term] = keys[:start] + keys[end:]
    for article in added:
        own = _add_article(
            parts, article, analyses[article.id], mentions_of[article.id], slots[article.id]
        )
        for term, new in own.items():
            keys = postings.get(term)
            if keys is None:
                postings[term] = array("q", new)
            else:
                at = bisect_left(keys, new[0])
                postings[term] = keys[:at] + array("q", new) + keys[at:]
    return _freeze(parts, postings, chars, previous.reference_sentences)
