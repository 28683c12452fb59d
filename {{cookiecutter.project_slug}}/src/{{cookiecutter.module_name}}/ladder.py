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
from sklearn.preprocessing import FunctionTransformer
{%- else %}
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
{%- endif %}

from .config import DataParams, FeaturesParams{% if cookiecutter.data_kind == "text" %}, NgramParams{% endif %}, Rung
{%- if cookiecutter.data_kind == "text" %}
from .lexicons import LexiconCounter, load_lexicons
from .text import join_texts, joined_name, text_columns
{%- endif %}


{%- if cookiecutter.data_kind == "text" %}


def _tfidf(grams: NgramParams, analyzer: str, params: FeaturesParams) -> TfidfVectorizer:
    """One TF-IDF vectorizer; char_wb n-grams never span two words, so they stay few."""
    return TfidfVectorizer(
        analyzer=analyzer,
        ngram_range=tuple(grams.ngram_range),
        min_df=grams.min_df,
        max_features=grams.max_features,
        sublinear_tf=params.sublinear_tf,
        lowercase=params.lowercase,
    )
{%- endif %}


def build_features(data: DataParams, params: FeaturesParams) -> ColumnTransformer:
{%- if cookiecutter.data_kind == "text" %}
    """TF-IDF of word and character n-grams, and one count per lexicon; all sparse.

    Each branch first joins the text columns into one string per row, so a user's several
    columns (subject, body) need no preparing, and missing texts read as empty.
    """
    vectorizers = {"words": (params.words, "word"), "chars": (params.chars, "char_wb")}
    branches = [
        (name, _tfidf(grams, analyzer, params))
        for name, (grams, analyzer) in vectorizers.items()
        if grams is not None
    ]
    if params.lexicons is not None:
        lists = load_lexicons(params.lexicons, params.lowercase)
        terms = {lexicon.name: lexicon.terms for lexicon in lists}
        branches.append(("lexicons", LexiconCounter(terms, params.lowercase)))
    join = FunctionTransformer(join_texts, feature_names_out=joined_name)
    columns = text_columns(data)
    # sparse_threshold=1: ColumnTransformer would densify a small corpus's matrix otherwise.
    return ColumnTransformer(
        [(name, Pipeline([("join", join), (name, step)]), columns) for name, step in branches],
        sparse_threshold=1.0,
    )
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
