"""Cross-validation that counts CPU seconds, and the statistics that compare candidates.

scikit-learn's `cross_validate` reports wall-clock times; thrift is measured in CPU, so each
fold measures `time.process_time` inside the worker that runs it, whatever `n_jobs` is. A
round of the race scores every rung's model on the same fitted features (`folds.featurize`).
"""

from __future__ import annotations

import math
import pickle
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from scipy import stats
from sklearn.base import BaseEstimator, clone
from sklearn.metrics import get_scorer
from sklearn.pipeline import Pipeline

from .folds import Fold, Folds, featurize, one_thread


class ScoringError(ValueError):
    """A fitted fold could not be scored with the metric: the rung cannot be compared on it."""


@dataclass(frozen=True)
class CVResult:
    """Per-fold scores and costs of one candidate."""

    scores: np.ndarray
    fit_cpu: float
    predict_cpu: float
    test_fraction: float
    model_bytes: int
    rows: int
    # The parts of fit_cpu and predict_cpu that the round spent once for every rung.
    shared_fit_cpu: float = 0.0
    shared_predict_cpu: float = 0.0

    @property
    def shared_cpu(self) -> float:
        return self.shared_fit_cpu + self.shared_predict_cpu

    @property
    def own_fit_cpu(self) -> float:
        return self.fit_cpu - self.shared_fit_cpu

    @property
    def own_predict_cpu(self) -> float:
        return self.predict_cpu - self.shared_predict_cpu

    @property
    def own_cpu(self) -> float:
        """CPU seconds this rung added to its round: its model, and transforms not shared."""
        return self.own_fit_cpu + self.own_predict_cpu

    @property
    def mean(self) -> float:
        return float(np.mean(self.scores))

    @property
    def std(self) -> float:
        return float(np.std(self.scores, ddof=1)) if len(self.scores) > 1 else 0.0

    @property
    def cpu(self) -> float:
        """CPU seconds of every fit and score, the features' included: the rung's cost alone."""
        return self.fit_cpu + self.predict_cpu

    @property
    def se(self) -> float:
        """Standard error with the Nadeau-Bengio correction for overlapping training folds."""
        return math.sqrt(corrected_variance(self.scores, self.test_fraction))


def corrected_variance(values: np.ndarray, test_fraction: float) -> float:
    """Variance of a mean over resampled folds, corrected for their overlap (Nadeau & Bengio)."""
    if len(values) < 2:
        return 0.0
    ratio = test_fraction / (1 - test_fraction)
    return (1 / len(values) + ratio) * float(np.var(values, ddof=1))


def first_line(error: BaseException) -> str:
    """An exception's first line: scikit-learn's messages put the gist there."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def response_methods(metric: str) -> tuple[str, ...]:
    """The estimator methods `metric`'s scorer calls, as scikit-learn says; any one will do."""
    scorer = get_scorer(metric)
    method = getattr(scorer, "_response_method", None)
    if method is None:  # scikit-learn before 1.4: the scorer's class says it
        method = {
            "_ProbaScorer": "predict_proba",
            "_ThresholdScorer": ("decision_function", "predict_proba"),
        }.get(type(scorer).__name__, "predict")
    return (method,) if isinstance(method, str) else tuple(method)


def missing_response(estimator: BaseEstimator, metric: str) -> str | None:
    """What `metric` needs that `estimator` (unfitted) cannot give, e.g. "predict_proba"; or None.

    scikit-learn hides a method an estimator's settings rule out (`SVC(probability=False)` has
    no `predict_proba`), so asking before the fit is enough.
    """
    methods = response_methods(metric)
    if any(hasattr(estimator, method) for method in methods):
        return None
    return " or ".join(methods)


