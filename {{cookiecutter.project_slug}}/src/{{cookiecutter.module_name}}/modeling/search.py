"""Successive halving over the kept rungs, cheapest first, within the CPU budget.

Halving is thrift in miniature: every candidate is scored on a little data, and only the best
third earns three times more, until the survivors see all of it.
"""

from __future__ import annotations

import logging
import math
import sys
import warnings
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import FitFailedWarning
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingGridSearchCV, HalvingRandomSearchCV
from tqdm import tqdm

from ..core.config import Done, Params, Rung
from ..core.task import check_metric, make_cv
from .cost import candidates_in, grid_size, search_cost
from .crossval import ScoringError, corrected_variance, cross_score
from .folds import SharedFeatures
from .ladder import build_candidate
from .pick import Tuned, in_race, reached_in_race, survived_at

log = logging.getLogger(__name__)


def halving_search(
    candidate: BaseEstimator,
    space: dict[str, list[Any]],
    X: pd.DataFrame,
    y: pd.Series,
    cv,
    metric: str,
    factor: int,
    max_candidates: int,
    seed: int,
    n_jobs: int,
    min_rows: int | None = None,
):
    """Fit a halving search over `space` (the model's parameters), resource = rows.

    The first round has `min_rows` rows when that is fewer than scikit-learn's "exhaust" (the
    size at which the last round would use every row): a rung that survived the race at 600
    rows is searched from 600 up, not from thousands. A round's candidates share the features
    fitted on each of its splits (`SharedFeatures`): only the model's parameters differ.
    """
    grid = {f"model__{key}": values for key, values in space.items()}
    n_candidates = min(grid_size(space), max_candidates)
    exhaust = len(X) // factor ** math.floor(math.log(max(n_candidates, 1), factor))
    common = dict(
        factor=factor,
        resource="n_samples",
        min_resources=min_rows if min_rows is not None and min_rows < exhaust else "exhaust",
        cv=cv,
        scoring=metric,
        refit=False,
        return_train_score=False,  # unused, and it would score every training fold again
        random_state=seed,  # which rows each round sees: unseeded, reruns would differ
        n_jobs=n_jobs,
        # A candidate may not fit the first round's few rows (kNN with more neighbours than
        # rows): it scores NaN and is dropped. If every fit of a round fails, it still raises.
        error_score=np.nan,
    )
    shared = SharedFeatures()
    candidate = clone(candidate).set_params(memory=shared)
    if grid_size(space) <= max_candidates:
        search = HalvingGridSearchCV(candidate, grid, **common)
    else:  # a large grid is sampled, never enumerated
        search = HalvingRandomSearchCV(candidate, grid, n_candidates=max_candidates, **common)
    # scikit-learn warns of each failed fit or score with its traceback; the scores it left
    # missing say the same in one line.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitFailedWarning)
        warnings.filterwarnings("ignore", "Scoring failed")
        warnings.filterwarnings("ignore", "One or more of the test scores are non-finite")
        try:
            search.fit(X, np.asarray(y))  # an array: see `crossval.score_model`
        finally:
            shared.close()
    splits = pd.DataFrame(search.cv_results_).filter(regex=r"^split\d+_test_score$")
    failed = int(splits.isna().to_numpy().sum())
    if failed:
        log.info(
            "%s: %d fit(s) could not run or score on a round's few rows (e.g. more neighbours "
            "than rows): scored as missing",
            type(candidate.named_steps["model"]).__name__,
            failed,
        )
    return search


def summarize(name: str, search, default_score: float, test_fraction: float) -> Tuned:
    """Best candidate of the last (largest) round, its corrected standard error and CPU cost."""
    results = pd.DataFrame(search.cv_results_)
    last = results[results["iter"] == results["iter"].max()]
    best = last.loc[last["mean_test_score"].idxmax()]
    folds = np.array([best[f"split{k}_test_score"] for k in range(search.n_splits_)])
    # Worker time of every fit and score: the same sum whatever n_jobs is.
    cpu = float(((results["mean_fit_time"] + results["mean_score_time"]) * search.n_splits_).sum())
    return Tuned(
        name=name,
        status="tuned",
        score=float(best["mean_test_score"]),
        se=math.sqrt(corrected_variance(folds, test_fraction)),
        default_score=default_score,
        params={key.removeprefix("model__"): value for key, value in best["params"].items()},
        candidates=len(results[results["iter"] == 0]),
        rounds=int(search.n_iterations_),
        cpu_seconds=cpu,
    )


