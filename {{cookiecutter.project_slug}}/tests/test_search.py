"""Tuning: successive halving over the kept rungs, the one-SE pick, and what tuning costs."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from itertools import pairwise

import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.core.config import Done, Params, Rung
from {{ cookiecutter.module_name }}.core.task import make_cv
from {{ cookiecutter.module_name }}.modeling.cost import (
    candidates_in,
    grid_estimate,
    grid_size,
    halving_rounds,
    search_cost,
)
from {{ cookiecutter.module_name }}.modeling.ladder import build_candidate, split_xy
from {{ cookiecutter.module_name }}.modeling.pick import Tuned, one_se_pick
from {{ cookiecutter.module_name }}.modeling.search import halving_search, summarize, tune_rungs
from {{ cookiecutter.module_name }}.tune import tuning_table

Frame = Callable[..., pd.DataFrame]
{%- if cookiecutter.task == "classification" %}
KNN = "sklearn.neighbors.KNeighborsClassifier"
{%- else %}
KNN = "sklearn.neighbors.KNeighborsRegressor"
{%- endif %}


def tuned(name: str, score: float, se: float) -> Tuned:
    return Tuned(name, "tuned", score=score, se=se)


def search(frame: pd.DataFrame, params: Params, metric: str, rung: Rung, max_candidates: int):
    """A real halving search over `rung`'s space: 3 folds, a third kept per round."""
    X, y = split_xy(frame, params.data)
    candidate = build_candidate(rung, params.data, params.features)
    cv = make_cv(3, 1, 0)
    return halving_search(candidate, rung.search, X, y, cv, metric, 3, max_candidates, 0, 1)


def test_one_se_pick_prefers_an_earlier_close_rung() -> None:
    results = [  # in ladder order, as tune_rungs returns them
        Tuned("svm", "skipped: ~9.0 CPU s would pass the budget"),
        tuned("knn", 0.85, 0.01),  # earliest tuned, but more than one SE behind
        tuned("linear", 0.89, 0.01),
        tuned("forest", 0.90, 0.02),
    ]
    pick, why = one_se_pick(results)
    assert pick.name == "linear"
    assert why == (
        "one-standard-error rule: 0.8900 is within one SE of forest (0.9000 ± 0.0200), "
        "and earlier in the ladder"
    )


def test_one_se_pick_keeps_the_best_when_none_is_close() -> None:
    results = [tuned("linear", 0.85, 0.01), tuned("forest", 0.90, 0.02)]
    pick, why = one_se_pick(results)
    assert pick.name == "forest"
    assert why == "best tuned score (0.9000 ± 0.0200)"


def test_summarize_a_halving_search(make_frame: Frame, params: Params, done: Done) -> None:
    name, rung = list(params.ladder.items())[1]
    fitted = search(make_frame(60), params, done.metric, rung, max_candidates=24)
    result = summarize(name, fitted, default_score=0.5, test_fraction=1 / 3)
    results = pd.DataFrame(fitted.cv_results_)
    last = results[results["iter"] == results["iter"].max()]
    assert (result.name, result.status) == (name, "tuned")
    assert result.score == last["mean_test_score"].max()
    assert result.gain == pytest.approx(result.score - 0.5)
    assert result.candidates == grid_size(rung.search)
    assert result.rounds == fitted.n_iterations_ >= 2
    assert set(result.params) == set(rung.search)
    assert all(value in rung.search[key] for key, value in result.params.items())
    assert 0 <= result.se < math.inf
    assert result.cpu_seconds > 0


def test_a_large_grid_is_sampled(make_frame: Frame, params: Params, done: Done) -> None:
    name, rung = list(params.ladder.items())[1]
    assert grid_size(rung.search) > 2
    fitted = search(make_frame(60), params, done.metric, rung, max_candidates=2)
    assert summarize(name, fitted, default_score=0.5, test_fraction=1 / 3).candidates == 2


def test_a_candidate_too_large_for_the_first_round_is_dropped(
    make_frame: Frame,
    params: Params,
    done: Done,
    caplog: pytest.LogCaptureFixture,
    recwarn: pytest.WarningsRecorder,
) -> None:
    # The first round fits on 20 of 90 rows: 30 neighbours cannot be found there, but they
    # can on all rows, so the search must go on without that candidate instead of failing.
    rung = Rung(estimator=KNN, search={"n_neighbors": [3, 5, 30]})
    with caplog.at_level(logging.INFO):
        fitted = search(make_frame(90), params, done.metric, rung, max_candidates=24)
    # One line says so, instead of scikit-learn's warning with a traceback per fold.
    said = [r.getMessage() for r in caplog.records if "scored as missing" in r.getMessage()]
    assert len(said) == 1 and said[0].startswith("KNeighbors"), said
    assert not [w for w in recwarn if "Scoring failed" in str(w.message)]
    first = pd.DataFrame(fitted.cv_results_).query("iter == 0")
    assert first.loc[first["param_model__n_neighbors"] == 30, "mean_test_score"].isna().all()
    result = summarize("knn", fitted, default_score=0.5, test_fraction=1 / 3)
    assert result.params["n_neighbors"] in (3, 5)
    assert not math.isnan(result.score)


