"""Fit the calibrated confidence on the development suites and show what the threshold trades.

    .venv/bin/python tools/fit_calibration.py [--manifest tests/eval_suites.yaml]

Runs every non-holdout suite of the manifest (as ``newsbot eval --all`` does), recovers each
answer's score from its confidence under the current ``calibration_centre`` /
``calibration_slope`` of intents/scoring.yaml, fits the logistic P(right | score) on the
answered questions, and prints the values to put in scoring.yaml, with the decline threshold
that keeps today's cut-off.  Then, under the new mapping, it shows what moving the one
threshold ``decline_below`` would trade: the answerable and declined accuracy, and the
confident wrong answers left, on the development and the holdout suites (totals only: the
holdout's failures are never read).  The trade is worked out from the one run (an answer
under the threshold becomes a decline), so follow-ups after a newly declined turn may differ
a little from a real run at that threshold.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import calibration  # noqa: E402
from bot.config import default_cache_dir  # noqa: E402
from bot.evalsuite import evaluate_all, load_manifest  # noqa: E402
from bot.evaluate import EvalResult  # noqa: E402
from bot.service import NewsService  # noqa: E402
from bot.text import tokenizer  # noqa: E402

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)


def trade(results: list[EvalResult], new: dict[int, float], threshold: float) -> str:
    answerable = declined = a_right = d_right = wrong = 0
    for r in results:
        answered = r.answered and new[id(r)] >= threshold
        right = r.right if answered or not r.answered else r.item.expect is None
        if r.item.answerable:
            answerable += 1
            a_right += right
        else:
            declined += 1
            d_right += right
        wrong += answered and not right
    return (
        f"answerable {a_right / answerable:6.1%} ({a_right}/{answerable})  "
        f"declined {d_right / declined:6.1%} ({d_right}/{declined})  confident wrong {wrong}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--manifest", default=str(ROOT / "tests/eval_suites.yaml"))
    parser.add_argument("--intents", default=str(ROOT / "intents"))
    args = parser.parse_args()
    cache = default_cache_dir(os.environ)
    tokenizer.configure(cache / "jieba")
    manifest = load_manifest(Path(args.manifest))
    scoring = NewsService(manifest.shipped, Path(args.intents), cache).load().rules.scoring
    centre, slope = scoring.calibration_centre, scoring.calibration_slope
    report = evaluate_all(manifest, Path(args.intents), cache)

    def score_of(r: EvalResult) -> float | None:
        # meta and chit-chat answers carry a fixed 1.0, not a score
        if not r.answered or r.confidence >= 1 or r.confidence <= 0:
            return None
        return centre + calibration.logit(r.confidence) / slope

    dev, holdout = report.results(False), report.results(True)
    points = [(s, r.right) for r in dev if (s := score_of(r)) is not None]
    new_centre, new_slope = calibration.fit_logistic(points)
    cut = centre + calibration.logit(scoring.decline_below) / slope
    keep = calibration.logistic(cut, new_centre, new_slope)
    print(f"fitted on {len(points)} answered development questions:")
    print(f"  calibration_centre: {new_centre:.4f}")
    print(f"  calibration_slope: {new_slope:.4f}")
    print(f"  decline_below: {keep:.4f}   # today's cut-off (score {cut:.3f}) under the new fit")
    new: dict[int, float] = {}
    for r in dev + holdout:
        s = score_of(r)
        new[id(r)] = r.confidence if s is None else calibration.logistic(s, new_centre, new_slope)
    for name, results in (("development", dev), ("holdout", holdout)):
        print(f"\n{name}, decline_below → result (simulated from one run):")
        for threshold in sorted({*THRESHOLDS, round(keep, 4)}):
            print(f"  {threshold:<7} {trade(results, new, threshold)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
