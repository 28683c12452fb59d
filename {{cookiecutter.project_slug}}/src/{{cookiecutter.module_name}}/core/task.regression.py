"""What regression means here: its scorers, its target checks, how it splits.

Every place where classification and regression differ asks this module (the classification
project has its own), so no other module needs to know which task it serves.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

import pandas as pd

from .settings import ThriftyError

log = logging.getLogger(__name__)

TASK = "regression"
# Scorer name -> (lowest, highest) value. Scorers are "greater is better": errors are negative.
METRICS: dict[str, tuple[float, float]] = {
    "r2": (-float("inf"), 1.0),
    "explained_variance": (-float("inf"), 1.0),
    "d2_absolute_error_score": (-float("inf"), 1.0),
    **dict.fromkeys(
        [
            f"neg_{m}"
            for m in (
                "mean_absolute_error",
                "mean_squared_error",
                "root_mean_squared_error",
                "median_absolute_error",
                "mean_absolute_percentage_error",
                "max_error",
            )
        ],
        (-float("inf"), 0.0),
    ),
}
# Reported beside the done.yaml metric, so a change of metric never hides the familiar ones:
# scikit-learn's scorer names, and the short names reports/metrics.json shows them under (an
# error, scored negated so that higher is better, is shown as the plain positive error).
STANDARD = {"r2": "r2", "neg_mean_absolute_error": "mae", "neg_root_mean_squared_error": "rmse"}


def fits_task(estimator: Any) -> bool:
    """Whether a scikit-learn estimator instance is a regressor."""
    from sklearn.base import is_regressor

    return is_regressor(estimator)


def check_target(y: pd.Series, column: str) -> None:
    """The target must be numbers."""
    tally_target(y, column, Counter())


def tally_target(y: pd.Series, column: str, counts: Counter) -> None:
    """Check a chunk of the target column and count its rows (regression has no classes)."""
    if not pd.api.types.is_numeric_dtype(y):
        raise ThriftyError(
            f"data.target: column {column!r} is {y.dtype}, regression needs numbers"
        )
    counts["rows"] += len(y)


def check_tally(counts: Counter, column: str) -> None:
    """Every chunk was checked as it came: nothing is left to check on the whole column."""


def strata(y: pd.Series) -> pd.Series:
    """What a sample keeps in proportion: nothing, one stratum (regression has no classes)."""
    return pd.Series(0, index=y.index)


def smallest_group(y: pd.Series) -> tuple[int, str]:
    """The fewest rows any cross-validation fold can draw on, and what they are."""
    return len(y), "the sample has"


def make_cv(folds: int, repeats: int, seed: int):
    """Repeated K-fold."""
    from sklearn.model_selection import KFold, RepeatedKFold

    if repeats == 1:
        return KFold(folds, shuffle=True, random_state=seed)
    return RepeatedKFold(n_splits=folds, n_repeats=repeats, random_state=seed)


def class_counts(y: pd.Series) -> dict[Any, int]:
    """Regression has no classes: no cold start per class, no class balance."""
    return {}


def fitting_metrics(metric: str, y: pd.Series) -> list[str]:
    """The scorers of METRICS that can score `y`: every one, on numbers."""
    return list(METRICS)


def check_metric(metric: str, y: pd.Series) -> None:
    """Fail when done.yaml's `metric` is no regression scorer; warn when `y` makes it misleading.

    Every regression scorer scores any numeric target, so nothing is fitted to find out; a
    percentage error on a target holding zeros divides by (almost) zero, which is worth a word.
    """
    if metric not in METRICS:
        raise ThriftyError(
            f"done.yaml: metric {metric} is not a regression scorer here. "
            f"Metrics that fit: {', '.join(fitting_metrics(metric, y))}"
        )
    zeros = int((y == 0).sum())
    if metric == "neg_mean_absolute_percentage_error" and zeros:
        log.warning(
            "done.yaml: metric %s divides each error by |y|, and %d of %d rows have y = 0 "
            "(scikit-learn divides by 2.2e-16 there): those rows alone can decide the score; "
            "neg_mean_absolute_error has no such trap",
            metric,
            zeros,
            len(y),
        )


def describe_target(y: pd.Series) -> str:
    """The range and centre of the target, for `use-data`'s summary."""
    return f"numbers from {y.min():g} to {y.max():g}, median {y.median():g}"


def propose_metric(y: pd.Series, current: str) -> tuple[str, str]:
    """A done.yaml metric for `y`, and why: the current one when it fits, else r2."""
    try:
        check_metric(current, y)
    except ThriftyError:
        return "r2", f"{current} cannot score this target; r2 can, and needs no unit to read"
    return current, f"{current} fits this target (r2 reads without units: 0 is the mean's score)"
