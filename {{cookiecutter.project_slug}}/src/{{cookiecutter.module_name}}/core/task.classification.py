"""What classification means here: its scorers, its target checks, how it splits and stratifies.

Every place where classification and regression differ asks this module (the regression
project has its own), so no other module needs to know which task it serves.
"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd

from .settings import ThriftyError

log = logging.getLogger(__name__)

TASK = "classification"
# Scorer name -> (lowest, highest) value. Scorers are "greater is better"; all of these are.
METRICS: dict[str, tuple[float, float]] = {
    **dict.fromkeys(
        ["accuracy", "balanced_accuracy", "average_precision", "top_k_accuracy"]
        + [
            f"{m}{a}"
            for m in ("f1", "precision", "recall", "jaccard")
            for a in ("", "_macro", "_micro", "_weighted")
        ]
        + [
            "roc_auc",
            "roc_auc_ovr",
            "roc_auc_ovo",
            "roc_auc_ovr_weighted",
            "roc_auc_ovo_weighted",
        ],
        (0.0, 1.0),
    ),
    "matthews_corrcoef": (-1.0, 1.0),
    "neg_log_loss": (-float("inf"), 0.0),
    "neg_brier_score": (-2.0, 0.0),
}
# Reported beside the done.yaml metric, so a change of metric never hides the familiar ones.
STANDARD = ["accuracy", "balanced_accuracy", "f1_macro"]


def fits_task(estimator: Any) -> bool:
    """Whether a scikit-learn estimator instance is a classifier."""
    from sklearn.base import is_classifier

    return is_classifier(estimator)


def check_target(y: pd.Series, column: str) -> None:
    """At least two classes, each with two rows or more (one for train, one for test)."""
    counts = y.value_counts()
    if len(counts) < 2:
        raise ThriftyError(
            f"data.target: column {column!r} holds one class only ({counts.index[0]!r}); "
            "classification needs at least two"
        )
    rare = counts[counts < 2]
    if not rare.empty:
        raise ThriftyError(
            f"data.target: class(es) {', '.join(map(repr, rare.index))} have a single row; "
            "every class needs at least two to split train and test"
        )


def stratify_on(y: pd.Series) -> pd.Series | None:
    """The labels to stratify a split on; None when a class is too rare to stratify."""
    if y.value_counts().min() < 2:
        log.info("a class has a single row here: this split is seeded but not stratified")
        return None
    return y


def smallest_group(y: pd.Series) -> tuple[int, str]:
    """The fewest rows any cross-validation fold can draw on, and what they are."""
    return int(y.value_counts().min()), "the rarest class has"


def make_cv(folds: int, repeats: int, seed: int):
    """Repeated stratified K-fold: every fold keeps the class proportions."""
    from sklearn.model_selection import RepeatedStratifiedKFold, StratifiedKFold

    if repeats == 1:
        return StratifiedKFold(folds, shuffle=True, random_state=seed)
    return RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats, random_state=seed)


def class_counts(y: pd.Series) -> dict[Any, int]:
    """Rows per class, for the labeling queue's cold start and the class balance figures."""
    return {label: int(count) for label, count in y.value_counts().items()}
