"""Diagnostic plots of the published model, as PNG images and as the CSV data DVC plots.

scikit-learn's Display classes draw every plot they cover; only the learning curve, the
leaderboard and the importances, which no Display draws, are plotted by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
{%- if cookiecutter.task == "classification" %}
from sklearn.calibration import CalibrationDisplay
{%- endif %}
{%- if cookiecutter.data_kind == "tabular" %}
from sklearn.inspection import permutation_importance
{%- endif %}
{%- if cookiecutter.task == "classification" %}
from sklearn.metrics import (
    ConfusionMatrixDisplay,
    PrecisionRecallDisplay,
    RocCurveDisplay,
    precision_recall_curve,
    roc_curve,
)
{%- else %}
from sklearn.metrics import PredictionErrorDisplay
{%- endif %}

from .files import write_table

matplotlib.use("Agg")  # files only: no display is needed, or available on a server
import matplotlib.pyplot as plt  # noqa: E402

TOP = 15  # features or terms shown: more make the labels unreadable


@contextmanager
def _figure(path: Path, title: str, **subplots) -> Iterator:
    """The axes of a new figure, saved to `path` with a tight layout, and always closed."""
    fig, ax = plt.subplots(**subplots)
    try:
        yield ax
        fig.suptitle(title)
        fig.tight_layout()
        fig.savefig(path, dpi=100)
    finally:
        plt.close(fig)


{%- if cookiecutter.task == "classification" %}


def _one_vs_rest(model, X: pd.DataFrame, y: pd.Series) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(class, is-that-class, score) per class; one entry, the second class, when binary."""
    method = "predict_proba" if hasattr(model, "predict_proba") else "decision_function"
    scores = getattr(model, method)(X)
    classes = model.classes_
    if len(classes) == 2:
        positive = scores[:, 1] if scores.ndim == 2 else scores
        return [(str(classes[1]), (y == classes[1]).to_numpy(int), positive)]
    return [(str(c), (y == c).to_numpy(int), scores[:, i]) for i, c in enumerate(classes)]


def _task_plots(model, X: pd.DataFrame, y: pd.Series, folder: Path, seed: int) -> list[Path]:
    paths = [folder / "confusion_matrix.png", folder / "roc.png", folder / "precision_recall.png"]
    with _figure(paths[0], "Confusion matrix (test set)", figsize=(7, 6)) as ax:
        ConfusionMatrixDisplay.from_estimator(model, X, y, ax=ax, xticks_rotation=45)
        plt.setp(ax.get_xticklabels(), ha="right", rotation_mode="anchor")
    curves = _one_vs_rest(model, X, y)
    with _figure(paths[1], "ROC, one class against the rest", figsize=(7, 6)) as ax:
        for i, (name, actual, score) in enumerate(curves):
            last = i == len(curves) - 1  # one diagonal, at the end of the legend
            RocCurveDisplay.from_predictions(
                actual, score, name=name, ax=ax, plot_chance_level=last
            )
        ax.set(xlabel="false positive rate", ylabel="true positive rate")
    with _figure(paths[2], "Precision and recall, one class against the rest") as ax:
        for name, actual, score in curves:
            PrecisionRecallDisplay.from_predictions(actual, score, name=name, ax=ax)
        ax.set(xlabel="recall", ylabel="precision")
    if hasattr(model, "predict_proba"):  # decision functions are not probabilities
        paths.append(folder / "calibration.png")
        with _figure(paths[-1], "Calibration (test set)", figsize=(7, 6)) as ax:
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
{%- else %}


def _task_plots(model, X: pd.DataFrame, y: pd.Series, folder: Path, seed: int) -> list[Path]:
    kinds = {
        "predicted_vs_actual": ("actual_vs_predicted", "Predicted against actual (test set)"),
        "residuals": ("residual_vs_predicted", "Residuals against predicted (test set)"),
    }
    paths = []
    for stem, (kind, title) in kinds.items():
        paths.append(folder / f"{stem}.png")
        with _figure(paths[-1], title, figsize=(7, 6)) as ax:
            PredictionErrorDisplay.from_estimator(model, X, y, kind=kind, ax=ax, random_state=seed)
    return paths


