"""The default demo on a Dask LocalCluster against local joblib: wall time, and equal scores.

A project is baked from this checkout and set up by its own `make setup EXTRAS=dask`; then
`dvc repro -f` runs with each `compute` setting, `--runs` times (median, at least three), and
the leaderboard, the tuning table and the test metrics are compared with the local run's:

- local: the shipped `compute` (backend local, n_jobs 1);
- local, n_jobs -1: joblib's own worker processes, one a core;
- dask: `compute.backend: dask`, n_jobs -1: a LocalCluster of one worker a core, started by
  each model stage.

    python benchmarks/cluster.py [--runs 3] [--task regression] [--data-kind text]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bakes import bake  # noqa: E402
from measure import commit, machine, run, stage_figures  # noqa: E402

SETTINGS = {
    "local": {"backend": "local", "n_jobs": 1},
    "local, n_jobs -1": {"backend": "local", "n_jobs": -1},
    "dask LocalCluster, n_jobs -1": {"backend": "dask", "n_jobs": -1},
}
MODEL_STAGES = ("baselines", "tune")


def set_compute(project: Path, backend: str, n_jobs: int) -> None:
    """Write compute.backend and compute.n_jobs into params.yaml, comments kept."""
    lines = (project / "params.yaml").read_text().splitlines(keepends=True)
    section = False
    for i, line in enumerate(lines):
        section = line.startswith("compute:") or (section and line.startswith(" "))
        key = line.strip().split(":", 1)[0]
        if section and key in ("backend", "n_jobs"):
            value = backend if key == "backend" else str(n_jobs)
            comment = line[line.index("#") :] if "#" in line else "\n"
            lines[i] = f"  {f'{key}: {value}':<24} {comment}"
    (project / "params.yaml").write_text("".join(lines))


def results(project: Path) -> dict:
    """What a run decided: the leaderboard's scores, the tuning and the test metrics."""
    board = pd.read_csv(project / "reports" / "leaderboard.csv")
    tuning = pd.read_csv(project / "reports" / "tuning.csv")
    metrics = json.loads((project / "reports" / "metrics.json").read_text())
    return {
        "leaderboard": board[["model", "score", "score_se", "kept"]].to_dict("list"),
        "tuning": tuning[["model", "status", "score", "params", "picked"]].to_dict("list"),
        "metrics": {key: metrics[key] for key in ("model", "score", "cv")},
    }


def same(a: dict, b: dict) -> bool:
    """Equal, NaN included (a rung tuning skipped scores NaN in both)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    cli.add_argument("--runs", type=int, default=3, help="runs per setting (at least 3)")
    cli.add_argument("--task", default="classification", choices=["classification", "regression"])
    cli.add_argument("--data-kind", default="tabular", choices=["tabular", "text"])
    cli.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = cli.parse_args(argv)
    runs = max(args.runs, 3)
    work = args.keep or Path(tempfile.mkdtemp(prefix="thrifty-cluster-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"{args.task}, {args.data_kind}; {runs} runs; {machine()}; in {work}", flush=True)
    project = bake(work / "bake", args.task, args.data_kind)
    wall, _ = run(["make", "setup", "EXTRAS=dask"], project)
    print(f"  make setup EXTRAS=dask: {wall:.1f} s", flush=True)
    commit(project, "Baked")
    dvc = str(project / ".venv" / "bin" / "dvc")
    run([dvc, "repro"], project)  # data, sample and first receipts: not timed
    commit(project, "First run")

    walls: dict[str, list[float]] = {}
    stages: dict[str, dict[str, list[float]]] = {}
    decided: dict[str, dict] = {}
    for name, compute in SETTINGS.items():
        set_compute(project, **compute)
        for _ in range(runs):
            wall, _ = run([dvc, "repro", "-f"], project)
            walls.setdefault(name, []).append(wall)
            for stage in MODEL_STAGES:
                stages.setdefault(name, {}).setdefault(stage, []).append(
                    stage_figures(project)[stage][0]
                )
            outcome = results(project)
            if name in decided and not same(decided[name], outcome):
                print(f"  {name}: a rerun decided differently", flush=True)
            decided[name] = outcome
            print(f"  {name}: dvc repro -f {wall:.2f} s", flush=True)
    set_compute(project, **SETTINGS["local"])

    reference = decided["local"]
    print("\n| compute | dvc repro -f, median (min-max) | baselines | tune | scores as local |")
    print("|---|---|---|---|---|")
    for name, times in walls.items():
        spread = f"{statistics.median(times):.2f} s ({min(times):.2f}-{max(times):.2f})"
        per_stage = [f"{statistics.median(stages[name][stage]):.2f} s" for stage in MODEL_STAGES]
        equal = "yes" if same(decided[name], reference) else "NO"
        print(f"| {name} | {spread} | {' | '.join(per_stage)} | {equal} |")
    return 0 if all(same(outcome, reference) for outcome in decided.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
