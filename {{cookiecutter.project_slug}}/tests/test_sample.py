"""The sample stage: a seeded sample of at most max_rows training rows."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

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
    sample = draw_sample(train, target, SampleParams(max_rows=20, seed=1))
    assert len(sample) == 20
{%- endif %}
