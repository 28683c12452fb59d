"""The features of a tabular project: numbers imputed and scaled, categories one-hot encoded.

The same feature steps sit in front of every rung of the ladder, so the leaderboard compares
models and nothing else. Their first step, `TriageColumns` (in `triage.py`), reads each raw
column: ids and free text dropped, dates turned into numbers. `feature_files` writes what a
reader of the bundle needs to trace a weight back to its column.
"""

from __future__ import annotations

import json
from pathlib import Path

from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from ..core.data import DataParams, FeaturesParams

# Bundles saved before the triage had its own module name it here, as
# `<package>.modeling.features.TriageColumns`: pickle and skops find it by that path.
from .triage import TriageColumns

__all__ = ["TriageColumns", "build_features", "feature_files"]


def build_features(data: DataParams, params: FeaturesParams) -> Pipeline:
    """Triage the columns, then impute and scale numbers, impute and one-hot encode the rest.

    Columns are chosen by dtype when the pipeline is fitted, so a user's own file needs no
    column list. Scaling is harmless for trees and required by linear models and kNN.
    """
    numbers = Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())])
    categories = Pipeline(
        [
            ("impute", SimpleImputer(strategy="most_frequent")),
            (
                "encode",
                OneHotEncoder(
                    handle_unknown="infrequent_if_exist",
                    max_categories=params.max_categories,
                    sparse_output=False,
                ),
            ),
        ]
    )
    columns = ColumnTransformer(
        [
            ("numbers", numbers, make_column_selector(dtype_include=["number", "bool"])),
            ("categories", categories, make_column_selector(dtype_exclude=["number", "bool"])),
        ]
    )
    return Pipeline([("triage", TriageColumns(params.max_categories)), ("columns", columns)])


def feature_files(model, folder: Path, params: FeaturesParams) -> dict[str, Path]:
    """Readable companions of the fitted features: their names, one per column."""
    features = model.named_steps["features"]
    names = folder / "feature_names.json"
    names.write_text(json.dumps([str(n) for n in features.get_feature_names_out()], indent=1))
    files = {"feature_names.json": names}
    return files
