"""The sample stage: a seeded sample of at most max_rows training rows."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.core.config import Params, SampleParams
from {{ cookiecutter.module_name }}.sample import draw_sample

Frame = Callable[..., pd.DataFrame]


def test_sample_size_and_determinism(make_frame: Frame, params: Params) -> None:
    train, target = make_frame(60), params.data.target
    sample = draw_sample(train, target, SampleParams(max_rows=20, seed=1))
    again = draw_sample(train, target, SampleParams(max_rows=20, seed=1))
    other = draw_sample(train, target, SampleParams(max_rows=20, seed=2))
    assert len(sample) == 20
    pd.testing.assert_frame_equal(sample, again)
    assert not sample.equals(other)
    assert sample.merge(train).shape == sample.shape  # every sampled row is a training row


def test_small_train_is_returned_whole(make_frame: Frame, params: Params) -> None:
    train = make_frame(12)
    sample = draw_sample(train, params.data.target, SampleParams(max_rows=20))
    pd.testing.assert_frame_equal(sample, train)
{%- if cookiecutter.task == "classification" %}


def test_sample_is_stratified(make_frame: Frame, params: Params) -> None:
    train, target = make_frame(60), params.data.target
    sample = draw_sample(train, target, SampleParams(max_rows=20, seed=1))
    assert sample[target].value_counts().tolist() == [10, 10]


def test_class_too_rare_to_stratify_still_samples(make_frame: Frame, params: Params) -> None:
    train, target = make_frame(60), params.data.target
    train.loc[0, target] = "rare"
    sample = draw_sample(train, target, SampleParams(max_rows=20, seed=1), folds=5)
    assert (sample[target] == "rare").sum() == 1  # all the training split has
    assert len(sample) in (20, 21)


def test_rare_classes_are_topped_up_to_the_folds(
    make_frame: Frame, params: Params, caplog: pytest.LogCaptureFixture
) -> None:
    train, target = make_frame(200), params.data.target
    train.loc[:5, target] = "rare"  # 6 training rows: the draw of 20 keeps 0 or 1
    train.loc[6:8, target] = "tiny"  # 3 training rows: fewer than the folds
    caplog.set_level(logging.INFO)
    sample = draw_sample(train, target, SampleParams(max_rows=20, seed=1), folds=5)
    counts = sample[target].value_counts()
    assert counts["rare"] == 5 and counts["tiny"] == 3
    assert counts.min() >= 3
    added = len(sample) - 20
    assert added > 0
    assert sample.merge(train).shape == sample.shape  # topped up from the training split
    assert not sample.duplicated().any()  # no row twice
    message = next(r.getMessage() for r in caplog.records if "topped up" in r.getMessage())
    assert "'rare' +" in message and "'tiny' +" in message
    assert "baselines.cv_folds=5" in message and f"{added} row(s) added" in message
    again = draw_sample(train, target, SampleParams(max_rows=20, seed=1), folds=5)
    pd.testing.assert_frame_equal(sample, again)  # seeded

{%- endif %}


def test_a_sample_of_common_rows_is_not_topped_up(
    make_frame: Frame, params: Params, caplog: pytest.LogCaptureFixture
) -> None:
    """No class is rare here, and regression has no classes: max_rows is kept exactly."""
    train, target = make_frame(60), params.data.target
    caplog.set_level(logging.INFO)
    sample = draw_sample(train, target, SampleParams(max_rows=20, seed=1), folds=5)
    assert len(sample) == 20
    assert not any("topped up" in r.getMessage() for r in caplog.records)
