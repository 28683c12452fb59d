"""The baselines stage: every rung of the ladder at its defaults, cross-validated on the sample.

The dummy is model zero: a rung is kept only when it beats the dummy beyond noise and is not
far behind the best, and at most `top_k` rungs go on to `tune`. Each row says why.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
from tqdm import tqdm

from .core.compute import engine
from .core.config import BaselinesParams, Params, load_done, load_params
from .core.console import run_stage
from .core.files import read_table, write_table
from .core.paths import Paths
from .core.receipts import add_model_cpu
from .core.settings import ThriftyError
from .core.task import check_metric, make_cv, smallest_group
from .modeling.crossval import CVResult, ScoringError, beats, cross_score, missing_response
from .modeling.ladder import build_candidate, build_model, split_xy

log = logging.getLogger(__name__)


def check_enough_rows(y: pd.Series, params: BaselinesParams) -> None:
    """Fail clearly when the sample cannot fill the cross-validation folds."""
    smallest, what = smallest_group(y)
    if smallest < params.cv_folds:
        raise ThriftyError(
            f"baselines.cv_folds={params.cv_folds}: {what} only {smallest} rows; "
            "lower cv_folds or raise sample.max_rows"
        )


def too_large(params: Params, full_rows: int) -> dict[str, str]:
    """Rungs whose `max_rows` the full training data exceeds, with the reason."""
    return {
        name: f"skipped: max_rows={rung.max_rows} < {full_rows} training rows"
        for name, rung in params.ladder.items()
        if rung.max_rows is not None and full_rows > rung.max_rows
    }


def cannot_score(params: Params, metric: str) -> dict[str, str]:
    """Rungs whose estimator cannot give what `metric` needs (probabilities, scores), and why.

    Found before anything is fitted. The dummy is the bar every rung is measured against, so a
    metric it cannot give is a done.yaml problem, not a skip.
    """
    reasons = {}
    for name, rung in params.ladder.items():
        model = build_model(rung)
        needed = missing_response(model, metric)
        if needed is None:
            continue
        probability = "probability" in model.get_params()  # SVC, NuSVC: Platt scaling on request
        hint = "; set probability: true in its params" if probability else ""
        reasons[name] = f"skipped: {rung.estimator} gives no {needed}, which {metric} needs{hint}"
    dummy = next(iter(params.ladder))
    if dummy in reasons:
        raise ThriftyError(
            f"done.yaml: metric {metric} cannot score the dummy rung {dummy!r}: "
            + reasons[dummy].removeprefix("skipped: ")
        )
    return reasons


def run_ladder(
    frame: pd.DataFrame, params: Params, metric: str, skip: dict[str, str] | None = None
) -> dict[str, CVResult]:
    """Cross-validate every rung not in `skip` on the same seeded folds.

    A rung that cannot be scored with `metric` is added to `skip` with the reason (the
    leaderboard shows it), not run further; the stage goes on with the others.
    """
    skip = {} if skip is None else skip
    dummy = next(iter(params.ladder))
    X, y = split_xy(frame, params.data)
    check_enough_rows(y, params.baselines)
    cv = make_cv(params.baselines.cv_folds, params.baselines.cv_repeats, params.baselines.seed)
    results = {}
    runnable = [(name, rung) for name, rung in params.ladder.items() if name not in set(skip)]
    width = max(map(len, params.ladder))  # the names line up however long the longest is
    rungs = tqdm(runnable, desc="baselines", disable=not sys.stderr.isatty())
    for name, rung in rungs:
        rungs.set_postfix_str(name)
        candidate = build_candidate(rung, params.data, params.features)
        try:
            results[name] = cross_score(candidate, X, y, cv, metric, params.compute.n_jobs)
        except ScoringError as error:
            if name == dummy:  # without the bar, no rung can be judged
                raise ThriftyError(
                    f"done.yaml: metric {metric} cannot score the dummy rung {name!r}: {error}"
                ) from None
            skip[name] = f"skipped: {metric} could not score it: {error}"
            log.warning("%-*s %s", width, name, skip[name])
            continue
        log.info(
            "%-*s %s = %.4f ± %.4f", width, name, metric, results[name].mean, results[name].se
        )
    return results


def leaderboard(
    results: dict[str, CVResult], params: Params, skipped: dict[str, str] | None = None
) -> pd.DataFrame:
    """One row per rung, dummy first, with the keep decision and its reason."""
    names = list(results)
    dummy, rivals = names[0], names[1:]
    p_values = {name: beats(results[name], results[dummy]) for name in rivals}
    best = max(rivals, key=lambda name: results[name].mean, default=dummy)
    bar = results[best].mean - params.baselines.max_se_behind * results[best].se
    why = {dummy: "baseline: the score every other rung must beat", **(skipped or {})}
    ranked = []
    for name in sorted(rivals, key=lambda name: -results[name].mean):
        if p_values[name] >= params.baselines.alpha:
            why[name] = f"dropped: not better than the dummy beyond noise (p={p_values[name]:.3f})"
        elif results[name].mean < bar:
            k = params.baselines.max_se_behind
            why[name] = f"dropped: more than {k:g} standard errors behind {best}"
        elif len(ranked) >= params.baselines.top_k:
            why[name] = f"dropped: outside the top_k={params.baselines.top_k}"
        else:
            ranked.append(name)
            why[name] = "kept: best score" if name == best else "kept: close to the best"
    rows = [
        {
            "model": name,
            "estimator": params.ladder[name].estimator,
            "score": results[name].mean,
            "score_std": results[name].std,
            "score_se": results[name].se,
            "p_vs_dummy": p_values.get(name),
            "fit_cpu_seconds": results[name].fit_cpu,
            "predict_cpu_seconds": results[name].predict_cpu,
            "cpu_seconds": results[name].fit_cpu + results[name].predict_cpu,
            "model_bytes": results[name].model_bytes,
            "rows": results[name].rows,
            "fits": len(results[name].scores),
            "kept": name in ranked,
            "why": why[name],
        }
        for name in names
    ]
    rows += [
        {
            "model": name,
            "estimator": params.ladder[name].estimator,
            "kept": False,
            "why": why[name],
        }
        for name in skipped or {}
    ]
    return pd.DataFrame(rows)


def main(root: Path) -> None:
    params, done = load_params(root, ladder=True), load_done(root)
    paths = Paths(root, params)
    sample = read_table(paths.sample)
    check_metric(done.metric, split_xy(sample, params.data)[1])
    skipped = too_large(params, pq.ParquetFile(paths.train).metadata.num_rows)
    skipped |= {
        name: why for name, why in cannot_score(params, done.metric).items() if name not in skipped
    }
    for name, why in skipped.items():
        log.info("%-*s %s", max(map(len, params.ladder)), name, why)
    with engine(params.compute):
        results = run_ladder(sample, params, done.metric, skipped)
    add_model_cpu(sum(r.fit_cpu + r.predict_cpu for r in results.values()))
    board = leaderboard(results, params, skipped)
    write_table(board, paths.leaderboard)
    log.info("kept %s", ", ".join(board.loc[board.kept, "model"]) or "no rung")


if __name__ == "__main__":
    run_stage(main)
