"""Each article's tokens for a build: from the on-disk cache, else analysed (in parallel
when many).  Kept apart from the builder because the cache keys have their own life cycle:
they depend on the user words and synonyms, so a new set of lexicons forgets them all."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from pathlib import Path

from bot.content.model import Article
from bot.knowledge.analysis import AnalysisCache, Lexicons, TextAnalysis, cache_key
from bot.knowledge.parallel import analyse_many


class ArticleTokens:
    """Analyses by article, cached on disk under ``directory`` (none: memory only)."""

    def __init__(self, directory: Path | None) -> None:
        self.cache = AnalysisCache(directory)
        self._keys: dict[Hashable, str] = {}  # article content key → analysis cache key
        self._keys_for: Lexicons | None = None
        self._current: list[str] = []  # the cache keys the last build used

    def analyses(
        self,
        articles: Sequence[Article],
        keys: Sequence[Hashable],
        texts: Sequence[str],
        lexicons: Lexicons,
    ) -> dict[str, TextAnalysis]:
        """Each article's analysis (``texts``: their normalised texts, same order)."""
        if lexicons is not self._keys_for:
            self._keys.clear()  # they depend on the user words and synonyms
            self._keys_for = lexicons
        analyses: dict[str, TextAnalysis] = {}
        self._current = []
        todo: list[tuple[Article, str]] = []
        for article, key, text in zip(articles, keys, texts, strict=True):
            analysis_key = self._keys.get(key)
            if analysis_key is None:
                analysis_key = self._keys[key] = cache_key(article, lexicons, text)
            self._current.append(analysis_key)
            analysis = self.cache.get(analysis_key)
            if analysis is None:
                todo.append((article, analysis_key))
            else:
                analyses[article.id] = analysis
        fresh = analyse_many([a for a, _ in todo], [k for _, k in todo], lexicons)
        for (article, _), analysis in zip(todo, fresh, strict=True):
            analyses[article.id] = self.cache.put(analysis)
        return analyses

    def retain(self, wanted: Iterable[Hashable]) -> None:
        """Forget the keys of articles that are gone."""
        keep = set(wanted)
        self._keys = {k: v for k, v in self._keys.items() if k in keep}

    def retain_cache(self) -> None:
        """Drop cached analyses the last build did not use."""
        self.cache.retain(self._current)
