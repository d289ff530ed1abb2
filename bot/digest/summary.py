"""The one-line summary of an article in a digest: a whole sentence, chosen, never cut.

Why chosen: a summary made of a clause cut out of a sentence (the fact taken out, the rest
kept) is how 并汇聚成年产值的产业集群 reached readers.  So the digest takes the first sentence of
the article's summary (then of its text) that :mod:`bot.text.wellformed` accepts within its
length budget, and shows no summary rather than a broken one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Final

from bot.content.model import Article
from bot.text.sentences import split_sentences
from bot.text.wellformed import is_wellformed, rules

logger = logging.getLogger(__name__)

#: Sentences of the article body tried after its summary's, before giving up on a summary.
MAX_BODY_SENTENCES: Final = 12


def _sentences(text: str) -> Iterator[str]:
    for start, end in split_sentences(text):
        sentence = text[start:end].strip()
        if sentence:
            yield sentence


def _candidates(article: Article) -> Iterator[str]:
    yield from _sentences(article.summary)
    count = 0
    for section in article.sections:
        for paragraph in section.paragraphs:
            for sentence in paragraph.sentences:
                if count >= MAX_BODY_SENTENCES:
                    return
                count += 1
                yield sentence.text.strip()


def one_line_summary(article: Article, max_chars: int | None = None) -> str:
    """The first whole, well-formed sentence of the article within the budget, or ``""``."""
    budget = rules().max_chars if max_chars is None else max_chars
    for candidate in _candidates(article):
        line = " ".join(candidate.split())
        if line and is_wellformed(line, max_chars=budget):
            return line
    logger.debug("no well-formed summary sentence for article %s", article.id)
    return ""