def plot_data(model, X_test: pd.DataFrame, y_test: pd.Series, folder: Path) -> list[Path]:
    """Actual, predicted and residual per test row, for `dvc plots`."""
    predicted = model.predict(X_test)
    frame = pd.DataFrame({"actual": y_test.to_numpy(), "predicted": predicted})
    tables = {"predictions.csv": frame.assign(residual=frame["actual"] - frame["predicted"])}
{%- endif %}
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        write_table(table, folder / name)
    return [folder / name for name in tables]


def _learning_curve(curve: pd.DataFrame, metric: str, path: Path) -> Path:
    with _figure(path, "Learning curve of the pick (cross-validated)") as ax:
        ax.plot(curve["rows"], curve["score"], marker="o", label="mean over folds")
        low, high = curve["score"] - curve["score_std"], curve["score"] + curve["score_std"]
        ax.fill_between(curve["rows"], low, high, alpha=0.2, label="± 1 standard deviation")
        ax.set(xlabel="training rows", ylabel=metric)
        ax.legend(loc="lower right")
    return path


def _name_points(ax, board: pd.DataFrame) -> None:
    """Label each point with its model; a label that would cover another moves down a line."""
    ax.get_xlim()  # settles the limits, so data maps to the pixels the labels will have
    data = board[["cpu_seconds", "score"]].to_numpy(float)
    pixels, names = ax.transData.transform(data), board["model"].astype(str).to_list()
    text = {"textcoords": "offset pixels", "va": "center", "fontsize": 8}
    placed: list[tuple[float, float, float]] = []
    for i in np.argsort(-pixels[:, 1], kind="stable"):
        (x, y), width = pixels[i], 6 + 5.5 * len(names[i])  # ~5.5 pixels a character
        top = y
        while any(x < px + pw and px < x + width and abs(top - py) < 11 for px, py, pw in placed):
            top -= 11
        placed.append((x, top, width))
        line = {"arrowstyle": "-", "color": "grey", "linewidth": 0.5} if top != y else None
        ax.annotate(names[i], data[i], (6, top - y), arrowprops=line, **text)


def _leaderboard(board: pd.DataFrame, metric: str, path: Path) -> Path:
    board = board[board["score"].notna() & board["cpu_seconds"].gt(0)]
    with _figure(path, "Leaderboard: score against cost", figsize=(8, 6)) as ax:
        for kept, style in ((False, "o"), (True, "s")):
            rows = board[board["kept"].eq(True) == kept]
            label = "kept for tuning" if kept else "dropped"
            x, y, se = rows["cpu_seconds"], rows["score"], rows["score_se"]
            ax.errorbar(x, y, se, fmt=style, capsize=3, label=label)
        ax.set(xscale="log", xlabel="CPU seconds (cross-validation, log scale)", ylabel=metric)
        # A few plain numbers: the default 6×10^-1 style reads badly over one decade or less.
        ticks = np.geomspace(board["cpu_seconds"].min(), board["cpu_seconds"].max(), 5)
        ax.set_xticks(ticks, [f"{tick:.2g}" for tick in ticks])
        ax.minorticks_off()
        ax.margins(x=0.1)  # room for the names of the outermost points
        _name_points(ax, board)
        ax.legend(loc="best")
    return path
{%- if cookiecutter.data_kind == "tabular" %}


def _importance(model, X, y, metric: str, seed: int, path: Path) -> Path:
    """Permutation importance: the drop in `metric` when one column's values are shuffled."""
    result = permutation_importance(model, X, y, scoring=metric, n_repeats=5, random_state=seed)
    top = np.argsort(result.importances_mean)[-TOP:]
    with _figure(path, "Permutation importance (test set)", figsize=(8, 6)) as ax:
        labels = X.columns[top].astype(str)
        ax.boxplot(result.importances[top].T, orientation="horizontal", tick_labels=labels)
        ax.axvline(0, color="grey", linestyle="--", linewidth=1)
        ax.set(xlabel=f"drop in {metric} when shuffled", ylabel="column")
    return path
{%- else %}


