"""Predict: the input is checked against the columns the model was trained on."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from sklearn.pipeline import Pipeline

from {{ cookiecutter.module_name }} import cli
from {{ cookiecutter.module_name }} import predict as predict_module
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


def test_keep_copies_input_columns_first(fitted: Pipeline, X: pd.DataFrame) -> None:
    first = X.columns[0]  # a model column may be kept too
    frame = X.assign(row_id=[f"r{i}" for i in range(len(X))])
    result = predict(fitted, frame, schema(X), keep=["row_id", first])
    plain = predict(fitted, X, schema(X))
    assert list(result.columns) == ["row_id", first, *plain.columns]
    assert result["row_id"].tolist() == frame["row_id"].tolist()
    assert result[first].tolist() == X[first].tolist()
    pd.testing.assert_frame_equal(result[list(plain.columns)], plain)


def test_keep_names_a_missing_column(fitted: Pipeline, X: pd.DataFrame) -> None:
    with pytest.raises(ThriftyError, match=r"--keep: column\(s\) 'row_id' not in --input; its"):
        predict(fitted, X, schema(X), keep=["row_id"])


def test_keep_cannot_clash_with_the_predictions(fitted: Pipeline, X: pd.DataFrame) -> None:
    with pytest.raises(ThriftyError, match="'prediction' would clash"):
        predict(fitted, X.assign(prediction=1), schema(X), keep=["prediction"])


def test_keep_through_the_cli(
    tmp_path: Path, fitted: Pipeline, X: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle, registry = tmp_path / "model", tmp_path / REGISTRY
    save_bundle(bundle, {"model": fitted}, {"columns": schema(X)}, registry=registry)
    source, output = tmp_path / "input.csv", tmp_path / "output.csv"
    X.assign(row_id=range(100, 100 + len(X))).to_csv(source, index=False)
    argv = ["predict", "--bundle", str(bundle), "--input", str(source), "--output", str(output)]
    assert cli.main([*argv, "--keep", "row_id"]) == 0
    written = pd.read_csv(output)
    assert written.columns[:2].tolist() == ["row_id", "prediction"]
    assert written["row_id"].tolist() == list(range(100, 100 + len(X)))
    assert cli.main([*argv, "--keep", "row_id", "nope"]) == 2
    assert "error: --keep: column(s) 'nope' not in --input" in capsys.readouterr().err
    assert cli.main([*argv[:3], "--input", str(tmp_path / "absent.csv"), *argv[5:]]) == 2
    assert f"error: --input: {tmp_path / 'absent.csv'} does not exist" in capsys.readouterr().err


def test_empty_input_gives_the_columns_and_no_rows(fitted: Pipeline, X: pd.DataFrame) -> None:
    result = predict(fitted, X.iloc[:0], schema(X), keep=[X.columns[0]])
    assert result.empty and list(result.columns)[:2] == [X.columns[0], "prediction"]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_input_streams_in_batches_to_one_output(
    tmp_path: Path, fitted: Pipeline, X: pd.DataFrame, suffix: str, monkeypatch
) -> None:
    bundle, registry = tmp_path / "model", tmp_path / REGISTRY
    save_bundle(bundle, {"model": fitted}, {"columns": schema(X)}, registry=registry)
    source, output = tmp_path / "input.csv", tmp_path / f"output{suffix}"
    X.to_csv(source, index=False)
    monkeypatch.setattr(predict_module, "BATCH_ROWS", 5)  # 12 rows: three batches
    main(bundle, source, output, registry=registry)
    written = pd.read_csv(output) if suffix == ".csv" else pd.read_parquet(output)
    expected = predict(fitted, pd.read_csv(source), schema(X))
    pd.testing.assert_frame_equal(written, expected, check_dtype=False)
    with pytest.raises(ThriftyError, match="--output: output.txt is not .csv"):
        main(bundle, source, tmp_path / "output.txt", registry=registry)
{%- if cookiecutter.data_kind == "tabular" %}


def test_text_in_a_number_column_names_the_column_and_row(
    fitted: Pipeline, X: pd.DataFrame
) -> None:
    trained = schema(X)
    column = next(name for name, kind in trained.items() if kind.startswith(("int", "float")))
    wrong = X.astype({column: object})
    wrong.loc[wrong.index[3], column] = "twelve"
    with pytest.raises(ThriftyError, match=rf"column '{column}' holds 'twelve' \(data row 4\)"):
        predict(fitted, wrong.reset_index(drop=True), trained)
    # Numbers written as text (a CSV column with quotes, say) are read as the numbers.
    as_text = X.astype({column: str})
    pd.testing.assert_frame_equal(predict(fitted, as_text, trained), predict(fitted, X, trained))
{%- endif %}
