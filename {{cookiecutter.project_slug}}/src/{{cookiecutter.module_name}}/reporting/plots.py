"""Diagnostic plots of the published model, as PNG images for its bundle.

scikit-learn's Display classes draw every plot they cover (`task_plots`); the learning curve
and the leaderboard, which no Display draws, are plotted here by hand, and `explain` shows
what the model uses.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..core.records import Forecast
from .explain import explain
from .figure import figure, rendering_in_parallel
from .task_plots import task_plots


def draw_learning_curve(ax, curve: pd.DataFrame, metric: str, forecast: Forecast | None) -> None:
    """The measured curve with its spread, done.yaml's target and, when the curve allowed one,
    the fitted law carried on to the rows the target needs (or 10x the rows, if it never
    gets there)."""
    rows = curve["rows"].to_numpy(float)
    ax.plot(rows, curve["score"], marker="o", label="measured: mean over folds")
    low, high = curve["score"] - curve["score_std"], curve["score"] + curve["score_std"]
    ax.fill_between(rows, low, high, alpha=0.2, label="± 1 standard deviation")
    target = forecast.target if forecast else None
    law = forecast.law if forecast and forecast.available else None
    if law is not None:
        now = forecast.rows_now or rows.max()
        need = forecast.rows_for_target
        last = max(rows.max(), min(need * 1.2, 100 * now) if need else 10 * now)
        n = np.geomspace(rows.min(), last, 100)
        label = f"forecast: {law.a:.3g} - {law.b:.3g} * rows^-{law.c:.2g}"
        ax.plot(n, law.a - law.b * n**-law.c, linestyle=":", color="tab:purple", label=label)
        if need and need > rows.max():
            ax.axvline(need, color="tab:purple", linewidth=0.8, linestyle=":")
            ax.annotate(
                f"target at ~{need:,} rows",
                (need, target),
                (-4, 6),
                textcoords="offset points",
                ha="right",
                fontsize=8,
                color="tab:purple",
            )
        if last / rows.min() > 20:  # a long forecast: equal ratios, equal widths
            ax.set_xscale("log")
    if target is not None:
        ax.axhline(
            target, color="tab:green", linestyle="--", label=f"target {target:g} (done.yaml)"
        )
    ax.set(xlabel="training rows", ylabel=metric)
    ax.legend(loc="lower right", fontsize=8)


def _learning_curve(
    curve: pd.DataFrame, metric: str, forecast: Forecast | None, path: Path
) -> Path:
    with figure(path, "Learning curve of the pick (cross-validated)") as ax:
        draw_learning_curve(ax, curve, metric, forecast)
    return path


def draw_leaderboard(score_ax, cost_ax, board: pd.DataFrame, metric: str) -> None:
    """One row per rung, the dummy's score as a line: its score ± SE on the left, its CPU
    seconds on the right, so names never overlap and the dummy does not squash the axis."""
    board = board[board["score"].notna()].reset_index(drop=True)
    dummy, rungs = board.iloc[0], board.iloc[1:]
    y = np.arange(len(rungs))[::-1]  # the ladder's order, top down
    kept = rungs["kept"].eq(True).to_numpy()
    for flag, style, colour, label in (
        (False, "o", "tab:blue", "dropped"),
        (True, "s", "tab:orange", "kept for tuning"),
    ):
        where = kept == flag
        if where.any():
            score_ax.errorbar(
                rungs["score"][where],
                y[where],
                xerr=rungs["score_se"][where],
                fmt=style,
                color=colour,
                capsize=3,
                label=label,
            )
            cost_ax.barh(y[where], rungs["cpu_seconds"][where], color=colour)
    score_ax.set_yticks(y, rungs["model"].astype(str))
    spread = (rungs["score"] - rungs["score_se"]).min(), (rungs["score"] + rungs["score_se"]).max()
    pad = 0.15 * max(spread[1] - spread[0], 1e-3)
    score_ax.set_xlim(spread[0] - pad, spread[1] + pad)
    baseline = f"{dummy['model']} {dummy['score']:.4g}"
    if spread[0] - pad <= dummy["score"] <= spread[1] + pad:
        score_ax.axvline(dummy["score"], color="grey", linestyle="--", label=baseline)
    else:  # the usual case: far below; a line off the axis, named in the legend
        score_ax.plot([], [], color="grey", linestyle="--", label=f"{baseline} (off the axis)")
    score_ax.set(xlabel=f"{metric} (cross-validated, ± 1 SE)")
    score_ax.legend(loc="best", fontsize=8)
    cost_ax.set_xscale("log")
    cost_ax.set(xlabel="CPU seconds (log scale)")
    for row, seconds in zip(y, rungs["cpu_seconds"], strict=True):
        cost_ax.annotate(
            f"{seconds:.2g}",
            (seconds, row),
            (3, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    cost_ax.margins(x=0.3)


def _leaderboard(board: pd.DataFrame, metric: str, path: Path) -> Path:
    rungs = int(board["score"].notna().sum())
    size = {"figsize": (9, 1.6 + 0.35 * rungs), "width_ratios": [3, 1]}
    with figure(path, "Leaderboard: score and cost per rung", ncols=2, sharey=True, **size) as (
        score_ax,
        cost_ax,
    ):
        draw_leaderboard(score_ax, cost_ax, board, metric)
    return path


def diagnostic_plots(
    model,
    X_test: pd.DataFrame,
    y_test: pd.Series,
    folder: Path,
    curve: pd.DataFrame,
    board: pd.DataFrame,
    metric: str,
    forecast: Forecast | None = None,
    seed: int = 0,
) -> list[Path]:
    """Write every diagnostic PNG into `folder`; return their paths. `forecast` (tune's, with
    done.yaml's target) adds the target line and the fitted law to the learning curve."""
    folder.mkdir(parents=True, exist_ok=True)
    with rendering_in_parallel():
        # The costliest figure first, so that a copy renders it while this process draws the
        # others: drawn last, it would be rendered while this process had nothing left to do.
        explained = explain(model, X_test, y_test, metric, seed, folder)
        paths = [
            *task_plots(model, X_test, y_test, folder, seed),
            _learning_curve(curve, metric, forecast, folder / "learning_curve.png"),
            _leaderboard(board, metric, folder / "leaderboard.png"),
            explained,
        ]
    return [path for path in paths if path is not None]
