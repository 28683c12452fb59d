"""Diagnostic plots: one PNG per plot this task and data kind has, in the given folder."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from sklearn.pipeline import Pipeline

from {{ cookiecutter.module_name }}.core.config import Done, Params
from {{ cookiecutter.module_name }}.core.records import Forecast, Law
from {{ cookiecutter.module_name }}.core.task import TASK
from {{ cookiecutter.module_name }}.modeling.ladder import split_xy
from {{ cookiecutter.module_name }}.reporting import figure as figure_module
from {{ cookiecutter.module_name }}.reporting.figure import figure, rendering_in_parallel
from {{ cookiecutter.module_name }}.reporting.plots import (
    diagnostic_plots,
    draw_leaderboard,
    draw_learning_curve,
)
from {{ cookiecutter.module_name }}.reporting.task_plots import plot_data, task_plots

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
    forecast = Forecast(available=False, why="flat", target=done.target)
    paths = diagnostic_plots(fitted, X, y, folder, curve, board, done.metric, forecast, seed=0)
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


# Golden checks on what the plots draw: the artists on the axes, not the pixels.

CURVE = pd.DataFrame({"rows": [50, 100, 200, 400], "score": [0.6, 0.7, 0.75, 0.78]})
CURVE["score_std"] = 0.02
LAW = Law(a=0.9, b=3.0, c=0.5, residual=0.001)


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def lines(ax) -> dict[str, object]:
    return {line.get_label(): line for line in ax.get_lines()}


def test_learning_curve_shows_the_target_and_the_forecast_to_the_rows_it_needs(ax) -> None:
    forecast = Forecast(available=True, law=LAW, rows_for_target=2500, rows_now=400, target=0.84)
    draw_learning_curve(ax, CURVE, "f1_macro", forecast)
    drawn = lines(ax)
    assert set(drawn["target 0.84 (done.yaml)"].get_ydata()) == {0.84}
    (law,) = [line for label, line in drawn.items() if label.startswith("forecast: 0.9 - 3")]
    n, score = law.get_xdata(), law.get_ydata()
    assert n.min() == 50 and n.max() >= 2500  # carried on past the rows the target needs
    assert np.allclose(score, 0.9 - 3.0 * n**-0.5)
    assert ax.get_xscale() == "log"  # 50 to 3000 rows: equal ratios read better
    assert any("target at ~2,500 rows" in text.get_text() for text in ax.texts)


def test_learning_curve_without_a_forecast_still_shows_the_target(ax) -> None:
    draw_learning_curve(ax, CURVE, "r2", Forecast(available=False, why="flat", target=0.5))
    assert set(lines(ax)) == {"measured: mean over folds", "target 0.5 (done.yaml)"}
    assert ax.get_xscale() == "linear"


BOARD = pd.DataFrame(
    {
        "model": ["dummy", "logistic", "a_rather_long_rung_name", "svm_rbf"],
        "score": [0.38, 0.96, 0.955, 0.95],
        "score_se": [0.0, 0.015, 0.014, 0.016],
        "cpu_seconds": [0.29, 0.21, 1.6, 0.19],
        "kept": [False, True, False, True],
    }
)


def test_leaderboard_names_every_rung_on_its_own_row_and_the_dummy_off_the_axis() -> None:
    fig, (score_ax, cost_ax) = plt.subplots(ncols=2, sharey=True)
    try:
        draw_leaderboard(score_ax, cost_ax, BOARD, "f1_macro")
        names = [label.get_text() for label in score_ax.get_yticklabels()]
        assert names == ["logistic", "a_rather_long_rung_name", "svm_rbf"]  # ladder order
        ticks = score_ax.get_yticks()
        assert len(set(ticks)) == len(ticks)  # one row each: no two names overlap
        low, high = score_ax.get_xlim()
        assert low > 0.9 and high < 1  # the dummy does not squash the rungs
        legend = [text.get_text() for text in score_ax.get_legend().get_texts()]
        assert "dummy 0.38 (off the axis)" in legend
        assert {"kept for tuning", "dropped"} <= set(legend)
        widths = sorted(bar.get_width() for bar in cost_ax.patches)
        assert widths == sorted(BOARD["cpu_seconds"].iloc[1:])
    finally:
        plt.close(fig)


@pytest.mark.skipif(TASK != "regression", reason="the regression plots' ticks")
def test_regression_ticks_are_round_numbers(
    tmp_path: Path,
    fitted: Pipeline,
    make_frame: Callable[..., pd.DataFrame],
    params: Params,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    X, y = split_xy(make_frame(40, seed=3), params.data)
    drawn = []
    monkeypatch.setattr(plt, "close", drawn.append)  # keep the figures open to look at them
    task_plots(fitted, X, y, tmp_path, seed=0)
    monkeypatch.undo()
    assert drawn
    for fig in drawn:
        for axis in (fig.axes[0].xaxis, fig.axes[0].yaxis):
            ticks = axis.get_ticklocs()
            step = np.diff(ticks)[0]
            mantissa = step / 10 ** np.floor(np.log10(step))
            assert np.isclose(mantissa, [1, 2, 2.5, 5]).any(), ticks
            assert np.allclose(ticks / step, np.round(ticks / step)), ticks
        plt.close(fig)
{%- if cookiecutter.data_kind == "text" %}


def test_top_terms_are_coloured_by_the_sign_of_their_weight(ax) -> None:
    from matplotlib.colors import to_hex

    from {{ cookiecutter.module_name }}.reporting.explain import COLOURS, draw_terms

    rows = pd.DataFrame(
        {
            "kind": ["words", "chars", "words", "lexicons"],
            "term": ["refund", "ref", "thanks", "negative"],
            "weight": [2.0, 0.5, -0.7, -1.5],
        }
    )
    rows["direction"] = np.where(rows["weight"] > 0, "towards", "away")
    draw_terms(ax, "billing", rows)
    labels = [label.get_text() for label in ax.get_yticklabels()]
    assert labels == ["lexicon: negative", "thanks", "'ref'", "refund"]  # bottom-up by weight
    colours = [to_hex(bar.get_facecolor()) for bar in ax.patches]
    assert colours == [to_hex(COLOURS[way]) for way in ["away"] * 2 + ["towards"] * 2]
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["towards billing", "away billing"]
{%- endif %}


def test_a_figure_is_drawn_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """tight_layout leaves a layout engine behind, for which savefig drew each figure twice."""
    draws = []
    original = Figure.draw

    def draw(self: Figure, renderer) -> None:
        draws.append(self)
        original(self, renderer)

    monkeypatch.setattr(Figure, "draw", draw)
    path = tmp_path / "two_panels.png"
    with figure(path, "Two panels", ncols=2) as axes:
        for ax in axes:
            ax.plot([0, 1], [1, 0])
            ax.set(xlabel="a long label that tight_layout makes room for", ylabel="y")
    assert path.read_bytes().startswith(b"\x89PNG")
    assert len(draws) == 1


@pytest.fixture
def diagnostics(
    tmp_path: Path,
    fitted: Pipeline,
    make_frame: Callable[..., pd.DataFrame],
    params: Params,
    done: Done,
) -> Callable[[str], dict[str, bytes]]:
    """Draw every diagnostic plot into a new folder; the PNGs' bytes by name."""
    X, y = split_xy(make_frame(30, seed=2), params.data)
    curve = pd.DataFrame({"rows": [10, 20, 40], "score": [0.5, 0.6, 0.7], "score_std": 0.05})
    board = pd.DataFrame(
        {
            "model": ["dummy", "first"],
            "score": [0.1, 0.6],
            "score_se": [0.01, 0.02],
            "cpu_seconds": [0.01, 0.2],
            "kept": [False, True],
        }
    )

    def draw(name: str) -> dict[str, bytes]:
        paths = diagnostic_plots(fitted, X, y, tmp_path / name, curve, board, done.metric)
        return {path.name: path.read_bytes() for path in paths}

    return draw


