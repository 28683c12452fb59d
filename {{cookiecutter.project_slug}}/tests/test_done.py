"""The done stage: the test score against done.yaml, and what to do next."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from {{ cookiecutter.module_name }}.core.config import Done
from {{ cookiecutter.module_name }}.core.files import write_json
from {{ cookiecutter.module_name }}.core.records import Forecast, Law, Metrics, Tuning, write_record
from {{ cookiecutter.module_name }}.core.settings import ThriftyError
from {{ cookiecutter.module_name }}.core.task import STANDARD
from {{ cookiecutter.module_name }}.done import decide, main, verdict
from {{ cookiecutter.module_name }}.reporting.summary import print_summary

WHY = "the learning curve is flat, falling or too noisy to extrapolate"
NO_FORECAST = Forecast(available=False, why=WHY)
# Below every shipped target, so a curve that levels off here never reaches it.
CEILING = 0.3


def outlook(need: int | None, now: int = 1000) -> Forecast:
    """A forecast as `tune` writes it: the target needs `need` rows (None: never)."""
    law = Law(a=CEILING if need is None else 0.99, b=1.0, c=0.5, residual=0.001)
    return Forecast(
        available=True,
        law=law,
        score_at_2x=0.2,
        score_at_10x=0.25,
        rows_for_target=need,
        rows_now=now,
    )


def tuning(
    gain: float = 0.0,
    cpu_seconds: float = 1.0,
    forecast: Forecast = NO_FORECAST,
    cv_score: float = 0.0,  # below every shipped target
) -> Tuning:
    """reports/tuning.json as `tune` writes it; `done` reads the pick, gain, CPU and forecast."""
    return Tuning(
        model="rival",
        metric=next(iter(STANDARD)),
        cv_score=cv_score,
        cv_se=0.01,
        gain=gain,
        why=f"best tuned score ({cv_score:.4f} ± 0.0100)",
        params={},
        cpu_seconds=cpu_seconds,
        budget_cpu_seconds=60.0,
        grid_cpu_seconds=40.0,
        curve_cpu_seconds=cpu_seconds / 3,
        forecast=forecast,
    )


def score_at(done: Done, where: str) -> float:
    middle = (done.floor + done.target) / 2
    return {"target": done.target, "between": middle, "under_floor": done.floor - 0.01}[where]


def write_reports(root: Path, done: Done, score: float, summary: Tuning) -> None:
    """reports/metrics.json from `evaluate` and reports/tuning.json from `tune`."""
    metrics = Metrics(
        model="rival",
        metric=done.metric,
        score=score,
        cv=summary.cv_score,
        test={},
        rows=200,
    )
    write_record(metrics, root / "reports" / "metrics.json")
    write_record(summary, root / "reports" / "tuning.json")


@pytest.mark.parametrize(
    ("where", "changes", "expected", "phrase"),
    [
        ("target", dict(forecast=outlook(None)), "done", "meets the target"),
        ("under_floor", dict(gain=1.0, forecast=outlook(5000)), "fold", "below the floor"),
        ("between", dict(gain=1.0, cpu_seconds=0.0), "keep_tuning", "Tuning rival gained 1.0000"),
        ("between", dict(gain=1.0, cpu_seconds=math.inf), "keep_tuning", "no forecast"),
        ("between", dict(forecast=outlook(5000)), "more_data", "at about 5,000 training rows"),
        ("between", dict(forecast=outlook(500)), "more_data", "too few test rows"),
        ("between", dict(forecast=outlook(None)), "fold", f"levels off at {CEILING:.4f}"),
        ("between", dict(gain=1.0, cv_score=1.0), "more_data", "(tuned rival scores 1.0000"),
    ],
    ids=[
        "target-reached",
        "under-the-floor",
        "gain-with-budget-left",
        "budget-spent-no-forecast",
        "curve-reaches-target-later",
        "curve-reaches-target-now",
        "curve-levels-off-below",
        "cross-validation-meets-target-test-does-not",
    ],
)
def test_verdicts(
    done: Done, where: str, changes: dict[str, Any], expected: str, phrase: str
) -> None:
    name, actions = decide(score_at(done, where), tuning(**changes), done)
    assert name == expected
    assert actions and all(actions)  # every verdict says what to do next
    assert phrase in actions[0]


def test_plateau_with_no_gain_keeps_tuning_without_forecast(done: Done) -> None:
    name, actions = decide(score_at(done, "between"), tuning(gain=done.min_gain / 2), done)
    assert name == "keep_tuning"
    assert actions[0] == f"Tuning has plateaued and no forecast is possible ({WHY})."


def test_more_data_says_how_many_rows(done: Done) -> None:
    _, later = decide(score_at(done, "between"), tuning(forecast=outlook(5000, 1000)), done)
    assert "(1,000 now)" in later[0]
    assert later[1].startswith("Label about 4,000 more items:")
    assert "--n 4000" in later[1] and "labels.pool" not in later[1]
    _, short = decide(
        score_at(done, "between"), tuning(forecast=outlook(5000, 1000)), done, pool_left=150
    )
    assert "the pool holds 150" in short[1]  # says where the other items must come from
    _, now = decide(score_at(done, "between"), tuning(forecast=outlook(500, 1000)), done)
    assert now[0].startswith(f"Cross-validation reaches {done.target} with the 1,000 training")


def test_verdict_reads_both_reports(root: Path, done: Done) -> None:
    write_reports(root, done, done.target, tuning())
    result = verdict(root, done)
    assert result.verdict == "done"
    assert (result.metric, result.score, result.target, result.floor) == (
        done.metric,
        done.target,
        done.target,
        done.floor,
    )
    assert result.model == "rival" and result.actions


def test_metric_mismatch_is_refused(root: Path, done: Done) -> None:
    write_reports(root, done, done.target, tuning())
    metrics = root / "reports" / "metrics.json"
    write_json(json.loads(metrics.read_text()) | {"metric": "some_other_metric"}, metrics)
    with pytest.raises(ThriftyError, match="some_other_metric"):
        verdict(root, done)


@pytest.mark.parametrize(("where", "code"), [("target", 0), ("between", 1)], ids=["done", "not"])
def test_check_returns_code_and_writes_nothing(
    root: Path, done: Done, where: str, code: int
) -> None:
    write_reports(root, done, score_at(done, where), tuning())
    assert main(root, check=True) == code
    assert not (root / "reports" / "done.json").exists()


def test_main_writes_the_verdict(root: Path, done: Done) -> None:
    write_reports(root, done, score_at(done, "between"), tuning(cpu_seconds=3.0))
    assert main(root) == 0  # without --check, a verdict other than done is not an error
    written = json.loads((root / "reports" / "done.json").read_text())
    assert written == verdict(root, done).model_dump()
    assert not (root / "reports" / "cost.json").exists()  # the report adds up the receipt


def test_missing_metrics_is_explained(root: Path) -> None:
    with pytest.raises(ThriftyError, match="run `dvc repro` first"):
        main(root)


def test_summary_is_markdown_of_the_last_run(
    root: Path, done: Done, capsys: pytest.CaptureFixture[str]
) -> None:
    write_reports(root, done, score_at(done, "between"), tuning())
    main(root)
    (root / "reports" / "leaderboard.csv").write_text(
        "model,score,score_se,cpu_seconds,kept,why\n"
        "dummy,0.5,0.01,0.2,False,baseline\n"
        'rival,0.8123456,0.02,1.5,True,"kept: best | score"\n'
    )
    assert print_summary(root) == 0
    page = capsys.readouterr().out
    written = json.loads((root / "reports" / "done.json").read_text())
    assert page.startswith(f"## Verdict: {written['verdict']}\n")
    assert all(f"- {action}" in page for action in written["actions"])
    assert "| model | score | score_se | cpu_seconds | kept | why |" in page
    assert "| rival | 0.8123 | 0.02 | 1.5 | True | kept: best \\| score |" in page


def test_summary_says_what_is_missing(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert print_summary(root) == 0  # a CI page after a failed step: no error of its own
    page = capsys.readouterr().out
    assert "No verdict: reports/done.json is missing" in page
    assert "No leaderboard: reports/leaderboard.csv is missing." in page
