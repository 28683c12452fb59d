"""What classification means here: its scorers, its target checks, how it splits and stratifies.

Every place where classification and regression differ asks this module (the regression
project has its own), so no other module needs to know which task it serves.
"""

from __future__ import annotations

import functools
import logging
import warnings
from collections import Counter
from typing import Any

import numpy as np
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
STANDARD = {"accuracy": "accuracy", "balanced_accuracy": "bal_accuracy", "f1_macro": "f1_macro"}
# Which scorers fit which targets is not written down here: `check_metric` asks the installed
# scikit-learn by scoring a dummy, so the answer follows its version. With scikit-learn 1.9,
# f1, precision, recall, jaccard (no average suffix) and roc_auc are binary-only; f1 & co. also
# need the positive class labelled 1; top_k_accuracy means nothing on two classes.


def fits_task(estimator: Any) -> bool:
    """Whether a scikit-learn estimator instance is a classifier."""
    from sklearn.base import is_classifier

    return is_classifier(estimator)


def check_target(y: pd.Series, column: str) -> None:
    """At least two classes, each with two rows or more (one for train, one for test)."""
    counts: Counter = Counter()
    tally_target(y, column, counts)
    check_tally(counts, column)


def tally_target(y: pd.Series, column: str, counts: Counter) -> None:
    """Add a chunk of the target column to `counts`: rows per class."""
    counts.update({label: int(n) for label, n in y.value_counts().items()})


def check_tally(counts: Counter, column: str) -> None:
    """The checks of `check_target` on the whole column's `counts`, read chunk by chunk."""
    if len(counts) < 2:
        raise ThriftyError(
            f"data.target: column {column!r} holds one class only ({next(iter(counts))!r}); "
            "classification needs at least two"
        )
    spellings: dict[str, list] = {}
    for label in counts:
        if isinstance(label, str):
            spellings.setdefault(label.strip().casefold(), []).append(label)
    alike = next((sorted(same) for same in spellings.values() if len(same) > 1), None)
    if alike:
        raise ThriftyError(
            f"data.target: column {column!r} spells one label several ways "
            f"({', '.join(map(repr, alike))}: they differ only by case or surrounding spaces); "
            "write each class one way, or the model learns them as different classes"
        )
    rare = [label for label, n in counts.items() if n < 2]
    if rare:
        raise ThriftyError(
            f"data.target: class(es) {', '.join(map(repr, rare))} have a single row; "
            "every class needs at least two to split train and test"
        )


def strata(y: pd.Series) -> pd.Series:
    """What a sample keeps in proportion: the class of each row."""
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


def _probe(metric: str, y: pd.Series) -> str | None:
    """Why `metric` cannot score a model of `y` (a seeded stratified dummy); None if it can."""
    from sklearn.dummy import DummyClassifier
    from sklearn.metrics import get_scorer

    X = np.zeros((len(y), 1))
    model = DummyClassifier(strategy="stratified", random_state=0).fit(X, y)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # undefined precision and the like: not our point
            get_scorer(metric)(model, X, y)
    except (ValueError, TypeError) as error:
        return (str(error).strip().splitlines() or [type(error).__name__])[0]
    return None


@functools.cache
def binary_only(metric: str) -> bool:
    """Whether the installed scikit-learn scores `metric` on two classes (0/1) but not on three."""
    two, three = (pd.Series(np.arange(30) % k) for k in (2, 3))
    return _probe(metric, two) is None and _probe(metric, three) is not None


def _top_k(metric: str) -> int | None:
    """The k of a top-k scorer (a hit when the true class is among the k likeliest), else None."""
    from sklearn.metrics import get_scorer

    if not metric.startswith("top_k"):
        return None
    return int(getattr(get_scorer(metric), "_kwargs", {}).get("k", 2))


def fitting_metrics(metric: str, y: pd.Series) -> list[str]:
    """The scorers of METRICS that can score `y`, those of `metric`'s family first."""
    fits = [
        name for name in METRICS if _probe(name, y) is None and (_top_k(name) or 0) < y.nunique()
    ]
    return sorted(fits, key=lambda name: not name.startswith(f"{metric}_"))


def check_metric(metric: str, y: pd.Series) -> None:
    """Fail, naming the scorers that would fit, when done.yaml's `metric` cannot score `y`.

    Runs before any model is fitted: a stratified dummy scored on `y` shows whether the metric
    fits the number of classes and their labels, whatever scikit-learn version is installed.
    """
    classes = sorted(y.dropna().unique(), key=str)
    k, problem = _top_k(metric), _probe(metric, y)
    if problem is None and (k is None or k < len(classes)):
        return
    shown = ", ".join(map(repr, classes[:5])) + (", ..." if len(classes) > 5 else "")
    fix = "Metrics that fit"
    if problem is None:
        why = (
            f"y has {len(classes)} classes; {metric} counts a hit when the true class is among "
            f"the {k} likeliest, which every prediction is"
        )
    elif len(classes) > 2 and binary_only(metric):
        why = f"y has {len(classes)} classes; {metric} is binary-only"
    elif len(classes) == 2 and _probe(metric, (y == classes[1]).astype(int)) is None:
        why = f"{metric} scores the class labelled 1, and y's classes are {shown}"
        fix = "Recode the target to 0/1 (1 = the class that matters), or use a metric that fits"
    else:
        why = f"y's classes are {shown}, and scikit-learn says: {problem}"
    fits = ", ".join(fitting_metrics(metric, y)) or "none"
    message = f"done.yaml: metric {metric} does not fit this target: {why}"
    raise ThriftyError(f"{message}. {fix}: {fits}")


def describe_target(y: pd.Series) -> str:
    """The classes and how rare the rarest is, for `use-data`'s summary."""
    counts = y.value_counts()
    return (
        f"{len(counts)} classes; the rarest, {counts.index[-1]!r}, has {int(counts.iloc[-1]):,} "
        f"row(s), the commonest {int(counts.iloc[0]):,}"
    )


def propose_metric(y: pd.Series, current: str) -> tuple[str, str]:
    """A done.yaml metric for `y`, and why: the current one when it fits, else f1_macro."""
    try:
        check_metric(current, y)
    except ThriftyError:
        return "f1_macro", (
            f"{current} cannot score this target; f1_macro can, and weighs every class the "
            "same, so a rare class counts as much as a common one"
        )
    return current, f"{current} fits this target (f1_macro weighs every class the same)"
