"""The tune stage: successive halving over the kept rungs only, cheapest first, on the rows.

Tuning stops as soon as a rung's cross-validated score reaches done.yaml's target, skips any
rung whose estimated cost would pass `budget_cpu_seconds`, and then picks by the
one-standard-error rule: the first rung in ladder order (written simplest and cheapest first)
within one SE of the best. The learning curve of the pick then says what more rows would buy.
The rows are the training split, or a seeded sample of `tune.max_rows` of it streamed from the
file, so memory stays bounded however large the split grows; the forecast then says whether
raising the bound would pay.
"""

from __future__ import annotations

import json
import logging
import time
from functools import partial
from pathlib import Path

import pandas as pd

from .bundles.bundle import save_bundle
from .bundles.metadata import describe_run
from .core.config import load_done, load_params
from .core.console import run_stage
from .core.files import read_table, write_table
from .core.paths import Paths
from .core.receipts import add_model_cpu
from .core.records import Forecast, Tuning, write_record
from .modeling.compute import engine, runs_elsewhere
from .modeling.cost import grid_estimate
from .modeling.folds import one_thread
from .modeling.forecast import learning_outlook
from .modeling.ladder import build_candidate, split_xy
from .modeling.pick import Tuned, one_se_pick
from .modeling.search import tune_rungs
from .tables.draws import draw_rows
from .tables.stream import chunks, count_rows

log = logging.getLogger(__name__)


def tuning_table(tuned: list[Tuned], pick: Tuned, why: str) -> pd.DataFrame:
    """reports/tuning.csv: one row per kept rung, what tuning did to it, and the pick."""
    rows = [
        {
            "model": t.name,
            "status": t.status,
            "score": t.score,
            "score_se": t.se,
            "default_score": t.default_score,
            "gain": t.gain,
            "candidates": t.candidates,
            "rounds": t.rounds,
            "cpu_seconds": t.cpu_seconds,
            "params": json.dumps(t.params),
            "picked": t is pick,
            "why": why if t is pick else "",
        }
        for t in tuned
    ]
    return pd.DataFrame(rows)


def main(root: Path) -> None:
    one_thread()  # as in every cross-validation fold
    params, done = load_params(root, ladder=True), load_done(root)
    paths = Paths(root, params)
    board = read_table(paths.leaderboard)
    available = count_rows(paths.train)
    train = draw_rows(
        partial(chunks, paths.train),
        params.data.target,
        params.tune.max_rows,
        params.tune.seed,
        params.tune.cv_folds,
    )
    if len(train) < available:
        log.info(
            "tuning on a seeded sample of %d of the %d training rows (tune.max_rows=%d)",
            len(train),
            available,
            params.tune.max_rows,
        )
    X, y = split_xy(train, params.data)
    start = time.process_time()
    with engine(params.compute):
        tuned = tune_rungs(X, y, board, params, done)
        pick, why = one_se_pick(tuned)
        model = build_candidate(params.ladder[pick.name], params.data, params.features)
        model.set_params(**{f"model__{key}": value for key, value in pick.params.items()})
        known = pick.every_row.scores if pick.every_row is not None else None
        curve, outlook, curve_cpu = learning_outlook(model, X, y, params, done, known)
    model.fit(X, y)
    # Worker CPU is counted from the searches' and the curve's own timings when joblib runs
    # them elsewhere (other processes, a cluster); this process's clock counts the rest.
    elsewhere = runs_elsewhere(params.compute)
    workers = sum(t.cpu_seconds for t in tuned) + curve_cpu if elsewhere else 0.0
    summary = Tuning(
        model=pick.name,
        metric=done.metric,
        cv_score=pick.score,
        cv_se=pick.se,
        gain=pick.gain,
        why=why,
        params=pick.params,
        cpu_seconds=time.process_time() - start + workers,
        budget_cpu_seconds=done.budget_cpu_seconds,
        grid_cpu_seconds=grid_estimate(board, params, len(X)),
        curve_cpu_seconds=curve_cpu,
        forecast=Forecast.model_validate({**outlook, "rows_available": available}),
    )
    add_model_cpu(summary.cpu_seconds)
    metadata = describe_run(root, params, done, X, summary.model_dump())
    save_bundle(paths.tuned, {"model": model}, metadata, params.artifacts.format)
    write_table(tuning_table(tuned, pick, why), paths.tuning)
    write_table(curve, paths.learning_curve)
    write_record(summary, paths.tuning_summary)
    log.info("picked %s: %s", pick.name, why)


if __name__ == "__main__":
    run_stage(main)
