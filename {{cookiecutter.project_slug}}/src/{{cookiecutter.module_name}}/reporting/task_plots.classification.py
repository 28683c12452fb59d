"""The plots of a classifier on the test set: confusion matrix, ROC, precision-recall, calibration.

scikit-learn's Display classes draw each of them; `plot_data` writes the rows behind the
curves as CSV for `dvc plots`.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.calibration import CalibrationDisplay
from sklearn.metrics import (
    ConfusionMatrixDisplay,
    PrecisionRecallDisplay,
    RocCurveDisplay,
    precision_recall_curve,
    roc_curve,
)

from ..core.files import write_table
from .figure import figure


def _one_vs_rest(model, X: pd.DataFrame, y: pd.Series) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(class, is-that-class, score) per class; one entry, the second class, when binary."""
    method = "predict_proba" if hasattr(model, "predict_proba") else "decision_function"
    scores = getattr(model, method)(X)
    classes = model.classes_
    if len(classes) == 2:
        positive = scores[:, 1] if scores.ndim == 2 else scores
        return [(str(classes[1]), (y == classes[1]).to_numpy(int), positive)]
    return [(str(c), (y == c).to_numpy(int), scores[:, i]) for i, c in enumerate(classes)]


def task_plots(model, X: pd.DataFrame, y: pd.Series, folder: Path, seed: int) -> list[Path]:
    paths = [folder / "confusion_matrix.png", folder / "roc.png", folder / "precision_recall.png"]
    with figure(paths[0], "Confusion matrix (test set)", figsize=(7, 6)) as ax:
        ConfusionMatrixDisplay.from_estimator(model, X, y, ax=ax, xticks_rotation=45)
        plt.setp(ax.get_xticklabels(), ha="right", rotation_mode="anchor")
    curves = _one_vs_rest(model, X, y)
    with figure(paths[1], "ROC, one class against the rest", figsize=(7, 6)) as ax:
        for i, (name, actual, score) in enumerate(curves):
            last = i == len(curves) - 1  # one diagonal, at the end of the legend
            RocCurveDisplay.from_predictions(
                actual, score, name=name, ax=ax, plot_chance_level=last
            )
        ax.set(xlabel="false positive rate", ylabel="true positive rate")
    with figure(paths[2], "Precision and recall, one class against the rest") as ax:
        for name, actual, score in curves:
            PrecisionRecallDisplay.from_predictions(actual, score, name=name, ax=ax)
        ax.set(xlabel="recall", ylabel="precision")
    if hasattr(model, "predict_proba"):  # decision functions are not probabilities
        paths.append(folder / "calibration.png")
        with figure(paths[-1], "Calibration (test set)", figsize=(7, 6)) as ax:
            for name, actual, score in curves:
                CalibrationDisplay.from_predictions(
                    actual, score, n_bins=10, strategy="quantile", name=name, ax=ax
                )
            ax.set(xlabel="mean predicted probability", ylabel="fraction of the class")
    return paths


def plot_data(model, X_test: pd.DataFrame, y_test: pd.Series, folder: Path) -> list[Path]:
    """The rows behind the confusion matrix, ROC and precision-recall curves, for `dvc plots`."""
    roc, pr = [], []
    for name, actual, score in _one_vs_rest(model, X_test, y_test):
        fpr, tpr, _ = roc_curve(actual, score)
        precision, recall, _ = precision_recall_curve(actual, score)
        roc.append(pd.DataFrame({"class": name, "fpr": fpr, "tpr": tpr}))
        pr.append(pd.DataFrame({"class": name, "recall": recall, "precision": precision}))
    tables = {
        "confusion.csv": pd.DataFrame({"actual": y_test, "predicted": model.predict(X_test)}),
        "roc.csv": pd.concat(roc, ignore_index=True),
        "precision_recall.csv": pd.concat(pr, ignore_index=True),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        write_table(table, folder / name)
    return [folder / name for name in tables]
