"""What a tabular model uses: permutation importance of each column on the test set.

Shuffling a raw column and running the whole pipeline again, as
`sklearn.inspection.permutation_importance` does, refits nothing but recomputes every feature
for every shuffle: most of the time went there. The feature steps work column by column (each
output column is a function of one input column's value in the same row), so shuffling a raw
column is the same as shuffling, with the same order, the output columns it feeds. The
features are computed once; each shuffle then scores only the fitted estimator.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import get_scorer

from .figure import TOP, figure

REPEATS = 5


def _dense(values) -> np.ndarray:
    return np.asarray(values.toarray() if hasattr(values, "toarray") else values)


def feeds(features, X: pd.DataFrame, Z: np.ndarray) -> list[np.ndarray]:
    """For each column of `X`, the columns of `Z = features.transform(X)` computed from it.

    Found by moving the column's values down one row: an output computed from the column
    changes unless it is the same in every row, and then no shuffle can change it either.
    """
    groups = []
    for column in X.columns:
        moved = X.copy()
        moved[column] = np.roll(X[column].to_numpy(), 1)
        changed = _dense(features.transform(moved))
        same = (changed == Z) | (pd.isna(changed) & pd.isna(Z))
        groups.append(np.flatnonzero(~same.all(axis=0)))
    return groups


def importances(model, X: pd.DataFrame, y, metric: str, seed: int) -> np.ndarray:
    """Drop in `metric` when each column is shuffled: one row per column, one per repeat."""
    features, estimator = model[:-1], model[-1]
    Z = _dense(features.transform(X))
    groups = feeds(features, X, Z)
    # The target as an array: scikit-learn checks a Series afresh in each of the scores.
    scorer, y = get_scorer(metric), np.asarray(y)
    base = scorer(estimator, Z, y)
    rng = np.random.RandomState(seed)
    drops = np.zeros((len(groups), REPEATS))
    for j, group in enumerate(groups):
        for r in range(REPEATS):
            order = rng.permutation(len(Z))
            if len(group):
                shuffled = Z.copy()
                shuffled[:, group] = Z[order][:, group]
                drops[j, r] = base - scorer(estimator, shuffled, y)
    return drops


def explain(model, X, y, metric: str, seed: int, folder: Path) -> Path:
    """Permutation importance: the drop in `metric` when one column's values are shuffled."""
    path = folder / "permutation_importance.png"
    drops = importances(model, X, y, metric, seed)
    top = np.argsort(drops.mean(axis=1))[-TOP:]
    with figure(path, "Permutation importance (test set)", figsize=(8, 6)) as ax:
        labels = X.columns[top].astype(str)
        ax.boxplot(drops[top].T, orientation="horizontal", tick_labels=labels)
        ax.axvline(0, color="grey", linestyle="--", linewidth=1)
        ax.set(xlabel=f"drop in {metric} when shuffled", ylabel="column")
    return path
