"""Metrics that fit the data: a regression metric is checked before any model is fitted."""

from __future__ import annotations

import logging

import pandas as pd
import pytest
from sklearn.metrics import get_scorer_names

from {{ cookiecutter.module_name }}.baselines import cannot_score
from {{ cookiecutter.module_name }}.core.config import Params
from {{ cookiecutter.module_name }}.core.settings import ThriftyError
from {{ cookiecutter.module_name }}.core.task import METRICS, check_metric
from {{ cookiecutter.module_name }}.modeling.crossval import response_methods

MAPE = "neg_mean_absolute_percentage_error"


def test_every_metric_is_a_scorer_of_this_scikit_learn() -> None:
    assert set(METRICS) <= set(get_scorer_names())
    assert {method for metric in METRICS for method in response_methods(metric)} == {"predict"}


def test_every_rung_can_give_every_metric(params: Params) -> None:
    for metric in METRICS:
        assert cannot_score(params, metric) == {}


def test_unknown_metric_names_what_fits() -> None:
    with pytest.raises(ThriftyError) as error:
        check_metric("neg_mean_squared_log_error", pd.Series([1.0, 2.0, 3.0]))
    message = str(error.value)
    assert message.startswith("done.yaml: metric neg_mean_squared_log_error is not a regression")
    assert "Metrics that fit: r2, " in message


def test_percentage_error_on_zeros_warns(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        check_metric(MAPE, pd.Series([0.0, 1.0, 2.0, 0.0]))
    assert "2 of 4 rows have y = 0" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        check_metric(MAPE, pd.Series([1.0, 2.0]))
        check_metric("r2", pd.Series([0.0, 1.0]))
    assert caplog.text == ""
