"""Cross-validation that counts CPU seconds, and the statistics that compare candidates.

scikit-learn's `cross_validate` reports wall-clock times; thrift is measured in CPU, so each
fold measures `time.process_time` inside the worker that runs it, whatever `n_jobs` is.
"""

from __future__ import annotations

import math
import pickle
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from scipy import stats
from sklearn.base import BaseEstimator, clone
from sklearn.metrics import get_scorer
from threadpoolctl import threadpool_limits


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

    @property
    def mean(self) -> float:
        return float(np.mean(self.scores))

    @property
    def std(self) -> float:
        return float(np.std(self.scores, ddof=1)) if len(self.scores) > 1 else 0.0

    @property
    def cpu(self) -> float:
        """CPU seconds of every fit and score."""
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


_ONE_THREAD = False  # set once this process has limited BLAS to one thread


def one_thread() -> None:
    """One BLAS/OpenMP thread in this process from now on: joblib's processes use the cores.

    On problems this small, extra threads mostly spin: a busy machine once turned a 0.1 s
    sparse fit into 6 CPU seconds. Set once per process (a forked worker inherits both the
    limit and this flag); each setting costs milliseconds.
    """
    global _ONE_THREAD
    if not _ONE_THREAD:
        threadpool_limits(limits=1)
        _ONE_THREAD = True


def _fold(estimator, X, y, train, test, scorer) -> tuple[float, float, float, int]:
    one_thread()  # in the worker that runs the fold
    start = time.process_time()
    model = clone(estimator).fit(X.iloc[train], y.iloc[train])
    fitted = time.process_time()
    try:
        score = scorer(model, X.iloc[test], y.iloc[test])
    except (ValueError, AttributeError) as error:  # no such response, or it does not fit y
        raise ScoringError(first_line(error)) from error
    scored = time.process_time()
    return float(score), fitted - start, scored - fitted, len(pickle.dumps(model))


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


def cross_score(
    estimator: BaseEstimator, X: pd.DataFrame, y: pd.Series, cv, metric: str, n_jobs: int = 1
) -> CVResult:
    """Score `estimator` on every split of `cv`; return scores, CPU seconds and model size.

    Raises ScoringError, with the first line of scikit-learn's message, when a fitted fold
    cannot be scored with `metric`.
    """
    scorer = get_scorer(metric)
    splits = list(cv.split(X, y))
    folds = Parallel(n_jobs=n_jobs)(
        delayed(_fold)(estimator, X, y, train, test, scorer) for train, test in splits
    )
    scores, fit_cpu, predict_cpu, sizes = (np.array(column) for column in zip(*folds, strict=True))
    return CVResult(
        scores=scores,
        fit_cpu=float(fit_cpu.sum()),
        predict_cpu=float(predict_cpu.sum()),
        test_fraction=len(splits[0][1]) / len(X),
        model_bytes=int(np.median(sizes)),
        rows=len(X),
    )


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