def tune_one(
    name: str,
    rung: Rung,
    X: pd.DataFrame,
    y: pd.Series,
    cv,
    params: Params,
    done: Done,
    survived: int,
) -> tuple[Tuned, float]:
    """One kept rung: its defaults cross-validated on every row, then successive halving over
    its space unless the defaults already reach the target or it has no space. Returns the
    result and the CPU that counts against the budget; a `ScoringError` is the caller's.
    """
    candidate = build_candidate(rung, params.data, params.features)
    default = cross_score(candidate, X, y, cv, done.metric, params.compute.n_jobs)
    spent = default.fit_cpu + default.predict_cpu
    if default.mean >= done.target:  # its defaults on every row already do: nothing to search
        status = f"defaults: reached the target at its defaults on {len(X)} rows"
        result = Tuned(
            name, status, default.mean, default.se, default.mean, candidates=1, every_row=default
        )
    elif rung.search:
        search = halving_search(
            candidate,
            rung.search,
            X,
            y,
            cv,
            done.metric,
            params.tune.factor,
            params.tune.max_candidates,
            params.tune.seed,
            params.compute.n_jobs,
            survived,
        )
        result = summarize(name, search, default.mean, default.test_fraction)
        if default.mean >= result.score:  # tuning must never ship worse than the defaults
            result = replace(
                result, score=default.mean, se=default.se, params={}, every_row=default
            )
    else:
        result = Tuned(
            name, "tuned", default.mean, default.se, default.mean, rounds=1, every_row=default
        )
    spent += result.cpu_seconds
    result.cpu_seconds += default.cpu  # the defaults' cross-validation is tuning's too
    return result, spent


def tune_rungs(
    X: pd.DataFrame, y: pd.Series, board: pd.DataFrame, params: Params, done: Done
) -> list[Tuned]:
    """Tune each kept rung in ladder order until the target is reached or the budget is out.

    Rungs the leaderboard skipped or dropped are never reached; a kept rung that cannot be
    scored on these folds after all is skipped with the reason.
    """
    check_metric(done.metric, y)  # baselines checked the sample; a run of tune alone checks here
    kept = [name for name in params.ladder if name in set(board.loc[board["kept"], "model"])]
    if not kept:  # nothing beat the dummy: it is the only honest model to ship
        kept = [next(iter(params.ladder))]
    rows = board.set_index("model")
    raced = next((name for name in kept if reached_in_race(rows.loc[name], done.target)), None)
    if raced:  # the race found it: nothing to search
        return [in_race(name, rows.loc[name], raced) for name in kept]
    cv, settings = make_cv(params.tune.cv_folds, 1, params.tune.seed), params.tune
    spent, reached, tuned = 0.0, None, []
    width = max(map(len, kept))
    for name in tqdm(kept, desc="tune", disable=not sys.stderr.isatty()):
        rung = params.ladder[name]
        row = rows.loc[name]
        n_candidates = candidates_in(rung.search, settings.max_candidates)
        estimate, _ = search_cost(
            row,
            n_candidates,
            settings.factor,
            len(X),
            settings.cv_folds,
            params.baselines.cv_folds,
            survived_at(row),
        )
        if reached:
            tuned.append(Tuned(name, f"not needed: {reached} reached the target"))
            continue
        if spent + estimate > done.budget_cpu_seconds:
            tuned.append(Tuned(name, f"skipped: ~{estimate:.1f} CPU s would pass the budget"))
            continue
        try:
            result, cost = tune_one(name, rung, X, y, cv, params, done, survived_at(row))
        except ScoringError as error:
            tuned.append(Tuned(name, f"skipped: {done.metric} could not score it: {error}"))
            log.warning("%-*s %s", width, name, tuned[-1].status)
            continue
        spent += cost
        tuned.append(result)
        log.info(
            "%-*s %s = %.4f (defaults %.4f)",
            width,
            name,
            done.metric,
            result.score,
            result.default_score,
        )
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
