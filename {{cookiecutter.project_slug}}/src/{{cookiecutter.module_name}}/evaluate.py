"""The evaluate stage: score the tuned model once on the held-out test set, then publish it.

The published bundle (artifacts/model) holds everything a later reader needs: the model, its
fitted features on their own with their names, the diagnostic plots, and metadata with both
the cross-validated and the test scores.
"""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path

import pandas as pd
from sklearn.metrics import get_scorer

from .bundle import load_bundle, save_bundle
from .config import load_done, load_params
from .files import read_table, write_json
from .ladder import split_xy
{%- if cookiecutter.data_kind == "text" %}
from .lexicons import lexicon_files
{%- endif %}
from .paths import Paths
from .plots import diagnostic_plots, plot_data{% if cookiecutter.data_kind == "text" %}, top_terms{% endif %}

log = logging.getLogger(__name__)

# Reported beside the done.yaml metric, so a change of metric never hides the familiar ones.
{%- if cookiecutter.task == "classification" %}
STANDARD = ["accuracy", "balanced_accuracy", "f1_macro"]
{%- else %}
STANDARD = ["r2", "neg_mean_absolute_error", "neg_root_mean_squared_error"]
{%- endif %}


def score_test(model, X: pd.DataFrame, y: pd.Series, metric: str) -> dict[str, float]:
    """Every standard metric plus `metric`, on the test rows."""
    names = dict.fromkeys([metric, *STANDARD])
    return {name: float(get_scorer(name)(model, X, y)) for name in names}


{%- if cookiecutter.data_kind == "text" %}


TOP_TERMS = 50  # per class in top_terms.csv; the plot shows fewer
{%- endif %}


def feature_files(model, folder: Path{% if cookiecutter.data_kind == "text" %}, lexicons: Path | None{% endif %}) -> dict[str, Path]:
{%- if cookiecutter.data_kind == "text" %}
    """Readable companions of the fitted features: names, vocabulary, lexicons, top terms.

    The lexicons are copies of the files in `lexicons`, listed with their sha256 digests.
    """
{%- else %}
    """Readable companions of the fitted features: their names, one per column."""
{%- endif %}
    features = model.named_steps["features"]
    names = folder / "feature_names.json"
    names.write_text(json.dumps([str(n) for n in features.get_feature_names_out()], indent=1))
    files = {"feature_names.json": names}
{%- if cookiecutter.data_kind == "text" %}
    branches = features.named_transformers_
    # Each term with its column in the feature matrix, so a weight traces back to its term.
    readable = {
        name: {
            term: int(index) + features.output_indices_[name].start
            for term, index in sorted(branches[name][-1].vocabulary_.items())
        }
        for name in ("words", "chars")
        if name in branches
    }
    vocabulary = folder / "vocabulary.json"
    vocabulary.write_text(json.dumps(readable, indent=1, ensure_ascii=False))
    files["vocabulary.json"] = vocabulary
    if "lexicons" in branches:
        files |= lexicon_files(branches["lexicons"][-1], lexicons, folder)
    terms = top_terms(model, TOP_TERMS)
    if terms is not None:  # models without one weight per term have no top terms
        terms.to_csv(folder / "top_terms.csv", index=False)
        files["top_terms.csv"] = folder / "top_terms.csv"
{%- endif %}
    return files


def main(root: Path) -> None:
    params, done = load_params(root), load_done(root)
    paths = Paths(root, params)
    tuned = load_bundle(paths.tuned, registry=None)  # written by this pipeline's tune stage
    X, y = split_xy(read_table(paths.test, "data/prepared/test"), params.data)
    test = score_test(tuned.model, X, y, done.metric)
    plot_data(tuned.model, X, y, paths.plot_data)
    with tempfile.TemporaryDirectory() as tmp:
        curve = read_table(paths.learning_curve, "reports/learning_curve.csv")
        board = read_table(paths.leaderboard, "reports/leaderboard.csv")
        folder = Path(tmp) / "plots"
        images = diagnostic_plots(tuned.model, X, y, folder, curve, board, done.metric)
        files = {f"plots/{image.name}": image for image in images}
        files |= feature_files(tuned.model, Path(tmp){% if cookiecutter.data_kind == "text" %}, params.features.lexicons{% endif %})
        metadata = {**tuned.metadata, "test": test, "test_rows": len(X)}
        objects = {"model": tuned.model, "features": tuned.model.named_steps["features"]}
        save_bundle(
            paths.bundle, objects, metadata, params.artifacts.format, files, paths.registry
        )
    metrics = {
        "model": tuned.metadata["model"],
        "metric": done.metric,
        "score": test[done.metric],
        "cv_score": tuned.metadata["cv_score"],
        "test": test,
        "test_rows": len(X),
    }
    write_json(metrics, paths.metrics)
    log.info("test %s = %.4f (%s)", done.metric, metrics["score"], metrics["model"])
