"""compute.backend: dask through DVC, as the README documents it: the same decisions as local.

The baked project's own tests/test_compute.py checks the engine on a shared LocalCluster; this
runs the documented `dvc exp run -S compute.backend=dask` on a reproduced bake, so each model
stage starts its own LocalCluster from params.yaml, in a fresh process.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from conftest import bake, run, shared_setup


def decisions(project: Path) -> dict:
    """What a run decided: the leaderboard's scores, the tuning and the test metrics."""
    board = pd.read_csv(project / "reports" / "leaderboard.csv")
    tuning = pd.read_csv(project / "reports" / "tuning.csv")
    metrics = json.loads((project / "reports" / "metrics.json").read_text())
    return {
        "leaderboard": board[["model", "score", "score_se", "kept", "why"]].to_json(),
        "tuning": tuning[["model", "status", "score", "params", "picked"]].to_json(),
        "metrics": {key: metrics[key] for key in ("model", "score", "cv")},
    }


def test_dvc_exp_run_on_dask_decides_as_the_local_run(tmp_path):
    project = shared_setup(bake(tmp_path))
    run([".venv/bin/dvc", "repro"], project)
    run("git add -A && git commit --quiet --no-verify -m 'Local run'", project)
    local = decisions(project)
    result = run(
        [".venv/bin/dvc", "exp", "run", "-S", "compute.backend=dask", "-S", "compute.n_jobs=2"],
        project,
    )
    assert "started a LocalCluster of 2 workers" in result.stdout + result.stderr
    assert decisions(project) == local
    receipts = {
        stage: json.loads((project / "reports" / "stages" / f"{stage}.json").read_text())
        for stage in ("baselines", "tune")
    }
    # The workers are the stage's child processes: their CPU is on its receipt.
    for receipt in receipts.values():
        assert receipt["cpu_seconds"] >= receipt["model_cpu_seconds"] > 0
