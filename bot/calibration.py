"""Is the answer's confidence a share right?  The calibration table of an eval run.

An answer's ``confidence`` is meant to read as "of the answers given with this confidence,
this share is right" (the logistic in :meth:`bot.answer.score.Scorer.calibrated`, fitted by
``tools/fit_calibration.py``).  This module checks that promise on a run: answered questions
grouped in confidence buckets, each with how many were right.  A bucket whose share right is
far below its confidence is where confident wrong answers come from, so eval failures list
those first (:func:`worst_first`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

BUCKETS = 10  # equal-width confidence buckets over [0, 1]


class Scored(Protocol):
    """What the table needs of an eval result (:class:`bot.evaluate.EvalResult`)."""

    @property
    def right(self) -> bool: ...

    @property
    def answered(self) -> bool: ...

    @property
    def confidence(self) -> float: ...


S = TypeVar("S", bound=Scored)


@dataclass(frozen=True, slots=True)
class Bucket:
    low: float
    high: float
    count: int
    right: int
    mean_confidence: float

    @property
    def share_right(self) -> float:
        return self.right / self.count if self.count else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "confidence": f"{self.low:.1f}-{self.high:.1f}",
            "count": self.count,
            "right": self.right,
            "share_right": round(self.share_right, 4),
            "mean_confidence": round(self.mean_confidence, 4),
        }


def bucket_of(confidence: float, buckets: int = BUCKETS) -> int:
    return min(buckets - 1, max(0, int(confidence * buckets)))


def table(results: Iterable[Scored], buckets: int = BUCKETS) -> list[Bucket]:
    """Answered results by confidence bucket (empty buckets left out).  Declines carry no
    confidence worth checking: what a decline costs shows in the answerable accuracy."""
    members: list[list[Scored]] = [[] for _ in range(buckets)]
    for result in results:
        if result.answered:
            members[bucket_of(result.confidence, buckets)].append(result)
    return [
        Bucket(
            index / buckets,
            (index + 1) / buckets,
            len(rs),
            sum(r.right for r in rs),
            sum(r.confidence for r in rs) / len(rs),
        )
        for index, rs in enumerate(members)
        if rs
    ]


def expected_error(rows: Sequence[Bucket]) -> float:
    """Expected calibration error: the count-weighted gap between confidence and share right."""
    total = sum(b.count for b in rows)
    if not total:
        return 0.0
    return sum(b.count * abs(b.mean_confidence - b.share_right) for b in rows) / total


def render_table(rows: Sequence[Bucket], title: str = "calibration") -> list[str]:
    lines = [f"{title} (answered questions by confidence):"]
    lines.append(f"  {'confidence':<12}{'count':>7}{'right':>7}{'share right':>13}{'mean':>7}")
    for b in rows:
        lines.append(
            f"  {b.low:.1f}-{b.high:.1f}     {b.count:>7}{b.right:>7}{b.share_right:>13.1%}"
            f"{b.mean_confidence:>7.2f}"
        )
    lines.append(f"  expected calibration error: {expected_error(rows):.3f}")
    return lines


def worst_first(failures: Iterable[S]) -> list[S]:
    """Confident wrong answers first (most confident first), then wrong declines, each group
    in its original order: the answers the product must not give lead the list."""
    indexed = list(enumerate(failures))
    indexed.sort(key=lambda p: (not p[1].answered, -p[1].confidence if p[1].answered else 0, p[0]))
    return [r for _, r in indexed]


def fit_logistic(points: Sequence[tuple[float, bool]], steps: int = 100) -> tuple[float, float]:
    """``(centre, slope)`` of the logistic ``P(right | score)`` that best fits ``points``
    (maximum likelihood by Newton's method, with a faint ridge on the slope so that a
    sample with no wrong answer in some range still gives a finite fit)."""
    if not points or all(r for _, r in points) or not any(r for _, r in points):
        raise ValueError("fitting needs both right and wrong answers")
    ridge = 1e-3
    a, b = 0.0, 1.0  # intercept and slope of the logit
    for _ in range(steps):
        ga = gb = haa = hab = hbb = 0.0
        for x, right in points:
            p = 1 / (1 + math.exp(-(a + b * x)))
            err = (1.0 if right else 0.0) - p
            var = p * (1 - p)
            ga += err
            gb += err * x
            haa += var
            hab += var * x
            hbb += var * x * x
        gb -= ridge * b
        hbb += ridge
        det = haa * hbb - hab * hab
        if det <= 0:
            break
        da = (hbb * ga - hab * gb) / det
        db = (haa * gb - hab * ga) / det
        a, b = a + da, b + db
        if abs(da) < 1e-9 and abs(db) < 1e-9:
            break
    if b <= 0:
        raise ValueError("the score does not rise with the share right: nothing to calibrate")
    return -a / b, b


def logistic(score: float, centre: float, slope: float) -> float:
    return 1 / (1 + math.exp(-slope * (score - centre)))


def logit(p: float) -> float:
    return math.log(p / (1 - p))
