"""Scoring a split larger than memory: the model answers batch by batch, the scorers read them.

scikit-learn's scorers call the estimator on the whole X at once. `Replay` stands in for the
fitted model: it holds the model's answers (predict, predict_proba or decision_function, only
those the metrics use) computed chunk by chunk from a streamed file, and hands them to each
scorer, so every score equals the model's score on the whole split, in the memory of a chunk
plus one answer per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
from sklearn.metrics import get_scorer

from ..core.data import DataParams
from .crossval import response_methods
from .ladder import split_xy


class Replay:
    """The answers of `model` on rows it already saw, given back whatever X a scorer passes."""

    def __init__(self, model, answers: dict[str, np.ndarray]):
        self.answers = answers
        self.classes_ = getattr(model, "classes_", None)
        self._tags = model.__sklearn_tags__()

    def __sklearn_tags__(self):
        return self._tags

    def __getattr__(self, name: str) -> Callable[[object], np.ndarray]:
        answers = self.__dict__.get("answers", {})
        if name not in answers:
            raise AttributeError(name)

        def answer(X: object) -> np.ndarray:
            return answers[name]

        answer.__name__ = name  # scikit-learn reads which method it called from the name
        return answer


def used_methods(model, metrics: Iterable[str]) -> list[str]:
    """The model's methods the metrics' scorers call: for each, the first the model has."""
    used: dict[str, None] = {}
    for metric in metrics:
        have = [m for m in response_methods(metric) if hasattr(model, m)]
        used.update(dict.fromkeys(have[:1]))
    return list(used)


def score_chunks(
    model, frames: Iterable[pd.DataFrame], data: DataParams, metrics: Iterable[str]
) -> tuple[dict[str, float], int]:
    """({metric: score} of `model` on all the rows `frames` streams, the number of rows)."""
    metrics = list(dict.fromkeys(metrics))
    methods = used_methods(model, metrics)
    answers: dict[str, list[np.ndarray]] = {method: [] for method in methods}
    targets = []
    for frame in frames:
        if frame.empty:
            continue
        X, y = split_xy(frame, data)
        for method in methods:
            answers[method].append(getattr(model, method)(X))
        targets.append(y)
    y = pd.concat(targets, ignore_index=True)
    replay = Replay(model, {method: np.concatenate(parts) for method, parts in answers.items()})
    placeholder = np.empty((len(y), 0))  # scorers pass X on to the methods, which ignore it
    return {name: float(get_scorer(name)(replay, placeholder, y)) for name in metrics}, len(y)
