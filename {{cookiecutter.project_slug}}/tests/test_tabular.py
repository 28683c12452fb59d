"""Tabular features: a user's own messy frame goes through every rung without preparation."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import get_scorer
from sklearn.pipeline import Pipeline

from {{ cookiecutter.module_name }}.bundles.bundle import REGISTRY, load_bundle, save_bundle
from {{ cookiecutter.module_name }}.core.config import Done, Params
from {{ cookiecutter.module_name }}.modeling import features, triage
from {{ cookiecutter.module_name }}.modeling.ladder import build_candidate, split_xy
from {{ cookiecutter.module_name }}.modeling.triage import TriageColumns
from {{ cookiecutter.module_name }}.reporting.explain import importances


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


def test_infinities_are_read_as_missing(
    messy: pd.DataFrame, params: Params, caplog: pytest.LogCaptureFixture
) -> None:
    messy.loc[[0, 3], "age"] = [np.inf, -np.inf]
    X, y = split_xy(messy, params.data)
    rung = list(params.ladder.values())[1]
    with caplog.at_level(logging.WARNING):
        model = build_candidate(rung, params.data, params.features).fit(X, y)
    assert "column 'age' holds 2 infinite value(s)" in caplog.text
    assert np.isfinite(model.named_steps["features"].transform(X)).all()
    assert pd.notna(model.predict(X.assign(age=np.inf))).all()  # at predict time too
    assert np.isinf(X["age"]).sum() == 2  # the input is left as it was


def test_unseen_category_at_predict_time(messy: pd.DataFrame, params: Params) -> None:
    X, y = split_xy(messy, params.data)
    rung = list(params.ladder.values())[1]
    model = build_candidate(rung, params.data, params.features).fit(X, y)
    assert len(model.predict(X.assign(city="Quito"))) == len(X)


@pytest.fixture
def said(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> pytest.LogCaptureFixture:
    """What the feature steps log from here on (each finding is said once per process)."""
    monkeypatch.setattr(triage, "_SAID", set())
    caplog.set_level(logging.INFO)
    return caplog


@pytest.fixture
def real(params: Params) -> pd.DataFrame:
    """200 rows holding an id, a high-cardinality category, and dates with gaps and junk."""
    rng = np.random.default_rng(1)
    rows = 200
    label = np.arange(rows) % 2
    days = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 900, rows), unit="D")
    signup = days.strftime("%d/%m/%Y").to_series(index=range(rows))
    signup[[3, 7]] = ["not a date", ""]
    return pd.DataFrame(
        {
            "size": 2.0 * label + rng.normal(size=rows),
            "customer": [f"C{i:05d}" for i in rng.permutation(rows)],
            "shop": [f"shop {i % 40}" for i in range(rows)],  # 40 values, 5 rows each
            "signup": signup,
            "seen": days + pd.to_timedelta(rng.integers(0, 24, rows), unit="h"),
{%- if cookiecutter.task == "classification" %}
            params.data.target: np.where(label == 1, "yes", "no"),
{%- else %}
            params.data.target: 2.0 * label + rng.normal(scale=0.1, size=rows),
{%- endif %}
        }
    )


def fit_features(frame: pd.DataFrame, params: Params) -> Pipeline:
    X, y = split_xy(frame, params.data)
    rung = list(params.ladder.values())[1]
    return build_candidate(rung, params.data, params.features).fit(X, y)


def test_plain_columns_pass_through(
    messy: pd.DataFrame, params: Params, said: pytest.LogCaptureFixture
) -> None:
    X = split_xy(messy, params.data)[0]
    triage = TriageColumns(params.features.max_categories).fit(X)
    assert triage.transform(X) is X  # the demo's columns reach the encoders as they were
    assert list(triage.get_feature_names_out()) == list(X.columns)
    assert (triage.dropped_, triage.dates_, triage.capped_) == ([], {}, {})
    assert said.messages == []


def test_id_like_column_is_dropped_with_a_warning(
    real: pd.DataFrame, params: Params, said: pytest.LogCaptureFixture
) -> None:
    model = fit_features(real, params)
    names = model.named_steps["features"].get_feature_names_out()
    assert not [name for name in names if "customer" in name]
    assert (
        "column 'customer' has a distinct value in almost every row (200 in 200): dropped as an "
        "id or free text; list it under data.drop to say so"
    ) in said.messages
    X = split_xy(real, params.data)[0]
    assert len(model.predict(X.assign(customer="never seen"))) == len(X)


def test_high_cardinality_column_is_capped(
    real: pd.DataFrame, params: Params, said: pytest.LogCaptureFixture
) -> None:
    model = fit_features(real, params)
    names = model.named_steps["features"].get_feature_names_out()
    k = params.features.max_categories
    shop = [name for name in names if "shop" in name]
    assert 2 <= len(shop) <= k + 1
    assert any("infrequent" in name for name in shop)
    assert (
        f"column 'shop' has 40 distinct values: encoded as its {k - 1} most frequent and "
        "'infrequent'; list it under data.drop if it is an id or free text"
    ) in said.messages


def test_dates_become_numeric_parts(
    real: pd.DataFrame, params: Params, said: pytest.LogCaptureFixture
) -> None:
    model = fit_features(real, params)
    names = [str(n) for n in model.named_steps["features"].get_feature_names_out()]
    parts = ["year", "month", "day", "weekday"]
    assert [n for n in names if "signup" in n] == [f"numbers__signup_{p}" for p in parts]
    assert [n for n in names if "seen" in n] == [f"numbers__seen_{p}" for p in [*parts, "hour"]]
    assert (
        "column 'signup' holds dates (%d/%m/%Y): encoded as its year, month, day, weekday; "
        "1 value(s) that do not parse become missing"
    ) in said.messages
    seen = "column 'seen' holds dates: encoded as its year, month, day, weekday, hour"
    assert seen in said.messages
    X = split_xy(real, params.data)[0]
    triage = model.named_steps["features"].named_steps["triage"]
    out = triage.transform(X.iloc[:8])
    assert out.loc[0, "signup_day"] == int(X.loc[0, "signup"][:2])
    assert out.loc[[3, 7], "signup_year"].isna().all()  # missing, imputed after this step
    assert not np.isnan(model.named_steps["features"].transform(X)).any()
    # predict on raw input: dates from a CSV are text, and junk never fails
    raw = X.assign(seen=X["seen"].astype(str), signup="31/12/2099").iloc[:5]
    assert len(model.predict(raw)) == 5
    assert len(model.predict(X.assign(signup="garbage"))) == len(X)


@pytest.mark.parametrize("fmt", ["joblib", "skops"])
def test_triaged_model_round_trips(
    tmp_path: Path, real: pd.DataFrame, params: Params, fmt: str
) -> None:
    model = fit_features(real, params)
    path = tmp_path / "model"
    save_bundle(path, {"model": model}, {}, fmt, registry=tmp_path / REGISTRY)
    loaded = load_bundle(path).model
    X = split_xy(real, params.data)[0]
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


@pytest.mark.parametrize("fmt", ["joblib", "skops"])
def test_a_bundle_saved_before_the_triage_moved_still_loads(
    tmp_path: Path, real: pd.DataFrame, params: Params, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bundles saved before `triage.py` existed name `modeling.features.TriageColumns`."""
    model = fit_features(real, params)
    old = f"{features.__name__}.TriageColumns"
    monkeypatch.setattr(TriageColumns, "__module__", features.__name__)  # as it was then
    path = tmp_path / "model"
    save_bundle(path, {"model": model}, {}, fmt, registry=tmp_path / REGISTRY)
    monkeypatch.undo()
    saved = path / f"model.{fmt}"
    if fmt == "skops":
        import skops.io

        assert old in skops.io.get_untrusted_types(file=saved)
    else:
        assert features.__name__.encode() in saved.read_bytes()  # module and name apart
        assert triage.__name__.encode() not in saved.read_bytes()
    loaded = load_bundle(path).model
    assert type(loaded.named_steps["features"].named_steps["triage"]) is TriageColumns
    X = split_xy(real, params.data)[0]
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_permutation_importance_shuffles_the_features_a_column_feeds(
    real: pd.DataFrame, params: Params, done: Done
) -> None:
    """Shuffling a column's features once computed is shuffling the raw column, exactly.

    The reference runs the whole pipeline on every shuffled copy of the raw frame, as
    scikit-learn's permutation_importance does, with the same shuffles.
    """
    model = fit_features(real, params)
    X, y = split_xy(real, params.data)
    metric = done.metric
    drops = importances(model, X, y, metric, seed=3)
    scorer = get_scorer(metric)
    base = scorer(model, X, y)
    rng = np.random.RandomState(3)
    expected = np.zeros_like(drops)
    for j, column in enumerate(X.columns):
        for r in range(drops.shape[1]):
            shuffled = X.copy()
            shuffled[column] = X[column].to_numpy()[rng.permutation(len(X))]
            expected[j, r] = base - scorer(model, shuffled, y)
    np.testing.assert_allclose(drops, expected, atol=1e-12)
    assert (drops[list(X.columns).index("customer")] == 0).all()  # an id the triage drops
    assert drops[list(X.columns).index("size")].mean() > 0  # the column the target follows