def _score_fold(
    model, fold: Fold, X, y: np.ndarray, scorer, measure: bool
) -> tuple[float, float, float, int]:
    one_thread()
    start = time.process_time()
    X_train, X_test = fold.X_train, fold.X_test
    if X_train is None:  # not kept: transformed again from the split's fitted features
        X_train = fold.features.transform(X.iloc[fold.train])
    fitted = clone(model).fit(X_train, y[fold.train])
    trained = time.process_time()
    try:
        if X_test is None:
            X_test = fold.features.transform(X.iloc[fold.test])
        score = scorer(fitted, X_test, y[fold.test])
    except (ValueError, AttributeError) as error:  # no such response, or it does not fit y
        raise ScoringError(first_line(error)) from error
    scored = time.process_time()
    size = len(pickle.dumps(fitted)) if measure else 0  # the first fold's model stands for all
    return float(score), trained - start, scored - trained, size


def score_model(model: BaseEstimator, folds: Folds, metric: str, n_jobs: int = 1) -> CVResult:
    """Score `model` on every split of `folds`, fitted on their features; CPU and model size.

    The result's CPU includes the features', as if the rung were cross-validated alone;
    `shared_cpu` says how much of it the round spent once for every rung. Raises ScoringError,
    with the first line of scikit-learn's message, when a fold cannot be scored with `metric`.
    """
    # The target as an array: scikit-learn checks a Series afresh in every fit and score
    # (half of a score's time on a few hundred rows); an array passes those checks at once.
    scorer, y = get_scorer(metric), np.asarray(folds.y)
    runs = Parallel(n_jobs=n_jobs)(
        delayed(_score_fold)(model, fold, folds.X, y, scorer, index == 0)
        for index, fold in enumerate(folds.folds)
    )
    scores, fit_cpu, predict_cpu, sizes = (np.array(column) for column in zip(*runs, strict=True))
    features_fit = sum(f.fit_cpu for f in folds.folds)
    features_predict = sum(f.predict_cpu for f in folds.folds) if folds.kept else 0.0
    first = folds.folds[0]
    return CVResult(
        scores=scores,
        fit_cpu=float(fit_cpu.sum()) + features_fit,
        predict_cpu=float(predict_cpu.sum()) + features_predict,
        test_fraction=len(first.test) / len(folds.X),
        model_bytes=int(sizes[0]) + first.features_bytes,
        rows=len(folds.X),
        shared_fit_cpu=features_fit,
        shared_predict_cpu=features_predict,
    )


def split_candidate(estimator: BaseEstimator) -> tuple[Any, BaseEstimator]:
    """A candidate's feature steps and its model: a Pipeline's `features` step and the rest."""
    if isinstance(estimator, Pipeline) and estimator.steps[0][0] == "features":
        rest = estimator.steps[1:]
        model = rest[0][1] if len(rest) == 1 else Pipeline(rest)
        return estimator.steps[0][1], model
    return None, estimator


def cross_score(
    estimator: BaseEstimator, X: pd.DataFrame, y: pd.Series, cv, metric: str, n_jobs: int = 1
) -> CVResult:
    """Score `estimator` (a candidate Pipeline, or any estimator) on every split of `cv`.

    Returns scores, CPU seconds and model size; raises ScoringError, with the first line of
    scikit-learn's message, when a fitted fold cannot be scored with `metric`.
    """
    features, model = split_candidate(estimator)
    return score_model(model, featurize(features, X, y, cv, n_jobs), metric, n_jobs)


def beats(candidate: CVResult, reference: CVResult) -> float:
    """One-sided p-value that `candidate` scores higher than `reference` on the same folds.

    The Nadeau-Bengio corrected resampled t-test: fold scores share training rows, so the
    plain paired t-test is overconfident and would keep rungs that only got lucky.
    """
    diff = candidate.scores - reference.scores
    variance = corrected_variance(diff, candidate.test_fraction)
    if variance == 0:
        return 0.0 if diff.mean() > 0 else 1.0
    t = diff.mean() / math.sqrt(variance)
    return float(stats.t.sf(t, df=len(diff) - 1))