def top_terms(model, k: int = TOP) -> pd.DataFrame | None:
    """The `k` features with the largest weights per class: class, rank, kind, term, weight.

    `kind` is the feature branch: words, chars (character n-grams) or lexicons. None for
    models without one weight per feature (trees, neighbours, the dummy).
    """
    final = model.named_steps["model"]
{%- if cookiecutter.task == "classification" %}
    if hasattr(final, "coef_"):
        weights = np.atleast_2d(final.coef_)
    elif hasattr(final, "feature_log_prob_"):
        # Naive Bayes: centred across classes, a log-probability acts as a linear weight.
        weights = final.feature_log_prob_ - final.feature_log_prob_.mean(axis=0)
        weights = weights[1:] if len(final.classes_) == 2 else weights
    else:
        return None
    names = [str(c) for c in final.classes_]
    names = [f"{names[1]} (against {names[0]})"] if len(weights) == 1 else names
{%- else %}
    if not hasattr(final, "coef_"):
        return None
    weights, names = np.atleast_2d(final.coef_), ["a higher prediction"]
{%- endif %}
    features = model.named_steps["features"].get_feature_names_out()
    rows = [
        {"class": name, "rank": rank, "kind": kind, "term": term, "weight": float(row[i])}
        for name, row in zip(names, weights, strict=True)
        for rank, i in enumerate(np.argsort(-np.abs(row), kind="stable")[:k], start=1)
        for kind, term in [str(features[i]).split("__", 1)]
    ]
    return pd.DataFrame(rows)


def _term_label(kind: str, term: str) -> str:
    """How a feature reads on the plot: character n-grams quoted, lexicons named as such."""
    return {"chars": f"'{term}'", "lexicons": f"lexicon: {term}"}.get(kind, term)


def _top_terms(model, path: Path) -> Path | None:
    """One panel per class: its terms with the largest weights, towards (blue) or away (red)."""
    terms = top_terms(model)
    if terms is None:
        return None  # trees, neighbours, the dummy: no one weight per term to show
    panels = list(terms.groupby("class", sort=False))
    columns = min(len(panels), 2)
    grid = {"nrows": -(-len(panels) // columns), "ncols": columns, "squeeze": False}
    title = "Terms with the largest weights (blue: towards, red: away)"
    with _figure(path, title, figsize=(6 * columns, 4.5 * grid["nrows"]), **grid) as axes:
        for ax, (name, rows) in zip(axes.flat, panels, strict=False):
            rows = rows.iloc[::-1]  # barh draws bottom-up: the largest weight on top
            labels = [_term_label(kind, term) for kind, term in rows[["kind", "term"]].to_numpy()]
            colours = np.where(rows["weight"] > 0, "tab:blue", "tab:red")
            ax.barh(labels, rows["weight"], color=colours)
            ax.axvline(0, color="grey", linewidth=1)
            ax.set(title=name, xlabel="weight", ylabel="term")
        for ax in axes.flat[len(panels) :]:
            ax.set_axis_off()
    return path
{%- endif %}


def diagnostic_plots(
    model,
    X_test: pd.DataFrame,
    y_test: pd.Series,
    folder: Path,
    curve: pd.DataFrame,
    board: pd.DataFrame,
    metric: str,
    seed: int = 0,
) -> list[Path]:
    """Write every diagnostic PNG into `folder`; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [
        *_task_plots(model, X_test, y_test, folder, seed),
        _learning_curve(curve, metric, folder / "learning_curve.png"),
        _leaderboard(board, metric, folder / "leaderboard.png"),
{%- if cookiecutter.data_kind == "tabular" %}
        _importance(model, X_test, y_test, metric, seed, folder / "permutation_importance.png"),
{%- else %}
        _top_terms(model, folder / "top_terms.png"),
{%- endif %}
    ]
    return [path for path in paths if path is not None]
