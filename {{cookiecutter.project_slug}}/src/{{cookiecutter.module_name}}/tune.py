"""The tune stage: successive halving over the kept rungs only, cheapest first, on all rows.

Tuning stops as soon as a rung's cross-validated score reaches done.yaml's target, skips any
rung whose estimated cost would pass `budget_cpu_seconds`, and then picks by the
one-standard-error rule: the cheapest rung within one SE of the best.
"""

from __future__ import annotations

import json
import logging
import math
import sys
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd
from threadpoolctl import threadpool_limits
from tqdm import tqdm

from .bundle import save_bundle
from .config import TASK, Done, Params, load_done, load_params
from .crossval import cross_score, make_cv
from .files import read_table, write_json, write_table
from .forecast import forecast, measure_curve
from .ladder import build_candidate, split_xy
from .metadata import describe_run
from .paths import Paths
from .scorers import metrics_for
from .search import (
    Tuned,
    candidates_in,
    estimate_cost,
    grid_size,
    halving_search,
    one_se_pick,
    summarize,
)

log = logging.getLogger(__name__)


def full_fit_cpu(row: pd.Series, rows: int, folds: int) -> float:
    """CPU seconds of one fit on `rows` rows, scaled linearly from the baselines' fits."""
    per_fit = row["fit_cpu_seconds"] / row["fits"]
    return per_fit * rows / (row["rows"] * (1 - 1 / folds))


def tune_rungs(
    X: pd.DataFrame, y: pd.Series, board: pd.DataFrame, params: Params, done: Done
) -> list[Tuned]:
    """Tune each kept rung in ladder order until the target is reached or the budget is out."""
    kept = [name for name in params.ladder if name in set(board.loc[board["kept"], "model"])]
    if not kept:  # nothing beat the dummy: it is the only honest model to ship
        kept = [next(iter(params.ladder))]
    cv, settings = make_cv(params.tune.cv_folds, 1, params.tune.seed), params.tune
    spent, reached, tuned = 0.0, None, []
    for name in tqdm(kept, desc="tune", disable=not sys.stderr.isatty()):
        rung = params.ladder[name]
        row = board.set_index("model").loc[name]
        n_candidates = candidates_in(rung.search, settings.max_candidates)
        estimate, _ = estimate_cost(
            n_candidates,
            settings.factor,
            settings.cv_folds,
            full_fit_cpu(row, len(X), params.baselines.cv_folds),
        )
        if reached:
            tuned.append(Tuned(name, f"not needed: {reached} reached the target"))
            continue
        if spent + estimate > done.budget_cpu_seconds:
            tuned.append(Tuned(name, f"skipped: ~{estimate:.1f} CPU s would pass the budget"))
            continue
        candidate = build_candidate(rung, params.data, params.features)
        default = cross_score(candidate, X, y, cv, done.metric, params.compute.n_jobs)
        spent += default.fit_cpu + default.predict_cpu
        if rung.search:
            search = halving_search(
                candidate,
                rung.search,
                X,
                y,
                cv,
                done.metric,
                settings.factor,
                settings.max_candidates,
                settings.seed,
                params.compute.n_jobs,
            )
            result = summarize(name, search, default.mean, default.test_fraction)
            if default.mean >= result.score:  # tuning must never ship worse than the defaults
                result = replace(result, score=default.mean, se=default.se, params={})
        else:
            result = Tuned(name, "tuned", default.mean, default.se, default.mean, rounds=1)
        spent += result.cpu_seconds
        tuned.append(result)
        log.info("%-20s %s = %.4f (defaults %.4f)", name, done.metric, result.score, default.mean)
        if result.score >= done.target:
            reached = name
    if all(math.isnan(t.score) for t in tuned):
        # No search fits the budget: ship the best kept rung at its defaults, scored on the sample.
        best = board.set_index("model").loc[kept, ["score", "score_se"]].idxmax()["score"]
        row = board.set_index("model").loc[best]
        fallback = Tuned(
            best,
            "defaults: every search would pass the budget",
            score=row["score"],
            se=row["score_se"],
            default_score=row["score"],
        )
        tuned = [fallback if t.name == best else t for t in tuned]
    return tuned


def grid_estimate(board: pd.DataFrame, params: Params, rows: int) -> float:
    """CPU seconds an exhaustive grid search over every rung's full space would take."""
    measured = board.dropna(subset=["fits"]).set_index("model")
    return sum(
        estimate_cost(
            grid_size(rung.search),
            params.tune.factor,
            params.tune.cv_folds,
            full_fit_cpu(measured.loc[name], rows, params.baselines.cv_folds),
        )[1]
        for name, rung in params.ladder.items()
        if name in measured.index and rung.search
    )


def tuning_table(tuned: list[Tuned], pick: Tuned, why: str) -> pd.DataFrame:
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
    # One BLAS/OpenMP thread, as in every cross-validation fold: on problems this small, extra
    # threads mostly spin, and a busy machine turned a 0.1 s sparse fit into 6 CPU seconds.
    threadpool_limits(limits=1)
    params, done = load_params(root), load_done(root)
    paths = Paths(root, params)
    board = read_table(paths.leaderboard, "reports/leaderboard.csv")
    train = read_table(paths.train, "data/prepared/train")
    X, y = split_xy(train, params.data)
    start = time.process_time()
    tuned = tune_rungs(X, y, board, params, done)
    cost = board.set_index("model")["cpu_seconds"].to_dict()
    pick, why = one_se_pick(tuned, cost)
    model = build_candidate(params.ladder[pick.name], params.data, params.features)
    model.set_params(**{f"model__{key}": value for key, value in pick.params.items()})
    before_curve = time.process_time()
    curve = measure_curve(
        model,
        X,
        y,
        make_cv(params.tune.cv_folds, 1, params.tune.seed),
        done.metric,
        max(50, len(X) // 10),  # a wide range of sizes makes the forecast trustworthy
        params.tune.curve_points,
        params.compute.n_jobs,
    )
    curve_cpu = time.process_time() - before_curve
    model.fit(X, y)
    ceiling = metrics_for(TASK)[done.metric][1]
    outlook = forecast(curve, len(X), ceiling, done.target, params.tune.cv_folds)
    grid = grid_estimate(board, params, len(X))
    # Worker CPU is counted from the searches' own timings when joblib runs them elsewhere.
    workers = sum(t.cpu_seconds for t in tuned) if params.compute.n_jobs != 1 else 0.0
    summary = {
        "model": pick.name,
        "metric": done.metric,
        "cv_score": pick.score,
        "cv_se": pick.se,
        "gain": pick.gain,
        "why": why,
        "params": pick.params,
        "cpu_seconds": time.process_time() - start + workers,
        "budget_cpu_seconds": done.budget_cpu_seconds,
        "grid_cpu_seconds": grid,
        "curve_cpu_seconds": curve_cpu,
        "forecast": outlook,
    }
    metadata = describe_run(root, params, done, X, summary)
    save_bundle(paths.tuned, {"model": model}, metadata, params.artifacts.format)
    write_table(tuning_table(tuned, pick, why), paths.tuning)
    write_table(curve, paths.learning_curve)
    write_json(summary, paths.tuning_summary)
    log.info("picked %s: %s", pick.name, why)