# Linear laws: 1 ms of features and 5 ms of model for one fold of a round on 1000 rows.
LAWS = pd.Series(
    {"cost_coef": 5e-6, "cost_power": 1.0, "features_coef": 1e-6, "features_power": 1.0}
)


def test_cost_grows_with_candidates() -> None:
    estimates = [search_cost(LAWS, n, 3, 1000, 5, 5) for n in range(1, 100)]
    halving, grid = zip(*estimates, strict=True)
    assert all(a < b for a, b in pairwise(grid))
    # Not step by step: 9 candidates start on fewer rows than 8 (one more round), as in
    # scikit-learn's schedule.
    assert halving[-1] > halving[8] > halving[0]
    # One candidate: the defaults' cross-validation, five folds of features and model.
    assert search_cost(LAWS, 1, 3, 1000, 5, 5) == pytest.approx((5 * 0.006, 5 * 0.006))
    doubled = LAWS.copy()
    doubled[["cost_coef", "features_coef"]] *= 2
    assert search_cost(doubled, 24, 3, 1000, 5, 5) == pytest.approx(
        tuple(2 * c for c in search_cost(LAWS, 24, 3, 1000, 5, 5))
    )


@pytest.mark.parametrize("n_candidates", [24, 100, 1000])
def test_a_large_grid_costs_more_than_halving(n_candidates: int) -> None:
    halving, grid = search_cost(LAWS, n_candidates, 3, 10_000, 5, 5)
    assert grid > halving


@pytest.mark.parametrize("min_rows", [None, 20])
def test_halving_rounds_are_scikit_learns(
    make_frame: Frame, params: Params, done: Done, min_rows: int | None
) -> None:
    X, y = split_xy(make_frame(270), params.data)
    rung = Rung(
        estimator=KNN, search={"n_neighbors": [1, 2, 3, 4, 5], "weights": ["uniform", "distance"]}
    )
    candidate = build_candidate(rung, params.data, params.features)
    args = (rung.search, X, y, make_cv(3, 1, 0), done.metric, 3, 24, 0, 1, min_rows)
    fitted = halving_search(candidate, *args)
    rounds = halving_rounds(10, 3, 270, min_rows)
    assert rounds == list(zip(fitted.n_resources_, fitted.n_candidates_, strict=True))


def test_candidates_in_a_space() -> None:
    space = {"alpha": [0.1, 1.0], "penalty": ["l1", "l2", "elasticnet"]}
    assert candidates_in(space, 24) == 6
    assert candidates_in(space, 4) == 4  # sampled beyond max_candidates
    assert candidates_in({}, 24) == 1  # the defaults only


@pytest.fixture
def small(params: Params) -> Params:
    """The dummy and the next two rungs, tuned on 3 folds and 2 candidates to stay fast."""
    ladder = dict(list(params.ladder.items())[:3])
    tune = params.tune.model_copy(update={"cv_folds": 3, "max_candidates": 2})
    return params.model_copy(update={"ladder": ladder, "tune": tune})


def board(
    params: Params, kept: list[str], fit_cpu: dict[str, float] | None = None, se: float = 1.0
) -> pd.DataFrame:
    """A leaderboard with the columns `tune` reads: later rungs score higher, rows reversed.

    Its scores are too noisy (`se`) for the race to have reached any target, unless asked.
    """
    rows = [
        {
            "model": name,
            "score": 0.5 + 0.1 * rank,
            "score_se": se,
            "kept": name in kept,
            "cpu_seconds": (fit_cpu or {}).get(name, 0.01),
            "fit_cpu_seconds": (fit_cpu or {}).get(name, 0.01),
            "rows": 60,
            "fits": 10,
        }
        for rank, name in enumerate(params.ladder)
    ]
    return pd.DataFrame(rows[::-1])


def test_tuning_stops_once_the_target_is_reached(
    make_frame: Frame, small: Params, done: Done
) -> None:
    X, y = split_xy(make_frame(60), small.data)
    _, first, second = small.ladder
    easy = done.model_copy(update={"target": 0.0})  # every rung beats it
    results = tune_rungs(X, y, board(small, [second, first]), small, easy)
    assert [t.name for t in results] == [first, second]  # ladder order, not board order
    # Its defaults, cross-validated on every row, reach the target: nothing is searched.
    assert results[0].status == "defaults: reached the target at its defaults on 60 rows"
    assert results[0].score >= 0.0 and results[0].params == {} and results[0].candidates == 1
    assert results[0].cpu_seconds > 0
    assert results[1].status == f"not needed: {first} reached the target"
    assert math.isnan(results[1].score)
    pick, why = one_se_pick(results)
    assert pick is results[0] and why == results[0].status


