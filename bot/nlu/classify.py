"""Intent classification by the rules' regex patterns and keywords.

A pattern match is strong evidence, a keyword hit weaker; priority breaks ties.  The match
span is returned too, so question words (多少钱, 是谁) are not mistaken for content words.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.rules.model import Intent, IntentKind, Rules

PATTERN_SCORE = 1.0
KEYWORD_SCORE = 0.6  # one keyword; each further keyword adds KEYWORD_STEP, up to KEYWORD_MAX
KEYWORD_STEP = 0.05
KEYWORD_MAX = 0.8
PRIORITY_STEP = 0.1


@dataclass(frozen=True, slots=True)
class Classification:
    intent: Intent | None
    score: float
    spans: tuple[tuple[int, int], ...]  # where the intent's cues were found in the text
    second: Intent | None = None  # runner-up question intent, for mixed questions


def classify(text: str, rules: Rules) -> Classification:
    """The best intent for a normalised message (None when nothing matches)."""
    scored: list[tuple[float, int, Intent, tuple[tuple[int, int], ...]]] = []
    for order, intent in enumerate(rules.intents):
        spans: list[tuple[int, int]] = []
        score = 0.0
        for pattern in intent.patterns:
            match = pattern.search(text)
            if match:
                score = max(score, PATTERN_SCORE)
                spans.append(match.span())
        hits = 0
        for keyword in intent.keywords:
            at = text.find(keyword)
            if at >= 0:
                hits += 1
                spans.append((at, at + len(keyword)))
        if hits and score < PATTERN_SCORE:
            score = min(KEYWORD_MAX, KEYWORD_SCORE + KEYWORD_STEP * (hits - 1))
        if score > 0:
            scored.append((score + intent.priority * PRIORITY_STEP, -order, intent, tuple(spans)))
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
