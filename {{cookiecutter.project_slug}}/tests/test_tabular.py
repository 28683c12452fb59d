"""Tabular features: a user's own messy frame goes through every rung without preparation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.core.config import Params
from {{ cookiecutter.module_name }}.modeling.ladder import build_candidate, split_xy


@pytest.fixture
def messy(params: Params) -> pd.DataFrame:
    """Numbers and categories with gaps, a boolean column, and a text-valued category."""
    rng = np.random.default_rng(0)
    rows = 30
    label = np.arange(rows) % 2
    frame = pd.DataFrame(
        {
            "age": 30 + 10 * label + rng.normal(size=rows),
            "city": rng.choice(["Lyon", "Oslo", "Lima"], size=rows),
            "member": rng.random(rows) > 0.5,
{%- if cookiecutter.task == "classification" %}
            params.data.target: np.where(label == 1, "yes", "no"),
{%- else %}
            params.data.target: 2.0 * label + rng.normal(scale=0.1, size=rows),
{%- endif %}
        }
    )
    frame.loc[[1, 4], "age"] = np.nan
    frame.loc[[2, 5], "city"] = None
    return frame


def test_every_rung_fits_and_predicts_with_gaps(messy: pd.DataFrame, params: Params) -> None:
    X, y = split_xy(messy, params.data)
    assert X.isna().any().tolist() == [True, True, False]
    for name, rung in params.ladder.items():
        model = build_candidate(rung, params.data, params.features).fit(X, y)
        features = model.named_steps["features"].transform(X)
        assert not np.isnan(features).any(), name  # imputed inside the pipeline
        assert pd.notna(model.predict(X)).all(), name
    assert X.isna().any().tolist() == [True, True, False]  # the input is left as it was


def test_unseen_category_at_predict_time(messy: pd.DataFrame, params: Params) -> None:
    X, y = split_xy(messy, params.data)
    rung = list(params.ladder.values())[1]
    model = build_candidate(rung, params.data, params.features).fit(X, y)
    assert len(model.predict(X.assign(city="Quito"))) == len(X)
