"""The report stage: reports/report.html, one page a person opens, offline, to see the run, and
reports/cost.json, the cost receipt.

The receipt puts two costs side by side. The search's: CPU seconds the baselines and tuning
spent fitting and scoring, against an exhaustive grid over the same spaces. And the user's:
what every stage's process cost (reports/stages/, written by each stage as its last act),
start-up and imports included, which is what a `dvc repro` makes a person wait for.
"""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path

import pandas as pd

from .bundles.bundle import METADATA
from .core.console import run_stage
from .core.files import read_json, read_table, write_atomic
from .core.paths import Paths, listed
from .core.receipts import SUMMING_STAGE, stage_cost
from .core.records import (
    Cost,
    Metrics,
    Pipeline,
    StageCost,
    Tuning,
    Verdict,
    read_record,
    write_record,
)
from .reporting.page import render_report

log = logging.getLogger(__name__)


def receipts(paths: Paths) -> list[StageCost]:
    """Every stage's receipt but this one's, in the order the stages last finished."""
    found = [read_record(path, StageCost) for path in listed(paths.stage_receipts, "*.json")]
    return sorted(
        (r for r in found if r.stage != SUMMING_STAGE), key=lambda r: (r.finished_utc, r.stage)
    )


def receipt(board: pd.DataFrame, tuning: Tuning, stages: list[StageCost]) -> Cost:
    """The search's CPU beside an exhaustive grid's; every stage's process cost and the sum."""
    baselines = float(board["cpu_seconds"].sum())
    total = baselines + tuning.cpu_seconds
    grid = tuning.grid_cpu_seconds
    fields = ("wall_seconds", "cpu_seconds", "model_cpu_seconds", "other_cpu_seconds")
    return Cost(
        baselines_cpu_seconds=round(baselines, 3),
        tune_cpu_seconds=round(tuning.cpu_seconds, 3),
        # Part of tune: the learning curve behind the forecast, which a grid search lacks.
        forecast_cpu_seconds=round(tuning.curve_cpu_seconds, 3),
        total_cpu_seconds=round(total, 3),
        grid_estimate_cpu_seconds=round(grid, 3),
        grid_to_ours=round(grid / total, 2) if total else None,
        pipeline=Pipeline(
            **{key: round(sum(getattr(s, key) for s in stages), 3) for key in fields}
        ),
        stages=stages,
    )


def project_name(root: Path) -> str:
    """What the project calls itself: `[project] name` in its pyproject.toml, else the package's
    name (a root that holds only data, as tests use)."""
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return __package__.split(".")[0]
    return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["name"]


def main(root: Path) -> None:
    paths = Paths(root)
    verdict = read_record(paths.done, Verdict)
    metrics = read_record(paths.metrics, Metrics)
    search = read_record(paths.tuning_summary, Tuning)
    board, tuning = read_table(paths.leaderboard), read_table(paths.tuning)
    metadata = read_json(paths.bundle / METADATA)
    images = list((paths.bundle / "plots").glob("*.png"))  # the page puts them in order
    found = paths.labeling_metrics.is_file()
    labeling = read_json(paths.labeling_metrics) if found else None
    project = project_name(root)
    # This stage's own line: measured once its inputs are read, just before the page is written.
    cost = receipt(board, search, [*receipts(paths), stage_cost(SUMMING_STAGE)])
    page = render_report(
        project=project,
        verdict=verdict,
        search=search,
        metrics=metrics,
        cost=cost,
        board=board,
        tuning=tuning,
        metadata=metadata,
        images=images,
        labeling=labeling,
    )
    write_record(cost, paths.cost)
    write_atomic(paths.report, lambda tmp: tmp.write_text(page, encoding="utf-8"))
    log.info(
        "wrote %s and %s: the last run of every stage took %.1f s of wall time, %.1f CPU s "
        "(%.1f fitting and scoring models)",
        paths.report.relative_to(root),
        paths.cost.relative_to(root),
        cost.pipeline.wall_seconds,
        cost.pipeline.cpu_seconds,
        cost.pipeline.model_cpu_seconds,
    )


if __name__ == "__main__":
    run_stage(main)