def test_a_rung_that_reached_the_target_in_the_race_is_not_searched(
    make_frame: Frame, small: Params, done: Done
) -> None:
    X, y = split_xy(make_frame(60), small.data)
    _, first, second = small.ladder
    reached = done.model_copy(update={"target": 0.55})  # first scores 0.6 ± 0.01 in the board
    results = tune_rungs(X, y, board(small, [first, second], se=0.01), small, reached)
    assert results[0].status == "defaults: reached the target in the race, on 60 rows"
    assert results[0].score == pytest.approx(0.6) and results[0].params == {}
    assert results[0].cpu_seconds == 0 and results[0].candidates == 0
    assert results[1].status == f"not needed: {first} reached the target in the race"
    pick, why = one_se_pick(results)
    assert pick is results[0] and why == results[0].status


def test_a_tiny_budget_skips_every_search(make_frame: Frame, small: Params, done: Done) -> None:
    X, y = split_xy(make_frame(60), small.data)
    _, first, second = small.ladder
    broke = done.model_copy(update={"budget_cpu_seconds": 1e-9})
    skipped, fallback = tune_rungs(X, y, board(small, [first, second]), small, broke)
    assert skipped.name == first
    assert skipped.status.startswith("skipped: ~")
    assert skipped.status.endswith(" CPU s would pass the budget")
    assert math.isnan(skipped.score) and skipped.cpu_seconds == 0
    # Something must ship: the kept rung with the best baseline score, at its defaults.
    assert fallback.name == second and fallback.score == pytest.approx(0.7)
    assert fallback.status == "defaults: every search would pass the budget"
    assert fallback.cpu_seconds == 0 and fallback.params == {}


def test_a_rung_that_would_pass_the_budget_is_skipped(
    make_frame: Frame, small: Params, done: Done
) -> None:
    X, y = split_xy(make_frame(60), small.data)
    _, first, second = small.ladder
    unreachable = done.model_copy(update={"target": math.inf})  # tune every rung it can
    costly = board(small, [first, second], fit_cpu={second: 10 * done.budget_cpu_seconds})
    results = tune_rungs(X, y, costly, small, unreachable)
    assert results[0].status == "tuned"
    assert results[1].status.startswith("skipped: ~")


def test_the_dummy_is_tuned_when_nothing_was_kept(
    make_frame: Frame, small: Params, done: Done
) -> None:
    X, y = split_xy(make_frame(60), small.data)
    dummy = next(iter(small.ladder))
    [result] = tune_rungs(X, y, board(small, []), small, done)
    assert (result.name, result.status, result.rounds) == (dummy, "tuned", 1)
    assert result.score == result.default_score  # no search space: the defaults as they are
    assert result.gain == 0 and result.params == {}


def test_grid_estimate_counts_measured_searches_only(small: Params) -> None:
    _, first, second = small.ladder
    measured = board(small, [])
    never_run = measured["model"] == second  # skipped by max_rows: no fits to scale from
    measured.loc[never_run, ["cpu_seconds", "fit_cpu_seconds", "rows", "fits"]] = math.nan
    # 0.01 CPU s over 10 folds of a race round on 60 rows, scaled linearly to a grid fold's
    # training rows (tune's 3 folds train on 2/3 of them, the race's 5 on 4/5), for every
    # candidate; the dummy has no search.
    folds, race_folds = small.tune.cv_folds, small.baselines.cv_folds
    per_fold = 0.01 / 10 * (1 - 1 / folds) / (1 - 1 / race_folds)
    expected = grid_size(small.ladder[first].search) * folds * per_fold
    assert grid_estimate(measured, small, rows=60) == pytest.approx(expected)
    assert grid_estimate(measured, small, rows=600) == pytest.approx(10 * expected)


def test_tuning_table_marks_the_pick() -> None:
    results = [tuned("forest", 0.90, 0.02), Tuned("svm", "skipped: ~9.0 CPU s would pass")]
    table = tuning_table(results, results[0], "best tuned score (0.9000 ± 0.0200)")
    assert table["model"].tolist() == ["forest", "svm"]
    assert table["picked"].tolist() == [True, False]
    assert table["why"].tolist() == ["best tuned score (0.9000 ± 0.0200)", ""]
    assert table["params"].tolist() == ["{}", "{}"]  # JSON, so the CSV can be read back
