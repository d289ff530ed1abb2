"""How much a block of text reads like an article: what decides where text that follows a
cut-off paragraph belongs."""

from __future__ import annotations

import math

from bot.content.drafts import Profile


def similarities(block: Profile, articles: list[Profile], speaker_bonus: float) -> list[float]:
    """Cosine similarity of character-bigram sets, so long articles get no head start, plus
    ``speaker_bonus`` (``lexicon: parsing:``) when the block continues an interview: the same
    speakers (记者：/唐晓梅：)."""
    scores = []
    for article in articles:
        denominator = math.sqrt(len(article.grams) * len(block.grams)) or 1.0
        score = len(article.grams & block.grams) / denominator
        if block.speakers and block.speakers & article.speakers:
            score += speaker_bonus
        scores.append(score)
    return scores
