"""The baselines stage: the dummy is model zero and every other rung must beat it."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.baselines import leaderboard, too_large
from {{ cookiecutter.module_name }}.core.config import Done, Params, Rung
from {{ cookiecutter.module_name }}.core.settings import ThriftyError
from {{ cookiecutter.module_name }}.modeling.crossval import CVResult, beats
from {{ cookiecutter.module_name }}.modeling.rounds import check_enough_rows, run_ladder

Frame = Callable[..., pd.DataFrame]
{%- if cookiecutter.task == "classification" %}
# Predicts the same majority class as the `prior` dummy, so it can never beat it.
OTHER_DUMMY = dict(strategy="most_frequent")
{%- else %}
# A constant far from every label: clearly worse than predicting the mean.
OTHER_DUMMY = dict(strategy="constant", constant=1000.0)
{%- endif %}


def result(scores: list[float]) -> CVResult:
    """Fold scores of a cheap candidate, one fifth of the rows held out per fold."""
    return CVResult(
        np.array(scores), fit_cpu=0, predict_cpu=0, test_fraction=0.2, model_bytes=0, rows=50
    )


def with_ladder(params: Params, ladder: dict[str, Rung], **baselines: float) -> Params:
    """`params` with another ladder and some baselines settings changed."""
    changed = params.baselines.model_copy(update=baselines)
    return params.model_copy(update={"ladder": ladder, "baselines": changed})


def test_twin_dummy_is_dropped_and_rival_kept(
    make_frame: Frame, load: Callable[[], tuple[Params, Done]]
) -> None:
    params, done = load()
    dummy, rival = list(params.ladder.values())[:2]
    twin = Rung(estimator=dummy.estimator, params=OTHER_DUMMY)
    params = with_ladder(params, dict(dummy=dummy, twin=twin, rival=rival), cv_folds=3)
    board = leaderboard(run_ladder(make_frame(48), params, done.metric), params)
    why = board.set_index("model")["why"]
    assert board["model"].tolist() == ["dummy", "twin", "rival"]
    assert why["twin"].startswith("dropped: not better than the dummy")
    assert why["rival"] == "kept: best score"
    assert board["kept"].tolist() == [False, False, True]
    # cv_repeats of the shipped params, 3 folds each, all on the same 48 rows
    assert board["fits"].tolist() == [3 * params.baselines.cv_repeats] * 3
    assert board["rows"].tolist() == [48] * 3


def test_rung_over_max_rows_is_skipped_not_run(
    make_frame: Frame, load: Callable[[], tuple[Params, Done]]
) -> None:
    params, done = load()
    dummy, rival = list(params.ladder.values())[:2]
    small = rival.model_copy(update={"max_rows": 100})
    roomy = rival.model_copy(update={"max_rows": 1000})
    params = with_ladder(params, dict(dummy=dummy, small=small, roomy=roomy), cv_folds=3)
    skipped = too_large(params, full_rows=500)  # the full training data, not the sample
    assert skipped == {"small": "skipped: max_rows=100 < 500 training rows"}
    results = run_ladder(make_frame(48), params, done.metric, skip=skipped)
    assert list(results) == ["dummy", "roomy"]  # never cross-validated
    board = leaderboard(results, params, skipped).set_index("model")
    assert board.index.tolist() == ["dummy", "roomy", "small"]
    assert not board.loc["small", "kept"]
    assert board.loc["small", "why"] == "skipped: max_rows=100 < 500 training rows"
    assert board.loc["small", "estimator"] == rival.estimator
    assert board.loc["small", ["score", "cpu_seconds", "rows", "fits"]].isna().all()
    assert board.loc["roomy", "why"] == "kept: best score"


def test_only_rungs_with_max_rows_can_be_too_large(params: Params) -> None:
    limited = {name for name, rung in params.ladder.items() if rung.max_rows is not None}
    assert set(too_large(params, full_rows=10**9)) == limited
    assert too_large(params, full_rows=1) == {}


def test_top_k_and_distance_to_best(params: Params) -> None:
    results = {
        "dummy": result([0.50, 0.52, 0.48, 0.51, 0.49]),
        "best": result([0.90, 0.92, 0.91, 0.93, 0.90]),
        "close": result([0.89, 0.91, 0.90, 0.92, 0.90]),
        "far": result([0.70, 0.72, 0.69, 0.71, 0.70]),
    }
    dummy, rival = list(params.ladder.values())[:2]
    ladder = {name: dummy if name == "dummy" else rival for name in results}
    board = leaderboard(results, with_ladder(params, ladder, top_k=1, max_se_behind=2))
    why = board.set_index("model")["why"]
    assert board["model"].tolist() == list(results)
    assert why["best"] == "kept: best score"
    assert why["close"] == "dropped: outside the top_k=1"
    assert why["far"] == "dropped: more than 2 standard errors behind best"


def test_too_few_rows_names_cv_folds(make_frame: Frame, params: Params) -> None:
    y = make_frame(4)[params.data.target]
    with pytest.raises(ThriftyError, match="baselines.cv_folds=5"):
        check_enough_rows(y, params.baselines.model_copy(update=dict(cv_folds=5)))


def test_beats_corrected_t_test() -> None:
    reference = result([0.50, 0.52, 0.48, 0.51, 0.49, 0.50])
    better = result([0.71, 0.70, 0.69, 0.72, 0.70, 0.71])
    assert beats(better, reference) < 0.01
    assert beats(reference, reference) == 1.0
    assert beats(reference, better) > 0.99
