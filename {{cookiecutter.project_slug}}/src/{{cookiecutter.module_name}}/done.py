"""The done stage: compare the test score with done.yaml and say what to do next."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from .config import Done, Paths, ThriftyError, load_done
from .files import read_json, write_json

log = logging.getLogger(__name__)


def verdict(metrics: dict[str, Any], done: Done) -> dict[str, Any]:
    """The verdict, with concrete next actions, from the test metrics and done.yaml."""
    if metrics["metric"] != done.metric:
        raise ThriftyError(
            f"reports/metrics.json scores {metrics['metric']!r} but done.yaml asks for "
            f"{done.metric!r}; run `dvc repro`"
        )
    score = float(metrics["score"])
    if score >= done.target:
        name = "done"
        actions = [
            "Stop tuning: the test score meets done.yaml's target.",
            "Predict: python -m {{ cookiecutter.module_name }} predict --bundle artifacts/model "
            "--input NEW.csv --output predictions.csv",
            "Version it: git add -A && git commit -m 'Model meets target' && dvc push",
        ]
    else:
        name = "keep_tuning"
        actions = [
            f"The test {done.metric} is {score:.4f}, below the target {done.target}.",
            "Widen the search: add values to ladder.<rung>.search in params.yaml, then dvc repro.",
            "Climb the ladder: add a costlier rung to ladder in params.yaml, then dvc repro.",
            "Or relax the goal: lower target in done.yaml if the target was not realistic.",
        ]
    return {
        "verdict": name,
        "metric": done.metric,
        "score": score,
        "target": done.target,
        "floor": done.floor,
        "model": metrics.get("model"),
        "actions": actions,
    }


def main(root: Path, check: bool = False) -> int:
    """Write reports/done.json; with `check`, only report and return 0 on done, else 1."""
    paths = Paths(root)
    result = verdict(read_json(paths.metrics), load_done(root))
    if not check:
        write_json(result, paths.done)
    log.info(
        "verdict: %s (%s %.4f, target %s)",
        result["verdict"],
        result["metric"],
        result["score"],
        result["target"],
    )
    for action in result["actions"]:
        log.info("  - %s", action)
    return 0 if result["verdict"] == "done" or not check else 1
