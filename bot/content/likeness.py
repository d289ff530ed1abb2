"""Which earlier article a block of text reads like: where text after a cut-off belongs.

Character bigrams rather than words (no tokenizer needed while parsing), cosine-normalised so
long articles get no head start, with a bonus for an interview's recurring speakers.
"""

from __future__ import annotations

import math
import re
from itertools import pairwise

from bot.content.drafts import ArticleDraft


def _bigrams(text: str) -> set[str]:
    chars = [c for c in text if c.isalnum()]
    return {a + b for a, b in pairwise(chars)}


def similarities(block: str, articles: list[ArticleDraft], speaker_bonus: float) -> list[float]:
    """Cosine similarity of character-bigram sets, so long articles get no head start, plus
    ``speaker_bonus`` (``lexicon: parsing:``) when the block continues an interview: the same
    speakers (记者：/唐晓梅：)."""
    block_grams = _bigrams(block)
    block_speakers = _speakers(block)
    scores = []
    for article in articles:
        grams = _bigrams(article.text())
        denominator = math.sqrt(len(grams) * len(block_grams)) or 1.0
        score = len(grams & block_grams) / denominator
        if block_speakers and block_speakers & _speakers(article.text()):
            score += speaker_bonus
        scores.append(score)
    return scores


_SPEAKER_RE = re.compile(r"(?:^|\n|[。！？”])([\u4e00-\u9fff]{2,4})：")


def _speakers(text: str) -> set[str]:
    return set(_SPEAKER_RE.findall(text))
