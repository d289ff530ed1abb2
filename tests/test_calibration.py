"""Calibrated confidence: the table eval prints, the fit, and the one decline threshold."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests_paths import INTENTS, SEEDS

from bot import calibration
from bot.answer.engine import Answerer
from bot.answer.model import Answer
from bot.evaluate import EvalItem, EvalResult
from bot.knowledge.build import Knowledge, build_knowledge


def result(confidence: float, right: bool, answered: bool = True) -> EvalResult:
    item = EvalItem(f"q{confidence}{right}", ("x",), "direct", None, 1)
    answer = Answer(item.question, answered, "ask_amount", confidence if answered else 0.0, "")
    return EvalResult(item, answer, right, 1.0)


def test_table_groups_answered_results_by_confidence() -> None:
    rows = calibration.table(
        [
            result(0.95, True),
            result(0.92, False),
            result(0.99, True),
            result(0.55, False),
            result(1.0, True),  # a fixed 1.0 (meta) belongs in the top bucket
            result(0.0, False, answered=False),  # declines carry no confidence
        ]
    )
    assert [(b.low, b.count, b.right) for b in rows] == [(0.5, 1, 0), (0.9, 4, 3)]
    assert rows[1].share_right == 0.75
    error = calibration.expected_error(rows)
    assert error == pytest.approx((1 * 0.55 + 4 * abs((0.95 + 0.92 + 0.99 + 1.0) / 4 - 0.75)) / 5)
    text = "\n".join(calibration.render_table(rows))
    assert "0.9-1.0" in text and "75.0%" in text


def test_confident_wrong_answers_come_first() -> None:
    declined = result(0.0, False, answered=False)
    unsure, sure = result(0.6, False), result(0.97, False)
    assert calibration.worst_first([declined, unsure, sure]) == [sure, unsure, declined]


def test_fit_recovers_a_known_logistic() -> None:
    """Ten answers at each score, as many right as the logistic (centre 0.6, slope 8) says."""
    points = []
    for step in range(11):
        score = step / 10
        right = round(10 * calibration.logistic(score, 0.6, 8.0))
        points += [(score, True)] * right + [(score, False)] * (10 - right)
    centre, slope = calibration.fit_logistic(points)
    assert centre == pytest.approx(0.6, abs=0.03)
    assert slope == pytest.approx(8.0, rel=0.15)
    with pytest.raises(ValueError):
        calibration.fit_logistic([(0.9, True), (0.8, True)])
    assert calibration.logit(calibration.logistic(0.3, 0.6, 8.0)) == pytest.approx(-2.4)


def test_answer_confidence_is_the_calibrated_score(answerer: Answerer) -> None:
    answer = answerer.answer("和天电子的董事长是谁？")
    assert answer.answered
    query = answerer.pipeline.read(answer.question)
    found = answerer.pipeline.find(query, None)
    assert found.candidate is not None
    scorer = answerer.retriever.scorer
    assert answer.confidence == scorer.calibrated(found.candidate.confidence)
    scoring = answerer.knowledge.rules.scoring
    assert scoring.decline_below <= answer.confidence < 1
    # monotone in the score, and a share: in (0, 1)
    values = [scorer.calibrated(s / 10) for s in range(11)]
    assert values == sorted(values) and values[0] > 0 and values[-1] < 1
    assert scorer.calibrated(scoring.calibration_centre) == pytest.approx(0.5)


@pytest.fixture(scope="module")
def strict_knowledge(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Knowledge:
    """The shipped rules with decline_below raised above any confidence the bot can give."""
    intents = tmp_path_factory.mktemp("strict-intents")
    for path in INTENTS.iterdir():
        if path.is_file():
            shutil.copy(path, intents / path.name)
    scoring = intents / "scoring.yaml"
    text = scoring.read_text(encoding="utf-8")
    lines = [
        "  decline_below: 0.9999" if line.startswith("  decline_below:") else line
        for line in text.splitlines()
    ]
    scoring.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return build_knowledge(SEEDS, intents, cache_dir)


def test_the_one_threshold_decides_the_decline(
    strict_knowledge: Knowledge, answerer: Answerer
) -> None:
    question = "和天电子的董事长是谁？"
    assert answerer.answer(question).answered
    strict = Answerer(strict_knowledge)
    assert strict.knowledge.rules.scoring.decline_below == 0.9999
    declined = strict.answer(question)
    assert not declined.answered and declined.quote is None and declined.confidence == 0.0
    # the same best sentence is still found: only its confidence falls short
    need = strict.pipeline.find(strict.pipeline.read(question), None).need
    ranked = strict.retriever.rank(need, limit=1)
    assert ranked and "陈宏志" in ranked[0].sentence.text
    assert strict.retriever.calibrated(ranked[0]) == answerer.answer(question).confidence
