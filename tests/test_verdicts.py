"""All four verdicts from done.yaml edits alone, and which stages each kind of edit reruns.

Runs once per data kind: text projects have their own demo corpus, ladder and thresholds.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from conftest import bake, run, shared_setup

# No done.yaml edit reruns these; `target` also reruns `baselines` (the race stops at it).
UPSTREAM = {"demo", "prepare", "sample"}


@pytest.fixture(scope="module", params=["tabular", "text"])
def project(request, tmp_path_factory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp(f"verdicts-{request.param}")
    project = shared_setup(bake(out, project_name="Verdicts", data_kind=request.param))
    # Cold stages: the receipts below hold a fresh process's start-up, which a warm stage
    # (core/warm.py, tested in the bake's own tests/test_warm.py) no longer pays.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("THRIFTY_WARM", "0")
        run([".venv/bin/dvc", "repro"], project)
        yield project


def reachable_target(project: Path) -> float:
    """A target above the held-out score that the pick's learning curve reaches.

    Halfway between the test score and the ceiling of the fitted curve: cross-validation (or
    the curve with more rows) gets there, the test set does not, so the verdict is more_data.
    """
    reports = project / "reports"
    forecast = json.loads((reports / "tuning.json").read_text())["forecast"]
    assert forecast["available"], f"the pick's learning curve has no forecast: {forecast['why']}"
    ceiling = forecast["law"]["a"]
    score = json.loads((reports / "done.json").read_text())["score"]
    assert ceiling > score + 2e-4, "the demo's learning curve no longer rises past its test score"
    return round((score + ceiling) / 2, 4)


def met_target(project: Path) -> float:
    """A target the held-out score meets: the score rounded down to two decimals."""
    score = json.loads((project / "reports" / "done.json").read_text())["score"]
    return math.floor(score * 100) / 100


def edit_done(project: Path, **values: float) -> set[str]:
    """Change done.yaml, run `dvc repro`, and return the stages that ran."""
    path = project / "done.yaml"
    done = yaml.safe_load(path.read_text())
    done.update(values)
    path.write_text(yaml.safe_dump(done, sort_keys=False))
    output = run([".venv/bin/dvc", "repro"], project).stdout
    return set(re.findall(r"Running stage '([^']+)'", output))


def verdict(project: Path) -> str:
    return json.loads((project / "reports" / "done.json").read_text())["verdict"]


def check(project: Path) -> int:
    command = [".venv/bin/python", "-m", "verdicts", "done", "--check"]
    return run(command, project, check=False).returncode


def test_four_verdicts_from_done_yaml_alone(project):
    # A target the held-out score meets: done, and the CI gate passes.
    ran = edit_done(project, target=met_target(project))
    assert not ran & UPSTREAM
    assert verdict(project) == "done" and check(project) == 0

    # A verdict-only key reruns the verdict (and the page showing it), nothing else.
    assert edit_done(project, floor=0.7) == {"done", "report"}

    # An unreachable target with tuning still allowed to pay: keep tuning.
    ran = edit_done(project, target=0.995, min_gain=0.0)
    assert {"tune", "done"} <= ran and not ran & UPSTREAM
    assert verdict(project) == "keep_tuning" and check(project) == 1

    # Tuning plateaued, and the learning curve tops out below the target: fold.
    assert edit_done(project, min_gain=1.0) == {"done", "report"}
    assert verdict(project) == "fold" and check(project) == 1

    # Plateaued, but cross-validation or the curve reaches a closer target: more data.
    target = reachable_target(project)
    ran = edit_done(project, target=target)
    assert not ran & UPSTREAM
    assert verdict(project) == "more_data" and check(project) == 1

    # Below the floor after tuning: fold.
    assert edit_done(project, floor=target) == {"done", "report"}
    assert verdict(project) == "fold"

    # The budget steers tuning too, never the race or the stages before it.
    ran = edit_done(project, budget_cpu_seconds=30)
    assert not ran & (UPSTREAM | {"baselines"})

    for key in ("verdict", "metric", "score", "target", "actions"):
        assert key in json.loads((project / "reports" / "done.json").read_text())


def test_cost_receipt_beside_one_narrow_metrics_table(project):
    # DVC's metrics are the scores alone: one file, one row (the receipt is reports/cost.json).
    shown = run([".venv/bin/dvc", "metrics", "show"], project).stdout.splitlines()
    assert len(shown) == 2 and shown[1].startswith("reports/metrics.json"), shown
    cost = json.loads((project / "reports" / "cost.json").read_text())
    assert {"grid_estimate_cpu_seconds", "total_cpu_seconds", "pipeline"} <= set(cost)
    assert cost["total_cpu_seconds"] == pytest.approx(
        cost["baselines_cpu_seconds"] + cost["tune_cpu_seconds"], abs=0.01
    )
    # The search itself against the grid's estimate; the forecast is an extra a grid lacks.
    assert 0 < cost["forecast_cpu_seconds"] < cost["tune_cpu_seconds"]
    search = cost["tune_cpu_seconds"] - cost["forecast_cpu_seconds"]
    assert cost["grid_estimate_cpu_seconds"] > search


def test_receipt_counts_every_stage_process(project):
    """Each stage's whole process, imports included, beside the model work it counted."""
    cost = json.loads((project / "reports" / "cost.json").read_text())
    stages = yaml.safe_load((project / "dvc.yaml").read_text())["stages"]
    by_stage = {line["stage"]: line for line in cost["stages"]}
    assert set(by_stage) == set(stages)  # every stage of the pipeline, the report itself too
    for name, line in by_stage.items():
        assert line["wall_seconds"] > 0 and line["cpu_seconds"] > 0.1, name  # Python started
        assert line["other_cpu_seconds"] > 0.1, name  # start-up is never free
        total = line["model_cpu_seconds"] + line["other_cpu_seconds"]
        assert total == pytest.approx(line["cpu_seconds"], abs=0.002), name
    # The model work of the search is the receipt's search figures, counted where it ran.
    assert by_stage["baselines"]["model_cpu_seconds"] == pytest.approx(
        cost["baselines_cpu_seconds"], abs=0.01
    )
    assert by_stage["tune"]["model_cpu_seconds"] == pytest.approx(
        cost["tune_cpu_seconds"], abs=0.01
    )
    for name in ("labels", "prepare", "sample", "done"):
        assert by_stage[name]["model_cpu_seconds"] == 0, name
    assert by_stage["baselines"]["cpu_seconds"] > cost["baselines_cpu_seconds"]
    for key in ("wall_seconds", "cpu_seconds", "model_cpu_seconds", "other_cpu_seconds"):
        added = sum(line[key] for line in cost["stages"])
        assert cost["pipeline"][key] == pytest.approx(added, abs=0.01), key
    # What the user waits for is mostly not model work: the receipt must say so.
    assert cost["pipeline"]["cpu_seconds"] > cost["total_cpu_seconds"]
    page = (project / "reports" / "report.html").read_text()
    assert "all stages" in page and "baselines" in page
