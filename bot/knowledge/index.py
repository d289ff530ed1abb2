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
from collections.abc import Mapping, Sequence
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


def build_index(
    articles: Sequence[Article],
    analyses: Mapping[str, TextAnalysis],
    mentions_of: Mapping[str, tuple[tuple[str, ...], ...]],
    slots: Mapping[str, int],
    reference_sentences: int = 0,
) -> SentenceIndex:
    refs: dict[int, SentenceRef] = {}
    texts: dict[int, str] = {}
    mentions: dict[int, frozenset[str]] = {}
    postings: dict[str, list[int]] = {}
    paragraph_mentions: dict[tuple[str, int, int], set[str]] = {}
    paragraph_parts: dict[tuple[str, int, int], list[str]] = {}
    section_mentions: dict[tuple[str, int], set[str]] = {}
    article_mentions: dict[str, set[str]] = {}
    article_keys: dict[str, tuple[int, ...]] = {}
    heads: dict[tuple[str, int], str] = {}
    for article in articles:
        analysis = analyses[article.id]
        base = slots[article.id] * SENTENCES_PER_SLOT
        keys = []
        art_set = article_mentions.setdefault(article.id, set())
        for position, (s_i, p_i, k, _sentence) in enumerate(sentence_locations(article)):
            if position >= SENTENCES_PER_SLOT:
                break
            key = base + position
            keys.append(key)
            refs[key] = SentenceRef(key, article.id, s_i, p_i, k)
            texts[key] = analysis.texts[position]
            found = frozenset(mentions_of[article.id][position])
            mentions[key] = found
            paragraph_mentions.setdefault((article.id, s_i, p_i), set()).update(found)
            paragraph_parts.setdefault((article.id, s_i, p_i), []).append(texts[key])
            section_mentions.setdefault((article.id, s_i), set()).update(found)
            art_set.update(found)
            for term in analysis.terms[position]:
                postings.setdefault(term, []).append(key)
            for entity_key in found:
                postings.setdefault(ENTITY_PREFIX + entity_key, []).append(key)
        article_keys[article.id] = tuple(keys)
        meta = " ".join(
            filter(
                None,
                [article.title, article.kicker, article.column, article.subtitle, *article.byline],
            )
        )
        for s_i, section in enumerate(article.sections):
            heads[(article.id, s_i)] = normalize(f"{meta} {section.heading or ''}")
    return SentenceIndex(
        refs=refs,
        texts=texts,
        mentions=mentions,
        postings={t: array("q", sorted(keys)) for t, keys in postings.items()},
        paragraph_mentions={k: frozenset(v) for k, v in paragraph_mentions.items()},
        paragraph_texts={k: "".join(v) for k, v in paragraph_parts.items()},
        heads=heads,
        chars=frozenset("".join(texts.values())),
        section_mentions={k: frozenset(v) for k, v in section_mentions.items()},
        article_mentions={k: frozenset(v) for k, v in article_mentions.items()},
        article_keys=article_keys,
        size=len(refs),
        reference_sentences=reference_sentences,
    )
