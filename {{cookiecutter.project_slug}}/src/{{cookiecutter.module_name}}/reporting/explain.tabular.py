"""What a tabular model uses: permutation importance of each column on the test set."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.inspection import permutation_importance

from .figure import TOP, figure


def explain(model, X, y, metric: str, seed: int, folder: Path) -> Path:
    """Permutation importance: the drop in `metric` when one column's values are shuffled."""
    path = folder / "permutation_importance.png"
    result = permutation_importance(model, X, y, scoring=metric, n_repeats=5, random_state=seed)
    top = np.argsort(result.importances_mean)[-TOP:]
    with figure(path, "Permutation importance (test set)", figsize=(8, 6)) as ax:
        labels = X.columns[top].astype(str)
        ax.boxplot(result.importances[top].T, orientation="horizontal", tick_labels=labels)
        ax.axvline(0, color="grey", linestyle="--", linewidth=1)
        ax.set(xlabel=f"drop in {metric} when shuffled", ylabel="column")
    return path
