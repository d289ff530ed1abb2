"""`newsbot eval --all`: the manifest, the corpora it builds, and how holdout suites are shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests_paths import FIXTURES, INTENTS, QA, ROOT

from bot.cli import main
from bot.errors import InputError
from bot.evalsuite import evaluate_all, load_manifest, render_all

HIDDEN = "这句话不在任何一页上吗？"  # a holdout question that fails: its text must not show


def test_shipped_manifest_lists_every_question_file() -> None:
    manifest = load_manifest(QA.parent / "eval_suites.yaml")
    listed = {s.questions for s in manifest.suites}
    files = {p.resolve() for p in QA.rglob("*.yaml")}
    assert files == listed, f"not in tests/eval_suites.yaml: {sorted(files - listed)}"
    holdout = {s.name for s in manifest.suites if s.holdout}
    assert holdout == {
        "105_zhengwu",
        "106_jiaoyu",
        "109_minsheng",
        "111_nengyuan",
        "112_shuili",
        "115_yingji",
        "116_wenti",
        "117_shangmao",
        "120_zhizao",
        "122_wuliu",
        "125_jianguan",
        "128_gangkou",
        "131_tielu",
        "136_kaogu",
        "137_liangshi",
    }
    blind = [s for s in manifest.suites if "blind" in s.questions.parts]
    assert blind and all(s.beside_shipped for s in blind)
    assert manifest.shipped == (ROOT / "seeds").resolve()


def test_manifest_errors_are_located(tmp_path: Path) -> None:
    path = tmp_path / "suites.yaml"
    path.write_text(
        "version: 1\n"
        f"root: {ROOT}\n"
        "suites:\n"
        "  - {questions: tests/qa/seed_page.yaml, pages: seeds, holdout: maybe}\n"
        "  - {questions: tests/qa/nowhere.yaml, pages: seeds}\n"
        "  - {questions: tests/qa/seed_page.yaml, pages: seeds, page: x}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_manifest(path)
    text = str(caught.value)
    assert f"{path}:4: holdout must be true or false" in text
    assert f"{path}:5: no such file or directory" in text
    assert f"{path}:6: unknown key 'page'" in text


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    """One development suite on the shipped page, one holdout suite beside it."""
    (tmp_path / "dev.yaml").write_text(
        "- {q: 和天电子的董事长是谁？, expect: [陈宏志], group: direct}\n"
        "- {q: 和天电子的CEO毕业于哪所大学？, expect: null, group: nearmiss}\n",
        encoding="utf-8",
    )
    (tmp_path / "blind.yaml").write_text(
        "- {q: 和天电子的董事长是谁？, expect: [陈宏志], group: direct}\n"
        "- {q: 练江干流有多长？, expect: [71.1公里], group: direct}\n"
        f"- {{q: {HIDDEN}, expect: [一句没有的话], group: paraphrase}}\n",
        encoding="utf-8",
    )
    path = tmp_path / "suites.yaml"
    path.write_text(
        f"version: 1\nroot: {ROOT}\nshipped: seeds\nsuites:\n"
        f"  - {{questions: {tmp_path / 'dev.yaml'}, pages: seeds}}\n"
        f"  - {{questions: {tmp_path / 'blind.yaml'}, pages: {FIXTURES / 'pages5'},"
        " beside_shipped: true, holdout: true}\n",
        encoding="utf-8",
    )
    return path


def test_all_suites_in_one_report_with_the_holdout_kept_apart(
    manifest: Path, cache_dir: Path
) -> None:
    report = evaluate_all(load_manifest(manifest), INTENTS, cache_dir)
    (dev_suite, dev), (blind_suite, blind) = report.reports
    assert not dev_suite.holdout and blind_suite.holdout and blind_suite.beside_shipped
    assert [r.right for r in dev.results] == [True, True]
    # beside the shipped page: both pages' facts are answered from one corpus
    assert [r.right for r in blind.results] == [True, True, False]
    assert report.totals(holdout=False)["right"] == 2
    held = report.totals(holdout=True)
    assert (held["answerable"], held["answerable_right"]) == (3, 2)

    text = render_all(report)
    assert "blind" in text and "(holdout)" in text and "holdout total:" in text
    assert HIDDEN not in text  # a holdout failure is never shown by default
    assert HIDDEN in render_all(report, show_holdout=True)
    data = report.as_dict()
    entry = next(s for s in data["suites"] if s["holdout"])
    assert "failures" not in entry and "groups" not in entry
    assert set(data["calibration"]) == {"dev", "holdout"}
    assert "holdout" not in data["groups"]
    shown = report.as_dict(show_holdout=True)
    assert next(s for s in shown["suites"] if s["holdout"])["failures"][0]["q"] == HIDDEN


def test_cli_eval_all_json_and_usage(
    manifest: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", "--all", "--manifest", str(manifest), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["totals"]["dev"]["total"] == 2
    assert data["totals"]["holdout"]["total"] == 3
    # the exit status follows the development totals only (2/2 right here)
    assert main(["eval", "--all", "--manifest", str(manifest), "--min-answerable", "1"]) == 0
    capsys.readouterr()
    assert main(["eval"]) == 2
    assert main(["eval", str(QA / "seed_page.yaml"), "--all"]) == 2
    assert "question file or --all" in capsys.readouterr().err


def test_a_suite_below_its_recorded_floor_fails_eval_all(
    manifest: Path, cache_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = manifest.read_text(encoding="utf-8")
    held = text.replace("holdout: true}", "holdout: true, floor: {answerable: 2, declined: 0}}")
    manifest.write_text(held, encoding="utf-8")
    assert main(["eval", "--all", "--manifest", str(manifest)]) == 0  # 2/3 right: at its floor
    capsys.readouterr()
    manifest.write_text(held.replace("answerable: 2", "answerable: 3"), encoding="utf-8")
    assert main(["eval", "--all", "--manifest", str(manifest)]) == 1
    err = capsys.readouterr().err
    assert "below its recorded floor: blind: answerable 2/3 (floor 3)" in err
    assert HIDDEN not in err  # the holdout's failures stay unread


@pytest.mark.parametrize("floor", ["{answerable: 2}", "{answerable: -1, declined: 0}", "7"])
def test_a_malformed_floor_is_located(manifest: Path, floor: str) -> None:
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace("holdout: true}", f"holdout: true, floor: {floor}}}"))
    with pytest.raises(InputError) as caught:
        load_manifest(manifest)
    assert f"{manifest}:6: floor must be" in str(caught.value)


def test_every_suite_holds_its_recorded_floor(cache_dir: Path) -> None:
    """The final figures in tests/eval_suites.yaml (docs/quality.md) are a floor: a change
    that answers fewer questions right on any page — golden, blind or holdout — fails."""
    manifest = load_manifest(QA.parent / "eval_suites.yaml")
    assert all(s.floor is not None for s in manifest.suites)
    report = evaluate_all(manifest, INTENTS, cache_dir)
    assert report.below_floor() == []
