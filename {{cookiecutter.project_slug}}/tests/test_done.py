"""The done stage: the test score against done.yaml, and what to do next."""

from __future__ import annotations

from pathlib import Path

import pytest

from {{ cookiecutter.module_name }}.config import Done, ThriftyError
from {{ cookiecutter.module_name }}.done import main, verdict
from {{ cookiecutter.module_name }}.files import write_json


def metrics(done: Done, score: float) -> dict[str, object]:
    return {"model": "rival", "metric": done.metric, "score": score}


def test_target_reached_is_done(done: Done) -> None:
    result = verdict(metrics(done, done.target), done)
    assert result["verdict"] == "done"
    assert (result["metric"], result["score"], result["target"]) == (
        done.metric,
        done.target,
        done.target,
    )


def test_below_target_keeps_tuning(done: Done) -> None:
    result = verdict(metrics(done, done.target - 0.1), done)
    assert result["verdict"] == "keep_tuning"
    assert "below the target" in result["actions"][0]


def test_metric_mismatch_is_refused(done: Done) -> None:
    wrong = metrics(done, done.target) | {"metric": "some_other_metric"}
    with pytest.raises(ThriftyError, match="some_other_metric"):
        verdict(wrong, done)


@pytest.mark.parametrize(("offset", "code"), [(0.0, 0), (-0.1, 1)], ids=["done", "keep_tuning"])
def test_check_returns_code_and_writes_nothing(
    root: Path, done: Done, offset: float, code: int
) -> None:
    write_json(metrics(done, done.target + offset), root / "reports" / "metrics.json")
    assert main(root, check=True) == code
    assert not (root / "reports" / "done.json").exists()


def test_main_writes_the_verdict(root: Path, done: Done) -> None:
    write_json(metrics(done, done.target - 0.1), root / "reports" / "metrics.json")
    assert main(root) == 0
    assert (root / "reports" / "done.json").is_file()


def test_missing_metrics_is_explained(root: Path) -> None:
    with pytest.raises(ThriftyError, match="run `dvc repro` first"):
        main(root)
