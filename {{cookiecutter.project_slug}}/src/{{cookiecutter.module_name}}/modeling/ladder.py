"""The model ladder: each rung of params.yaml becomes one scikit-learn Pipeline.

Every candidate is `features` followed by `model`, with the same feature steps on every rung,
so the leaderboard compares models and nothing else.
"""

from __future__ import annotations

import importlib

import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.pipeline import Pipeline

from ..core.config import Rung
from ..core.data import DataParams, FeaturesParams
from .features import build_features


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
