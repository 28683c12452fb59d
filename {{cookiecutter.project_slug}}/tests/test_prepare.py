"""The prepare stage: tidy checks the raw frame, split holds out a seeded test set."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.core.config import Params, PrepareParams
from {{ cookiecutter.module_name }}.core.settings import ThriftyError
from {{ cookiecutter.module_name }}.prepare import main, split, tidy

Frame = Callable[..., pd.DataFrame]


def test_tidy_keeps_labelled_rows(make_frame: Frame, params: Params) -> None:
    target = params.data.target
    frame = make_frame(10)
    frame[target] = frame[target].mask(frame.index < 2)
    tidied = tidy(frame, params.data)
    assert len(tidied) == 8
    assert tidied[target].notna().all()
    assert list(tidied.index) == list(range(8))


def test_missing_raw_file_names_the_setting(root: Path, params: Params) -> None:
    with pytest.raises(ThriftyError) as error:
        main(root)
    assert "data.raw" in str(error.value)
    assert str(root / params.data.raw) in str(error.value)


def test_missing_target_lists_available_columns(make_frame: Frame, params: Params) -> None:
    frame = make_frame(10).drop(columns=[params.data.target])
    with pytest.raises(ThriftyError) as error:
        tidy(frame, params.data)
    assert params.data.target in str(error.value)
    for column in frame.columns:
        assert column in str(error.value)
{%- if cookiecutter.task == "classification" %}


def test_one_class_only_is_refused(make_frame: Frame, params: Params) -> None:
    frame = make_frame(10)
    frame[params.data.target] = frame[params.data.target].iloc[0]
    with pytest.raises(ThriftyError, match="one class only"):
        tidy(frame, params.data)


def test_one_label_spelt_several_ways_is_refused(make_frame: Frame, params: Params) -> None:
    frame = make_frame(12)
    first = str(frame[params.data.target].iloc[0])
    frame.loc[[0, 1], params.data.target] = [first.upper() + " ", f" {first}"]
    with pytest.raises(ThriftyError, match="spells one label several ways"):
        tidy(frame, params.data)


def test_single_row_class_is_refused(make_frame: Frame, params: Params) -> None:
    frame = make_frame(10)
    frame.loc[0, params.data.target] = "rare"
    with pytest.raises(ThriftyError, match="'rare' have a single row"):
        tidy(frame, params.data)
{%- else %}


def test_non_numeric_target_is_refused(make_frame: Frame, params: Params) -> None:
    frame = make_frame(10)
    frame[params.data.target] = "high"
    with pytest.raises(ThriftyError, match="regression needs numbers"):
        tidy(frame, params.data)
{%- endif %}


def test_split_too_small_names_test_size(make_frame: Frame, params: Params) -> None:
    with pytest.raises(ThriftyError, match="prepare.test_size=0.2"):
        split(make_frame(1), params.data.target, PrepareParams(test_size=0.2))


def test_split_is_seeded_and_near_the_test_size(make_frame: Frame, params: Params) -> None:
    frame, target = make_frame(400).assign(row=range(400)), params.data.target
    settings = PrepareParams(test_size=0.25, seed=3)
    train, test = split(frame, target, settings)
    again, _ = split(frame, target, settings)
    other, _ = split(frame, target, PrepareParams(test_size=0.25, seed=4))
    pd.testing.assert_frame_equal(train, again)
    assert set(train["row"]) != set(other["row"])
    assert len(train) + len(test) == 400
    assert 70 <= len(test) <= 130  # 100 expected; the draw is binomial
    assert not set(train["row"]) & set(test["row"])


def test_rows_added_to_the_raw_file_never_change_side(make_frame: Frame, params: Params) -> None:
    frame, target = make_frame(600).assign(row=range(600)), params.data.target
    settings = PrepareParams(test_size=0.2, seed=42)
    train, test = split(frame.iloc[:250], target, settings)
    more_train, more_test = split(frame, target, settings)
    assert set(train["row"]) <= set(more_train["row"])
    assert set(test["row"]) <= set(more_test["row"])


def test_main_writes_both_splits(root: Path, make_frame: Frame, params: Params) -> None:
    (root / params.data.raw).parent.mkdir(parents=True)
    make_frame(40).to_csv(root / params.data.raw, index=False)
    main(root)
    train = pd.read_parquet(root / "data/prepared/train.parquet")
    test = pd.read_parquet(root / "data/prepared/test.parquet")
    assert len(train) + len(test) == 40
    assert params.data.target in train.columns
