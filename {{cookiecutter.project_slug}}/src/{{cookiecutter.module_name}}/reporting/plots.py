"""Diagnostic plots of the published model, as PNG images for its bundle.

scikit-learn's Display classes draw every plot they cover (`task_plots`); the learning curve
and the leaderboard, which no Display draws, are plotted here by hand, and `explain` shows
what the model uses.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .explain import explain
from .figure import figure
from .task_plots import task_plots


def _learning_curve(curve: pd.DataFrame, metric: str, path: Path) -> Path:
    with figure(path, "Learning curve of the pick (cross-validated)") as ax:
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
    with figure(path, "Leaderboard: score against cost", figsize=(8, 6)) as ax:
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
        *task_plots(model, X_test, y_test, folder, seed),
        _learning_curve(curve, metric, folder / "learning_curve.png"),
        _leaderboard(board, metric, folder / "leaderboard.png"),
        explain(model, X_test, y_test, metric, seed, folder),
    ]
    return [path for path in paths if path is not None]
