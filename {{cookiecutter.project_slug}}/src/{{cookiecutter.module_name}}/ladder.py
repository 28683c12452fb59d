"""The model ladder: each rung of params.yaml becomes one scikit-learn Pipeline.

Every candidate is `features` followed by `model`, with the same feature steps on every rung,
so the leaderboard compares models and nothing else.
"""

from __future__ import annotations

import importlib

import pandas as pd
from sklearn.base import BaseEstimator
{%- if cookiecutter.data_kind == "text" %}
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline
{%- else %}
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
{%- endif %}

from .config import DataParams, FeaturesParams, Rung


def build_features(data: DataParams, params: FeaturesParams) -> ColumnTransformer:
{%- if cookiecutter.data_kind == "text" %}
    """TF-IDF word n-grams of the text column; the matrix stays sparse."""
    words = TfidfVectorizer(
        ngram_range=tuple(params.ngram_range),
        min_df=params.min_df,
        max_features=params.max_features,
        sublinear_tf=params.sublinear_tf,
    )
    # sparse_threshold=1: ColumnTransformer would densify a small corpus's matrix otherwise.
    return ColumnTransformer([("words", words, data.text)], sparse_threshold=1.0)
{%- else %}
    """Impute and scale numbers, impute and one-hot encode everything else.

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
    return ColumnTransformer(
        [
            ("numbers", numbers, make_column_selector(dtype_include=["number", "bool"])),
            ("categories", categories, make_column_selector(dtype_exclude=["number", "bool"])),
        ]
    )
{%- endif %}


def build_model(rung: Rung) -> BaseEstimator:
    """Instantiate the rung's estimator with its default parameters from params.yaml."""
    module, _, name = rung.estimator.rpartition(".")
    return getattr(importlib.import_module(module), name)(**rung.params)


def build_candidate(rung: Rung, data: DataParams, features: FeaturesParams) -> Pipeline:
    """The whole candidate: feature steps, then the model."""
    return Pipeline([("features", build_features(data, features)), ("model", build_model(rung))])


def split_xy(frame: pd.DataFrame, data: DataParams) -> tuple[pd.DataFrame, pd.Series]:
    """Features and label of a prepared frame."""
    return frame.drop(columns=[data.target]), frame[data.target]
