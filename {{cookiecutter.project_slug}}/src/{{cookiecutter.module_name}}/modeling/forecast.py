"""The learning curve of the pick, and what more data would buy: an inverse power law.

Scores usually approach a ceiling as rows grow, score(n) = a - b * n^-c. Where the measured
curve does not look like that (flat, falling, or too noisy), no forecast is made, and the
verdict says so instead of extrapolating noise.
"""

from __future__ import annotations

import math
import time
import warnings
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, clone
from sklearn.metrics import get_scorer

from ..core.config import Done, Params
from ..core.task import METRICS, make_cv


def measure_curve(
    estimator: BaseEstimator,
    X: pd.DataFrame,
    y: pd.Series,
    cv,
    metric: str,
    smallest: int,
    points: int,
    n_jobs: int,
    known: np.ndarray | None = None,
) -> pd.DataFrame:
    """Cross-validated score at `points` training sizes, from `smallest` rows to all, and the
    CPU seconds each size took (measured where the fits ran: a worker's clock, not ours).

    Like scikit-learn's `learning_curve` (the first n rows of each training fold), without
    scoring the training folds too: nothing here uses those scores, and on text they cost
    another pass of the vectorizers over every training row. `known` is the estimator's score
    on each split of `cv` with every training row, when the caller has it: the largest size is
    then not fitted again (it costs nothing here, and its training folds are whole, not cut to
    the smallest fold's length).
    """
    largest = len(X) - math.ceil(len(X) / cv.get_n_splits())
    sizes = np.unique(np.geomspace(min(smallest, largest), largest, points).astype(int))
    fitted_sizes = sizes[:-1] if known is not None else sizes
    scorer, labels = get_scorer(metric), np.asarray(y)  # an array: see `crossval.score_model`

    def score(train: np.ndarray, test: np.ndarray, size: int) -> tuple[float, float]:
        start, rows = time.process_time(), train[:size]
        try:
            fitted = clone(estimator).fit(X.iloc[rows], labels[rows])
        except ValueError:  # e.g. one class in a small prefix: a gap, as learning_curve does
            return math.nan, time.process_time() - start
        return scorer(fitted, X.iloc[test], labels[test]), time.process_time() - start

    splits = list(cv.split(X, y))
    jobs = (delayed(score)(train, test, size) for size in fitted_sizes for train, test in splits)
    runs = np.array(Parallel(n_jobs=n_jobs)(jobs)).reshape(len(fitted_sizes), len(splits), 2)
    if known is not None:
        runs = np.concatenate([runs, np.stack([known, np.zeros(len(known))], axis=-1)[None]])
    scores, cpu = runs.T
    return pd.DataFrame(
        {
            "rows": sizes,
            "score": scores.mean(axis=0),
            "score_std": scores.std(axis=0, ddof=1),
            "cpu_seconds": cpu.sum(axis=0),
        }
    )


def _law(n: np.ndarray, a: float, b: float, c: float) -> np.ndarray:
    return a - b * np.power(n, -c)


def fit_curve(curve: pd.DataFrame, ceiling: float, folds: int) -> dict[str, Any] | None:
    """Fit the inverse power law; None when the curve is not well-behaved enough to trust."""
    from scipy.optimize import OptimizeWarning, curve_fit  # the race's stage needs no fitting

    n, score = curve["rows"].to_numpy(float), curve["score"].to_numpy(float)
    noise = float(curve["score_std"].mean()) / math.sqrt(folds)
    if len(n) < 3 or score[-1] - score[0] <= noise:
        return None  # flat, falling, or a rise within the noise: nothing to extrapolate
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", OptimizeWarning)
            (a, b, c), _ = curve_fit(
                _law,
                n,
                score,
                p0=(score[-1], 1.0, 0.5),
                bounds=([-np.inf, 0.0, 0.01], [ceiling, np.inf, 3.0]),
                maxfev=10_000,
            )
    except (RuntimeError, ValueError, OptimizeWarning):
        return None
    residual = float(np.sqrt(np.mean((_law(n, a, b, c) - score) ** 2)))
    if residual > 0.5 * (score.max() - score.min()) or a < score[-1] - noise:
        return None  # the law explains too little of the curve, or levels off below it
    # A curve that rose faster than the steepest law allowed has levelled off inside the
    # measured sizes: c stops at its bound and `a` is the level it reached, which is the
    # forecast (more rows of the same data stay there).
    return {"a": float(a), "b": float(b), "c": float(c), "residual": residual}


def law_through(
    first: tuple[float, float], second: tuple[float, float], c: float
) -> dict[str, Any]:
    """The law through two (rows, score) points with its power `c` given: two points cannot
    fit all three parameters."""
    (n1, s1), (n2, s2) = first, second
    b = (s2 - s1) / (n1**-c - n2**-c)
    return {"a": s2 + b * n2**-c, "b": b, "c": c}


def predict_score(law: dict[str, Any], rows: float) -> float:
    return float(_law(np.array([rows], float), law["a"], law["b"], law["c"])[0])


def rows_for(law: dict[str, Any], target: float) -> int | None:
    """Training rows at which the law reaches `target`, or None if it never does."""
    if law["a"] <= target:
        return None
    return math.ceil((law["b"] / (law["a"] - target)) ** (1 / law["c"]))


def forecast(
    curve: pd.DataFrame, rows: int, ceiling: float, target: float, folds: int
) -> dict[str, Any]:
    """The fitted law, its scores at 2x and 10x the data, and the rows the target needs."""
    law = fit_curve(curve, ceiling, folds)
    if law is None:
        return {
            "available": False,
            "why": "the learning curve is flat, falling or too noisy to extrapolate",
            "target": target,
        }
    return {
        "available": True,
        "law": law,
        "score_at_2x": predict_score(law, 2 * rows),
        "score_at_10x": predict_score(law, 10 * rows),
        "rows_for_target": rows_for(law, target),
        "rows_now": rows,
        "target": target,
    }


def learning_outlook(
    model: BaseEstimator,
    X: pd.DataFrame,
    y: pd.Series,
    params: Params,
    done: Done,
    known: np.ndarray | None = None,
) -> tuple[pd.DataFrame, dict[str, Any], float]:
    """The pick's learning curve on the training rows, its forecast, and the CPU it took.

    `known`: the pick's scores on tune's own folds of every row, when tune cross-validated it
    there with these parameters (its defaults): the curve's last point.
    """
    curve = measure_curve(
        model,
        X,
        y,
        make_cv(params.tune.cv_folds, 1, params.tune.seed),
        done.metric,
        max(50, len(X) // 10),  # a wide range of sizes makes the forecast trustworthy
        params.tune.curve_points,
        params.compute.n_jobs,
        known,
    )
    cpu = float(curve.pop("cpu_seconds").sum())  # the plotted curve is rows and scores
    ceiling = METRICS[done.metric][1]
    return curve, forecast(curve, len(X), ceiling, done.target, params.tune.cv_folds), cpu
