"""The evaluate stage: score the bundled model once on the held-out test set."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
from sklearn.metrics import get_scorer

from .bundle import load_bundle
from .config import DataParams, Paths, load_done, load_params
from .files import read_table, write_json
from .ladder import split_xy

log = logging.getLogger(__name__)

# Reported beside the done.yaml metric, so a change of metric never hides the familiar ones.
{%- if cookiecutter.task == "classification" %}
STANDARD = ["accuracy", "balanced_accuracy", "f1_macro"]
{%- else %}
STANDARD = ["r2", "neg_mean_absolute_error", "neg_root_mean_squared_error"]
{%- endif %}


def score_test(model, test: pd.DataFrame, data: DataParams, metric: str) -> dict[str, float]:
    """Every standard metric plus `metric`, on the test rows."""
    X, y = split_xy(test, data)
    names = dict.fromkeys([metric, *STANDARD])
    return {name: float(get_scorer(name)(model, X, y)) for name in names}


def main(root: Path) -> None:
    params, done = load_params(root), load_done(root)
    paths = Paths(root, params)
    model, metadata = load_bundle(paths.bundle)
    rows = read_table(paths.test, "data/prepared/test")
    test = score_test(model, rows, params.data, done.metric)
    metrics = {
        "model": metadata["model"],
        "metric": done.metric,
        "score": test[done.metric],
        "cv_score": metadata["cv_score"],
        "test": test,
        "test_rows": len(rows),
    }
    write_json(metrics, paths.metrics)
    log.info("test %s = %.4f (%s)", done.metric, metrics["score"], metadata["model"])
