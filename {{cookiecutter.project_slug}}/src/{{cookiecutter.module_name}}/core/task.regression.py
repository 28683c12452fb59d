"""What regression means here: its scorers, its target checks, how it splits.

Every place where classification and regression differ asks this module (the classification
project has its own), so no other module needs to know which task it serves.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .settings import ThriftyError

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
# Reported beside the done.yaml metric, so a change of metric never hides the familiar ones.
STANDARD = ["r2", "neg_mean_absolute_error", "neg_root_mean_squared_error"]


def fits_task(estimator: Any) -> bool:
    """Whether a scikit-learn estimator instance is a regressor."""
    from sklearn.base import is_regressor

    return is_regressor(estimator)


def check_target(y: pd.Series, column: str) -> None:
    """The target must be numbers."""
    if not pd.api.types.is_numeric_dtype(y):
        raise ThriftyError(
            f"data.target: column {column!r} is {y.dtype}, regression needs numbers"
        )


def stratify_on(y: pd.Series) -> None:
    """Regression splits are plain seeded draws: there are no classes to keep in proportion."""
    return None


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