def test_figures_rendered_by_copies_are_the_same_pngs(
    diagnostics: Callable[[str], dict[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    forks = []
    fork = os.fork

    def counted() -> int:
        pid = fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(figure_module, "_cores", lambda: 1)
    here = diagnostics("here")
    monkeypatch.setattr(figure_module, "_cores", lambda: 3)  # two copies and this process
    monkeypatch.setattr(os, "fork", counted)
    copies = diagnostics("copies")
    assert forks  # some figures were rendered by copies...
    assert copies == here  # ...into the same bytes
    for pid in forks:  # every copy was waited for
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_a_figure_that_fails_in_its_copy_fails_the_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(figure_module, "_cores", lambda: 2)
    failed = r"(?s)a figure failed to render: missing\.png: .*FileNotFoundError"
    with pytest.raises(RuntimeError, match=failed), rendering_in_parallel():
        with figure(tmp_path / "no such folder" / "missing.png", "Nowhere") as ax:
            ax.plot([0, 1], [1, 0])
        with figure(tmp_path / "fine.png", "Fine") as ax:  # the others still render
            ax.plot([0, 1], [1, 0])
    assert (tmp_path / "fine.png").read_bytes().startswith(PNG)


def test_a_copy_that_takes_too_long_is_stopped_and_its_figure_rendered_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(figure_module, "_cores", lambda: 2)
    monkeypatch.setattr(figure_module, "COPY_SECONDS", 0.0)
    with rendering_in_parallel(), figure(tmp_path / "late.png", "Late") as ax:
        ax.plot([0, 1], [1, 0])
    assert (tmp_path / "late.png").read_bytes().startswith(PNG)
