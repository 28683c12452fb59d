"""Features fitted once per split: the same scores as each rung's own Pipeline, for less CPU."""

from __future__ import annotations

import pickle
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.baselines import leaderboard
from {{ cookiecutter.module_name }}.core.config import Done, Params
from {{ cookiecutter.module_name }}.core.task import make_cv
from {{ cookiecutter.module_name }}.modeling import folds as folds_module
from {{ cookiecutter.module_name }}.modeling.crossval import cross_score, score_model
from {{ cookiecutter.module_name }}.modeling.features import build_features
from {{ cookiecutter.module_name }}.modeling.folds import SharedFeatures, data_key, featurize
from {{ cookiecutter.module_name }}.modeling.ladder import build_candidate, build_model, split_xy
from {{ cookiecutter.module_name }}.modeling.search import halving_search

Frame = Callable[..., pd.DataFrame]


def test_shared_features_score_every_rung_as_its_own_pipeline(
    make_frame: Frame, params: Params, done: Done
) -> None:
    X, y = split_xy(make_frame(60), params.data)
    cv = make_cv(3, 2, 0)
    folds = featurize(build_features(params.data, params.features), X, y, cv)
    assert folds.kept and len(folds.folds) == 6 and folds.cpu > 0
    assert [f.features_bytes > 0 for f in folds.folds] == [True] + [False] * 5  # pickled once
    results = {}
    for name, rung in list(params.ladder.items())[:3]:
        candidate = build_candidate(rung, params.data, params.features)
        alone = cross_score(candidate, X, y, cv, done.metric)
        shared = score_model(build_model(rung), folds, done.metric)
        assert np.array_equal(shared.scores, alone.scores), name
        assert shared.shared_cpu == folds.cpu and shared.cpu > shared.own_cpu > 0
        # The size of a fitted candidate: the first split's features and model stand for all.
        assert alone.model_bytes == shared.model_bytes > folds.folds[0].features_bytes > 0
        results[name] = shared
    # The round paid for the features once, not once per rung: each rung's share adds up.
    board = leaderboard(results, params).set_index("model")
    paid = folds.cpu + sum(r.own_cpu for r in results.values())
    assert board["cpu_seconds"].sum() == pytest.approx(paid)
    assert paid < sum(r.cpu for r in results.values())


def test_folds_too_large_to_keep_are_transformed_again_with_the_same_scores(
    make_frame: Frame, params: Params, done: Done, monkeypatch: pytest.MonkeyPatch
) -> None:
    X, y = split_xy(make_frame(60), params.data)
    cv, rung = make_cv(3, 1, 0), list(params.ladder.values())[1]
    features = build_features(params.data, params.features)
    kept = score_model(build_model(rung), featurize(features, X, y, cv), done.metric)
    monkeypatch.setattr(folds_module, "KEEP_BYTES", 1)
    folds = featurize(features, X, y, cv)
    assert not folds.kept and all(f.X_train is None and f.X_test is None for f in folds.folds)
    again = score_model(build_model(rung), folds, done.metric)
    # transform() after fit() may round differently from fit_transform(): equal, not identical.
    assert np.allclose(again.scores, kept.scores, rtol=1e-6)
    # Only the fits were shared: each rung transformed the rows itself.
    assert folds.cpu == sum(f.fit_cpu for f in folds.folds)


def test_a_searchs_candidates_share_each_splits_features(
    make_frame: Frame, params: Params, done: Done, monkeypatch: pytest.MonkeyPatch
) -> None:
    X, y = split_xy(make_frame(90), params.data)
    name, rung = next((n, r) for n, r in list(params.ladder.items())[1:] if len(r.search) > 0)
    candidate = build_candidate(rung, params.data, params.features)
    made: list[SharedFeatures] = []
    monkeypatch.setattr(
        "{{ cookiecutter.module_name }}.modeling.search.SharedFeatures",
        lambda: made.append(SharedFeatures()) or made[-1],
    )
    args = (rung.search, X, y, make_cv(3, 1, 0), done.metric, 3, 24, 0, 1)
    search = halving_search(candidate, *args)
    (shared,) = made
    assert shared.hits > 0, f"{name}: no candidate reused a split's features"
    assert not shared.entries  # forgotten once the search is over
    monkeypatch.setattr(  # nothing kept: every candidate fits its own features
        "{{ cookiecutter.module_name }}.modeling.search.SharedFeatures",
        lambda: SharedFeatures(max_bytes=0),
    )
    alone = halving_search(candidate, *args)
    scores = "mean_test_score"
    assert np.allclose(search.cv_results_[scores], alone.cv_results_[scores], equal_nan=True)
    assert search.cv_results_["params"] == alone.cv_results_["params"]


def test_the_cache_is_bounded_and_a_pickled_one_is_the_same_in_this_process() -> None:
    cache = SharedFeatures(max_bytes=2 * 8 * 100)
    fit = cache.cache(lambda transformer, X, y=None, **_: (np.zeros((100, 1)), transformer))
    frames = [pd.DataFrame({"x": np.arange(100) + i}) for i in range(3)]
    for frame in frames:
        fit("features", frame, None)
    assert len(cache.entries) == 2 and cache.held == 2 * 8 * 100  # the oldest went
    fit("features", frames[2], None)
    assert cache.hits == 1
    assert pickle.loads(pickle.dumps(cache)) is cache  # a forked worker builds its own
    cache.close()
    assert not cache.entries


def test_data_keys_tell_content_order_and_names_apart() -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": ["x", "y", "z"]})
    assert data_key(frame) == data_key(frame.copy())
    assert data_key(frame) != data_key(frame.iloc[::-1])
    assert data_key(frame) != data_key(frame.rename(columns={"a": "c"}))
    assert data_key(frame) != data_key(frame.assign(a=[1.0, 2.0, 4.0]))
    assert data_key(frame["a"]) != data_key(frame["a"].astype("float32"))
