"""The forecast: an inverse power law fitted to the learning curve, and only when it fits."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.core.config import Done, Params
from {{ cookiecutter.module_name }}.core.task import make_cv
from {{ cookiecutter.module_name }}.modeling.crossval import cross_score
from {{ cookiecutter.module_name }}.modeling.forecast import (
    fit_curve,
    forecast,
    law_through,
    measure_curve,
    predict_score,
    rows_for,
)
from {{ cookiecutter.module_name }}.modeling.ladder import build_candidate, split_xy

ROWS = np.geomspace(50, 5000, 6).astype(int)
LAW = {"a": 0.9, "b": 2.0, "c": 0.5}


def curve(scores: np.ndarray, std: float = 0.01) -> pd.DataFrame:
    """A learning curve at ROWS, as `measure_curve` returns it."""
    return pd.DataFrame({"rows": ROWS, "score": scores, "score_std": std})


def law_curve(a: float, b: float, c: float, noise: float = 1e-4) -> pd.DataFrame:
    """Scores that follow a - b * n^-c exactly, up to a little seeded noise."""
    rng = np.random.default_rng(0)
    return curve(a - b * ROWS.astype(float) ** -c + rng.normal(scale=noise, size=len(ROWS)))


def test_the_law_through_two_points_passes_through_both() -> None:
    law = law_through((100, 0.6), (400, 0.7), c=0.5)
    assert predict_score(law, 100) == pytest.approx(0.6)
    assert predict_score(law, 400) == pytest.approx(0.7)
    assert predict_score(law, 1600) == pytest.approx(0.75)  # half the gain for 4x the rows
    assert law["a"] == pytest.approx(0.8) and law["c"] == 0.5


@pytest.mark.parametrize(("a", "b", "c"), [(0.9, 2.0, 0.5), (0.8, 5.0, 0.7), (0.95, 1.0, 0.3)])
def test_fit_recovers_a_known_law(a: float, b: float, c: float) -> None:
    law = fit_curve(law_curve(a, b, c), ceiling=1.0, folds=5)
    assert law is not None
    assert law["a"] == pytest.approx(a, abs=0.005)
    assert law["b"] == pytest.approx(b, rel=0.05)
    assert law["c"] == pytest.approx(c, abs=0.02)
    assert law["residual"] < 1e-3


@pytest.mark.parametrize(
    "scores",
    [
        np.full(len(ROWS), 0.8),
        np.linspace(0.85, 0.75, len(ROWS)),
        # Rises by 0.005, well within the noise of 0.05 / sqrt(5) folds.
        np.linspace(0.800, 0.805, len(ROWS)),
    ],
    ids=["flat", "falling", "rise-within-noise"],
)
def test_no_law_for_an_untrustworthy_curve(scores: np.ndarray) -> None:
    assert fit_curve(curve(scores, std=0.05), ceiling=1.0, folds=5) is None


def test_a_curve_that_levelled_off_early_forecasts_its_level() -> None:
    """Steeper than the steepest law (c at its bound): the level reached is the forecast."""
    scores = np.array([0.80, 0.95, 0.951, 0.949, 0.95, 0.951])
    law = fit_curve(curve(scores), ceiling=1.0, folds=5)
    assert law is not None and law["a"] == pytest.approx(0.95, abs=0.003)
    assert rows_for(law, 0.99) is None


def test_no_law_that_levels_off_below_the_scores_already_measured() -> None:
    """A jump at the smallest size pulls the fit's ceiling under a curve that still rises."""
    scores = np.array([0.50, 0.90, 0.91, 0.92, 0.93, 0.94])
    assert fit_curve(curve(scores), ceiling=1.0, folds=5) is None


def test_too_few_points_make_no_law() -> None:
    assert fit_curve(law_curve(0.9, 2.0, 0.5).head(2), ceiling=1.0, folds=5) is None


def test_rows_for_target() -> None:
    rows = rows_for(LAW, 0.853)
    assert rows == 1811
    assert predict_score(LAW, rows) >= 0.853 > predict_score(LAW, rows - 1)


def test_target_above_the_asymptote_is_never_reached() -> None:
    assert rows_for(LAW, 0.95) is None
    assert rows_for(LAW, LAW["a"]) is None


def test_forecast_of_a_law_curve() -> None:
    outlook = forecast(law_curve(**LAW), rows=1000, ceiling=1.0, target=0.88, folds=5)
    assert set(outlook) == {
        "available",
        "law",
        "score_at_2x",
        "score_at_10x",
        "rows_for_target",
        "rows_now",
        "target",
    }
    assert outlook["available"] and outlook["rows_now"] == 1000 and outlook["target"] == 0.88
    assert predict_score(outlook["law"], 1000) < outlook["score_at_2x"] < outlook["score_at_10x"]
    assert outlook["score_at_10x"] < outlook["law"]["a"]
    assert outlook["rows_for_target"] == pytest.approx(10_000, rel=0.05)  # (2 / 0.02)^2


def test_no_forecast_explains_why() -> None:
    outlook = forecast(curve(np.full(len(ROWS), 0.8)), rows=1000, ceiling=1.0, target=0.9, folds=5)
    assert outlook == {
        "available": False,
        "why": "the learning curve is flat, falling or too noisy to extrapolate",
        "target": 0.9,
    }


def test_measure_curve_on_a_tiny_frame(
    make_frame: Callable[..., pd.DataFrame], params: Params, done: Done
) -> None:
    X, y = split_xy(make_frame(60), params.data)
    model = build_candidate(list(params.ladder.values())[1], params.data, params.features)
    measured = measure_curve(model, X, y, make_cv(3, 1, 0), done.metric, 20, 3, n_jobs=1)
    assert list(measured.columns) == ["rows", "score", "score_std", "cpu_seconds"]
    assert (measured["cpu_seconds"] > 0).all()
    assert measured["rows"].tolist() == [20, 28, 40]  # geometric, up to 60 - 60 / 3 rows
    assert measured["score"].notna().all()


def test_the_curve_takes_its_last_point_from_a_known_cross_validation(
    make_frame: Callable[..., pd.DataFrame], params: Params, done: Done
) -> None:
    """tune cross-validated the pick on every row of the same folds: that is the last point."""
    X, y = split_xy(make_frame(60), params.data)  # 3 folds of 20: every training fold is 40
    model = build_candidate(list(params.ladder.values())[1], params.data, params.features)
    cv = make_cv(3, 1, 0)
    known = cross_score(model, X, y, cv, done.metric).scores
    fitted = measure_curve(model, X, y, cv, done.metric, 20, 3, n_jobs=1)
    reused = measure_curve(model, X, y, cv, done.metric, 20, 3, n_jobs=1, known=known)
    scores = ["rows", "score", "score_std"]
    pd.testing.assert_frame_equal(reused[scores], fitted[scores])
    assert reused["cpu_seconds"].iloc[-1] == 0  # not fitted again
    assert (reused["cpu_seconds"].iloc[:-1] > 0).all()
