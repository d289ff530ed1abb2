"""Per-article text analysis for the index: normalised sentences, terms and name mentions.

Tokenising is the expensive part of a build, so the result is cached per article.  The
cache key is the article's content hash plus the user-dictionary words that occur in the
article: adding an unrelated page does not invalidate it, a new name that appears in the
article does (jieba would now cut that article differently).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sys
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from bot.content.lines import match_dateline
from bot.content.model import Article, Sentence
from bot.knowledge import cachefile
from bot.knowledge.matcher import PhraseMatcher
from bot.text import tokenizer
from bot.text.normalize import normalize

logger = logging.getLogger(__name__)

ANALYSIS_VERSION = 6
# Specific enough that a bare "研究院" later in an article means the one named before.
BARE_COREF_SUFFIXES = ("研究院", "研究所", "检测中心", "实验室", "大学")
# A sentence opening with one of these continues about whatever was named last.
DEMONSTRATIVES = ("这个", "这家", "这样", "这一", "这种", "这些", "该", "此")
CONCEPT_PREFIX = "≈"
ENTITY_PREFIX = "@"
_WORD_RE = re.compile(r"[\w]", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Lexicons:
    """Everything analysis depends on besides the article text."""

    concepts: PhraseMatcher  # synonym variant → canonical
    aliases: PhraseMatcher  # entity alias → alias (resolved to entity keys later)
    user_words: PhraseMatcher  # every user-dictionary word → itself
    stopwords: frozenset[str]
    fingerprint: str


@dataclass(frozen=True, slots=True)
class TextAnalysis:
    content_hash: str
    cache_key: str
    texts: tuple[str, ...]
    terms: tuple[tuple[str, ...], ...]
    alias_hits: tuple[tuple[str, ...], ...]


def sentence_locations(article: Article) -> Iterable[tuple[int, int, int, Sentence]]:
    """(section, paragraph, sentence) positions of every sentence, in reading order."""
    for s_i, section in enumerate(article.sections):
        for p_i, paragraph in enumerate(section.paragraphs):
            for k, sentence in enumerate(paragraph.sentences):
                yield s_i, p_i, k, sentence


def content_terms(text: str, lexicons: Lexicons) -> list[str]:
    """Index terms of one normalised text: words, and synonym concepts it mentions."""
    terms = [
        t
        for t in tokenizer.cut_for_search(text)
        if _WORD_RE.search(t) and t not in lexicons.stopwords
    ]
    terms += [CONCEPT_PREFIX + m.value for m in lexicons.concepts.find_all(text)]
    return terms


def cache_key(article: Article, lexicons: Lexicons, text: str | None = None) -> str:
    """What the analysis depends on: the article, the lexicons, and the user words it
    contains (``text`` is its normalised text, when the caller has it already)."""
    text = normalize(article.text) if text is None else text
    words = sorted(lexicons.user_words.phrases_in(text))
    digest = hashlib.sha256(
        f"{ANALYSIS_VERSION}\x00{article.content_hash}\x00{lexicons.fingerprint}\x00".encode()
    )
    digest.update("\x00".join(words).encode())
    return digest.hexdigest()[:24]


def analyse(article: Article, lexicons: Lexicons, key: str | None = None) -> TextAnalysis:
    texts: list[str] = []
    terms: list[tuple[str, ...]] = []
    hits: list[tuple[str, ...]] = []
    for *_, sentence in sentence_locations(article):
        text = normalize(sentence.text)
        texts.append(text)
        terms.append(tuple(dict.fromkeys(content_terms(text, lexicons))))
        hits.append(tuple(dict.fromkeys(m.phrase for m in lexicons.aliases.find_all(text))))
    return TextAnalysis(
        article.content_hash,
        key or cache_key(article, lexicons),
        tuple(texts),
        tuple(terms),
        tuple(hits),
    )


def shared(analysis: TextAnalysis) -> TextAnalysis:
    """The same analysis with every word and name interned.  Freshly cut articles each hold
    their own copy of 企业, 发展…: at 6,000 articles that is ~300 MB of duplicate strings;
    interned, one copy of each serves them all (entries read from disk are interned there)."""
    intern = sys.intern
    return replace(
        analysis,
        terms=tuple(tuple(intern(t) for t in sentence) for sentence in analysis.terms),
        alias_hits=tuple(tuple(intern(a) for a in sentence) for sentence in analysis.alias_hits),
    )


class AnalysisCache:
    """On-disk cache of TextAnalysis, one small data-only file per article, written atomically.

    Reading an entry can never crash a build or run code: anything wrong with a file (gone,
    unreadable, truncated, flipped bytes, another format version, an old pickle) is a miss,
    logged once per entry, and the article is analysed again (which rewrites the entry).
    """

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.memory: dict[str, TextAnalysis] = {}
        self.hits = 0
        self.misses = 0
        self._reported: set[str] = set()  # entries whose failure was already logged
        self._swept = False  # pre-JSON entries removed from the directory

    def get(self, key: str) -> TextAnalysis | None:
        found = self.memory.get(key)
        if found is None and self.directory is not None:
            found = self._read(key)
        if found is not None:
            self.hits += 1
            self.memory[key] = found
        else:
            self.misses += 1
        return found

    def _read(self, key: str) -> TextAnalysis | None:
        assert self.directory is not None
        path = self.directory / f"{key}{cachefile.SUFFIX}"
        try:
            entry = cachefile.decode(path.read_bytes(), key)
        except FileNotFoundError:
            return None
        except (OSError, cachefile.CacheEntryError) as exc:
            if key not in self._reported:
                self._reported.add(key)
                reason = exc.strerror if isinstance(exc, OSError) else str(exc)
                logger.warning("analysis cache entry %s unusable (%s): a miss", path.name, reason)
            return None
        return TextAnalysis(
            entry.content_hash, entry.key, entry.texts, entry.terms, entry.alias_hits
        )

    def put(self, analysis: TextAnalysis) -> TextAnalysis:
        """Store ``analysis``; returns the copy kept (its words shared with the others)."""
        kept = self.memory[analysis.cache_key] = shared(analysis)
        if self.directory is None:
            return kept
        entry = cachefile.CacheEntry(
            analysis.cache_key,
            analysis.content_hash,
            analysis.texts,
            analysis.terms,
            analysis.alias_hits,
        )
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._sweep()
            path = self.directory / f"{analysis.cache_key}{cachefile.SUFFIX}"
            tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_bytes(cachefile.encode(entry))
            os.replace(tmp, path)
        except OSError as exc:
            logger.warning("cannot write analysis cache: %s", exc.strerror)
        return kept

    def _sweep(self) -> None:
        """Delete entries of the old pickle format once: they are never read again."""
        if self._swept or self.directory is None:
            return
        self._swept = True
        for old in self.directory.glob("*.pickle"):
            old.unlink(missing_ok=True)

    def retain(self, keys: Iterable[str]) -> None:
        """Keep only what the current snapshot uses in memory (the disk keeps the rest)."""
        wanted = set(keys)
        self.memory = {k: v for k, v in self.memory.items() if k in wanted}


def resolve_mentions(
    article: Article,
    analysis: TextAnalysis,
    alias_to_key: Mapping[str, str],
    coref_suffixes: tuple[str, ...],
) -> tuple[tuple[str, ...], ...]:
    """Entity keys per sentence, including ``该研究院``-style references to the last one named,
    and the article's authors on its ``（作者系…）`` line — never on its dateline, whose
    credits name them, nor as the one a demonstrative refers back to."""
    last_by_suffix: dict[str, str] = {}
    last_named: str | None = None  # the organisation or person named last
    authors = [alias_to_key[normalize(n)] for n in article.byline if normalize(n) in alias_to_key]
    result = []
    for position, text in enumerate(analysis.texts):
        keys = list(
            dict.fromkeys(
                alias_to_key[a] for a in analysis.alias_hits[position] if a in alias_to_key
            )
        )
        if match_dateline(text):
            keys = [k for k in keys if k not in authors]  # a dateline's credits: not about them
        if text.lstrip("(（").startswith("作者"):
            keys += authors
        named_here = {
            s for a in analysis.alias_hits[position] for s in coref_suffixes if a.endswith(s)
        }
        for suffix in coref_suffixes:
            if suffix not in last_by_suffix or suffix in named_here:
                continue
            pointed = any(f"{d}{suffix}" in text for d in ("该", "这家", "此", "这个"))
            if pointed or (suffix in BARE_COREF_SUFFIXES and suffix in text):
                keys.append(last_by_suffix[suffix])
        if last_named and text.lstrip('“「‘"').startswith(DEMONSTRATIVES):
            keys.append(last_named)  # "这个由市级财政投入…的平台": still about the one before
        hits = analysis.alias_hits[position]
        for alias in hits:
            key = alias_to_key.get(alias)
            if key is None or any(len(h) > len(alias) and h.endswith(alias) for h in hits):
                continue  # 冷链物流中心 inside 某某冷链物流中心: the longer one was named
            if key.startswith(("org:", "person:")) and key not in authors:
                last_named = key  # a reporter credited is never "the one before" (该项目…)
            for suffix in coref_suffixes:
                if alias.endswith(suffix):
                    last_by_suffix[suffix] = key
        result.append(tuple(dict.fromkeys(keys)))
    return tuple(result)
