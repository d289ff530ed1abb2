"""What a build derives from the rules and the entity table: lexicons, user words, keys.

Kept apart from the builder because each is a pure function of its inputs, and the builder
compares their results across reloads to decide what it may reuse.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from bot.content.model import Article
from bot.knowledge.analysis import Lexicons
from bot.knowledge.entities import EntityKind, EntityTable
from bot.knowledge.matcher import PhraseMatcher
from bot.rules.model import Rules
from bot.text import tokenizer

# Organisation words that ``该…`` / ``这家…`` refer back to.
COREF_SUFFIXES = ("研究院", "中心", "集团", "公司", "企业", "平台", "基金", "海关", "大学")


def content_key(article: Article) -> str:
    """Everything about an article that tokens, names, topics and the index depend on, as
    a short digest (it is hashed often: a name used in a thousand articles is keyed by all
    of theirs)."""
    parts = (
        article.id,
        article.content_hash,
        article.column,
        article.byline,
        tuple(s.heading for s in article.sections),
        tuple(len(p.sentences) for p in article.paragraphs),
    )
    return hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()[:20]


def make_lexicons(rules: Rules, entities: EntityTable, quoted: frozenset[str]) -> Lexicons:
    concept_pairs = []
    for canonical, variants in rules.synonyms.items():
        for word in (canonical, *variants):
            concept_pairs.append((word, canonical))
    user = {w for w, _ in concept_pairs} | set(entities.alias_to_key) | set(quoted)
    digest = hashlib.sha256()
    for word in sorted(rules.language.stopwords):
        digest.update(word.encode() + b"\x00")
    for word, canonical in sorted(concept_pairs):
        digest.update(f"{word}={canonical}\x00".encode())
    return Lexicons(
        concepts=PhraseMatcher(concept_pairs),
        aliases=PhraseMatcher((a, a) for a in entities.alias_to_key),
        user_words=PhraseMatcher((w, w) for w in user),
        stopwords=rules.language.stopwords,
        fingerprint=digest.hexdigest()[:16],
    )


def user_words(lexicons: Lexicons) -> list[str]:
    return sorted(w for w in lexicons.user_words.phrases() if len(w) >= 2)


def person_names(entities: EntityTable) -> list[str]:
    """Two-character names matched by sound too: people (陈旌) and short company names that
    are not ordinary words (三安, 信维)."""
    return [
        a
        for e in entities.entities.values()
        for a in e.aliases
        if e.kind is EntityKind.PERSON
        or (e.kind is EntityKind.PLACE and len(a) == 2)
        or (e.kind is EntityKind.ORG and len(a) == 2 and not tokenizer.is_word(a))
    ]


def version_of(articles: Sequence[Article], rules: Rules) -> str:
    digest = hashlib.sha256(rules.fingerprint.encode())
    for article in articles:
        digest.update(article.content_hash.encode())
    return digest.hexdigest()[:12]
