"""Reuse across reloads: what the last build made, and patching its index.

A reload after a few articles changed re-indexes only those; the previous snapshot's index is
patched (its other posting lists are shared), which is what keeps a reload of one page in a
large archive far below a fresh build.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from bot.content.model import Article
from bot.knowledge.analysis import ENTITY_PREFIX, TextAnalysis
from bot.knowledge.index import SENTENCES_PER_SLOT, SentenceIndex, build_index, patch_index
from bot.knowledge.snapshot import Knowledge
from bot.rules.model import Rules

# A reload patches the previous index when at most this many articles (or this share of
# them) changed; beyond that a fresh build is about as fast.
PATCH_MIN_ARTICLES = 16
PATCH_SHARE = 0.2


@dataclass
class Previous:
    """What the last successful build made, for the next build to reuse where its inputs
    are unchanged (everything here is per article, keyed by article id)."""

    rules_fingerprint: str
    knowledge: Knowledge
    quoted: frozenset[str]
    content_keys: dict[str, Hashable]
    analyses: dict[str, TextAnalysis]
    mentions: dict[str, tuple[tuple[str, ...], ...]]
    topics: dict[str, tuple[tuple[str, ...], ...]]
    chars: dict[str, str]  # article id → its distinct characters
    char_counts: Counter[str]


def make_index(
    builder_slots: Mapping[str, int],
    articles: Sequence[Article],
    analyses: Mapping[str, TextAnalysis],
    mentions: Mapping[str, tuple[tuple[str, ...], ...]],
    slots: Mapping[str, int],
    unchanged: set[str],
    rules: Rules,
    previous: Previous | None,
) -> tuple[SentenceIndex, dict[str, str], Counter[str], bool]:
    """Patch the previous index when few articles changed, else build it afresh; the flag
    says which (``builder_slots``: every slot ever given, removed articles' too)."""
    changed = [a for a in articles if a.id not in unchanged]
    reference = rules.thresholds.idf_reference_sentences
    if previous is not None and len(changed) <= max(
        PATCH_MIN_ARTICLES, PATCH_SHARE * len(articles)
    ):
        current = {a.id for a in articles}
        removed = [i for i in previous.knowledge.by_id if i not in current or i not in unchanged]
        chars = {i: c for i, c in previous.chars.items() if i in current and i in unchanged}
        counts = Counter(previous.char_counts)
        for article_id in removed:
            counts.subtract(previous.chars[article_id])
        for article in changed:
            chars[article.id] = article_chars(analyses[article.id])
            counts.update(chars[article.id])
        counts = +counts  # drop characters no article uses any more
        index = patch_index(
            previous.knowledge.index,
            {i: (builder_slots[i], indexed_terms(previous, i)) for i in removed},
            changed,
            analyses,
            mentions,
            slots,
            frozenset(counts),
        )
        return index, chars, counts, True
    index = build_index(articles, analyses, mentions, slots, reference)
    chars = {a.id: article_chars(analyses[a.id]) for a in articles}
    counts = Counter(c for found in chars.values() for c in found)
    return index, chars, counts, False


def article_chars(analysis: TextAnalysis) -> str:
    """The distinct characters of an article's indexed sentences, as one string (a set per
    article would cost ~50 KB each; this costs ~1 KB)."""
    return "".join(sorted(set("".join(analysis.texts[:SENTENCES_PER_SLOT]))))


def indexed_terms(previous: Previous, article_id: str) -> set[str]:
    """The posting lists an article of the previous snapshot is in."""
    analysis = previous.analyses[article_id]
    terms = {t for sentence in analysis.terms[:SENTENCES_PER_SLOT] for t in sentence}
    terms |= {
        ENTITY_PREFIX + key
        for sentence in previous.mentions[article_id][:SENTENCES_PER_SLOT]
        for key in sentence
    }
    return terms
