"""Diagnostic plots: one PNG per plot this task and data kind has, in the given folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
from sklearn.pipeline import Pipeline

from {{ cookiecutter.module_name }}.core.config import Done, Params
from {{ cookiecutter.module_name }}.core.task import TASK
from {{ cookiecutter.module_name }}.modeling.ladder import split_xy
from {{ cookiecutter.module_name }}.reporting.plots import diagnostic_plots
from {{ cookiecutter.module_name }}.reporting.task_plots import plot_data

PNG = b"\x89PNG\r\n\x1a\n"
TASK_PNGS = {
    "classification": ["confusion_matrix", "roc", "precision_recall", "calibration"],
    "regression": ["predicted_vs_actual", "residuals"],
}
TASK_TABLES = {
    "classification": ["confusion.csv", "roc.csv", "precision_recall.csv"],
    "regression": ["predictions.csv"],
}
{%- if cookiecutter.data_kind == "text" %}
EXPLAIN = "top_terms"
{%- else %}
EXPLAIN = "permutation_importance"
{%- endif %}


def test_diagnostic_plots_writes_the_task_pngs(
    tmp_path: Path,
    fitted: Pipeline,
    make_frame: Callable[..., pd.DataFrame],
    params: Params,
    done: Done,
) -> None:
    X, y = split_xy(make_frame(30, seed=2), params.data)
    curve = pd.DataFrame({"rows": [10, 20, 40], "score": [0.5, 0.6, 0.7], "score_std": 0.05})
    board = pd.DataFrame(
        {
            "model": ["dummy", "first", "second"],
            "score": [0.1, 0.6, 0.5],
            "score_se": [0.01, 0.02, 0.03],
            "cpu_seconds": [0.01, 0.2, 1.5],
            "kept": [False, True, False],
        }
    )
    folder = tmp_path / "plots"
    paths = diagnostic_plots(fitted, X, y, folder, curve, board, done.metric, seed=0)
    expected = [*TASK_PNGS[TASK], "learning_curve", "leaderboard", EXPLAIN]
    assert [path.name for path in paths] == [f"{stem}.png" for stem in expected]
    assert sorted(folder.iterdir()) == sorted(paths)
    for path in paths:
        assert path.read_bytes().startswith(PNG), path.name


def test_plot_data_writes_the_tables(
    tmp_path: Path, fitted: Pipeline, make_frame: Callable[..., pd.DataFrame], params: Params
) -> None:
    X, y = split_xy(make_frame(30, seed=2), params.data)
    paths = plot_data(fitted, X, y, tmp_path / "data")
    assert [path.name for path in paths] == TASK_TABLES[TASK]
    assert all(len(pd.read_csv(path)) > 0 for path in paths)
