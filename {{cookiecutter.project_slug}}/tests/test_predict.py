"""Predict: the input is checked against the columns the model was trained on."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from sklearn.pipeline import Pipeline

from {{ cookiecutter.module_name }}.bundles.bundle import REGISTRY, BundleError, save_bundle
from {{ cookiecutter.module_name }}.core.config import Params
from {{ cookiecutter.module_name }}.core.settings import ThriftyError
from {{ cookiecutter.module_name }}.modeling.ladder import split_xy
from {{ cookiecutter.module_name }}.predict import main, predict


@pytest.fixture
def X(make_frame: Callable[..., pd.DataFrame], params: Params) -> pd.DataFrame:
    return split_xy(make_frame(12, seed=1), params.data)[0]


def schema(X: pd.DataFrame) -> dict[str, str]:
    return {column: str(dtype) for column, dtype in X.dtypes.items()}


def test_predictions(fitted: Pipeline, X: pd.DataFrame) -> None:
    result = predict(fitted, X, schema(X))
    assert len(result) == len(X)
    assert result["prediction"].notna().all()
{%- if cookiecutter.task == "classification" %}
    probabilities = result[[f"proba_{label}" for label in fitted.classes_]]
    assert probabilities.sum(axis=1).round(6).eq(1).all()
    assert list(result.columns) == ["prediction", *probabilities.columns]
{%- else %}
    assert list(result.columns) == ["prediction"]
{%- endif %}


def test_missing_columns_are_listed(fitted: Pipeline, X: pd.DataFrame) -> None:
    columns = schema(X) | {"age": "float64", "city": "str"}
    with pytest.raises(ThriftyError, match="needs: age, city"):
        predict(fitted, X, columns)


def test_extra_columns_are_ignored(fitted: Pipeline, X: pd.DataFrame) -> None:
    extra = X.assign(comment="not a feature")
    pd.testing.assert_frame_equal(predict(fitted, extra, schema(X)), predict(fitted, X, schema(X)))


def test_main_checks_the_registry(tmp_path: Path, fitted: Pipeline, X: pd.DataFrame) -> None:
    bundle, registry = tmp_path / "artifacts" / "model", tmp_path / "elsewhere.json"
    save_bundle(bundle, {"model": fitted}, {"columns": schema(X)}, registry=registry)
    source, output = tmp_path / "input.csv", tmp_path / "output.csv"
    X.to_csv(source, index=False)
    with pytest.raises(BundleError, match=REGISTRY):
        main(bundle, source, output)  # no registry.json beside the bundle
    assert not output.exists()
    main(bundle, source, output, registry=registry)
    assert len(pd.read_csv(output)) == len(X)
