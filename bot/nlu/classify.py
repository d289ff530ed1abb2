"""Intent classification by the rules' regex patterns and keywords.

A pattern match is strong evidence, a keyword hit weaker; priority breaks ties.  The match
span is returned too, so question words (多少钱, 是谁) are not mistaken for content words.
The scores are weights of ``intents/scoring.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.rules.model import Intent, IntentKind, Rules


@dataclass(frozen=True, slots=True)
class Classification:
    intent: Intent | None
    score: float
    spans: tuple[tuple[int, int], ...]  # where the intent's cues were found in the text
    second: Intent | None = None  # runner-up question intent, for mixed questions


def classify(text: str, rules: Rules) -> Classification:
    """The best intent for a normalised message (None when nothing matches)."""
    w = rules.scoring
    scored: list[tuple[float, int, Intent, tuple[tuple[int, int], ...]]] = []
    for order, intent in enumerate(rules.intents):
        spans: list[tuple[int, int]] = []
        score = 0.0
        for pattern in intent.patterns:
            match = pattern.search(text)
            if match:
                score = max(score, w.pattern_score)
                spans.append(match.span())
        hits = 0
        for keyword in intent.keywords:
            at = text.find(keyword)
            if at >= 0:
                hits += 1
                spans.append((at, at + len(keyword)))
        if hits and score < w.pattern_score:
            score = min(w.keyword_max, w.keyword_score + w.keyword_step * (hits - 1))
        if score > 0:
            scored.append(
                (score + intent.priority * w.priority_step, -order, intent, tuple(spans))
            )
    if not scored:
        return Classification(None, 0.0, ())
    scored.sort(key=lambda item: (item[0], item[1]), reverse=True)
    best = scored[0]
    second = next(
        (
            s[2]
            for s in scored[1:]
            if s[2].kind is IntentKind.QUESTION and best[2].kind is IntentKind.QUESTION
        ),
        None,
    )
    return Classification(best[2], best[0], best[3], second)
