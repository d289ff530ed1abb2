"""Tokenise many articles in worker processes (a cold start on thousands of pages).

jieba is pure Python and the machine has cores to spare, so a first build of a large archive
analyses articles in parallel.  Each worker loads jieba from the shared dictionary cache and
gets exactly the main process's user words, so its tokens are the ones the main process
would produce; small batches stay in-process, where starting workers would cost more than
it saves.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bot.content.loader import exit_with_parent
from bot.content.model import Article
from bot.knowledge.analysis import Lexicons, TextAnalysis, analyse
from bot.text import tokenizer

logger = logging.getLogger(__name__)

PARALLEL_MIN_ARTICLES = 400  # about two seconds of work in one process
MAX_WORKERS = 4
_CHUNK = 16

_lexicons: Lexicons | None = None


def analyse_many(
    articles: Sequence[Article], keys: Sequence[str], lexicons: Lexicons
) -> list[TextAnalysis]:
    """``analyse`` of each article (same order), in worker processes when there are many."""
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    if len(articles) < PARALLEL_MIN_ARTICLES or workers < 2:
        return [analyse(a, lexicons, k) for a, k in zip(articles, keys, strict=True)]
    logger.info("analysing %d articles in %d processes", len(articles), workers)
    context = multiprocessing.get_context("spawn")  # no fork of a threaded event loop
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(tokenizer.cache_dir(), sorted(tokenizer.user_words()), lexicons),
    ) as pool:
        return list(pool.map(_analyse, articles, keys, chunksize=_CHUNK))


def _start_worker(cache_dir: Path, words: list[str], lexicons: Lexicons) -> None:
    global _lexicons
    exit_with_parent(os.getppid())  # a kill -9 of the bot must not leave workers behind
    tokenizer.configure(cache_dir)
    tokenizer.publish(tokenizer.Segmenter(words))  # the building snapshot's words
    _lexicons = lexicons


def _analyse(article: Article, key: str) -> TextAnalysis:
    if _lexicons is None:
        raise RuntimeError("worker not initialised")
    return analyse(article, _lexicons, key)
