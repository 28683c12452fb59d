"""The feature steps fitted once per split, for every candidate that shares them.

Every rung has the same feature steps in front of its model, and on a few hundred rows (or on
text) they cost more than most models. So a round of the race fits them once per split
(`featurize`) and each rung fits only its model on them; a search's candidates share them
through `SharedFeatures`, a cache in the candidate Pipeline's `memory`. No test row is seen by
a fit: each split's features are fitted on its training part alone, as in a rung's Pipeline.
"""

from __future__ import annotations

import hashlib
import pickle
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

import joblib
import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from threadpoolctl import threadpool_limits

# Transformed rows are kept for reuse while they fit in this many bytes; beyond it (tens of
# thousands of long texts) each rung transforms them again from the split's fitted features,
# which still saves the fits.
KEEP_BYTES = 1 << 30

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


def nbytes(value: Any) -> int:
    """Memory held by a transformed block: a dense array, a sparse matrix or a frame."""
    if isinstance(value, pd.DataFrame):
        return int(value.memory_usage(deep=True).sum())
    if hasattr(value, "data") and hasattr(value, "indices"):  # scipy.sparse CSR or CSC
        return int(value.data.nbytes + value.indices.nbytes + value.indptr.nbytes)
    return int(getattr(value, "nbytes", 0))


@dataclass(frozen=True)
class Fold:
    """One split, with the features fitted on its training part and, when kept, its rows
    transformed; `X_train` and `X_test` are None when they were not kept."""

    train: np.ndarray
    test: np.ndarray
    features: Any  # fitted; None when the candidates have no feature steps
    X_train: Any
    X_test: Any
    fit_cpu: float  # fitting the features and transforming the training rows
    predict_cpu: float  # transforming the test rows
    features_bytes: int  # pickled; measured on the first split only, which stands for all


@dataclass(frozen=True)
class Folds:
    """A round's splits of `X`, `y` with their fitted features: what every rung shares."""

    X: pd.DataFrame
    y: pd.Series
    folds: list[Fold]

    @property
    def kept(self) -> bool:
        return self.folds[0].X_train is not None

    @property
    def cpu(self) -> float:
        """CPU seconds spent once for every rung: fitting, and transforming when kept."""
        return sum(f.fit_cpu + (f.predict_cpu if self.kept else 0.0) for f in self.folds)

    @property
    def nbytes(self) -> int:
        """Memory the kept transformed rows hold."""
        return sum(nbytes(f.X_train) + nbytes(f.X_test) for f in self.folds if self.kept)


def _featurize(features, X, y, train, test, keep: bool, measure: bool = False) -> Fold:
    one_thread()  # in the worker that runs the fold
    if features is None:
        return Fold(train, test, None, X.iloc[train], X.iloc[test], 0.0, 0.0, 0)
    start = time.process_time()
    fitted = clone(features)
    X_train = fitted.fit_transform(X.iloc[train], y.iloc[train])
    middle = time.process_time()
    X_test = fitted.transform(X.iloc[test])
    end = time.process_time()
    # Pickling a text vocabulary costs as much as transforming the test rows: once a round.
    size = len(pickle.dumps(fitted)) if measure else 0
    if not keep:
        X_train = X_test = None
    return Fold(train, test, fitted, X_train, X_test, middle - start, end - middle, size)


def featurize(
    features, X: pd.DataFrame, y: pd.Series, cv, n_jobs: int = 1, keep_bytes: int | None = None
) -> Folds:
    """Fit `features` (None: no feature steps) on the training part of each split of `cv`.

    The transformed rows are kept for the rungs when every split's fit in `keep_bytes`
    (default `KEEP_BYTES`), judged from the first split's.
    """
    keep_bytes = KEEP_BYTES if keep_bytes is None else keep_bytes
    splits = list(cv.split(X, y))
    [first] = Parallel(n_jobs=n_jobs)(
        [delayed(_featurize)(features, X, y, *splits[0], True, measure=True)]
    )
    keep = (nbytes(first.X_train) + nbytes(first.X_test)) * len(splits) <= keep_bytes
    if not keep:
        first = replace(first, X_train=None, X_test=None)
    rest = Parallel(n_jobs=n_jobs)(
        delayed(_featurize)(features, X, y, train, test, keep) for train, test in splits[1:]
    )
    return Folds(X, y, [first, *rest])


def data_key(data: Any) -> str:
    """A digest of a frame's or an array's content, index, names and types."""
    if data is None:
        return "none"
    if isinstance(data, pd.Series | pd.DataFrame):
        rows = pd.util.hash_pandas_object(data, index=True).to_numpy()
        names = [str(data.name)] if isinstance(data, pd.Series) else list(map(str, data.columns))
        types = [str(data.dtype)] if isinstance(data, pd.Series) else list(map(str, data.dtypes))
        return hashlib.sha1(rows.tobytes() + repr((names, types)).encode()).hexdigest()
    return joblib.hash(data)


_CACHES: dict[str, SharedFeatures] = {}  # this process's caches, by name


class SharedFeatures:
    """Fitted feature steps shared by the candidates of a search, held in memory.

    Set as a candidate Pipeline's `memory` (scikit-learn's documented hook for caching its
    transformers): candidates fitted on the same rows get the features already fitted on
    them instead of fitting them again. Unlike joblib.Memory it writes nothing to disk and
    hashes rows with pandas' vectorised hash. Entries beyond `max_bytes` of transformed rows
    are forgotten, oldest first. A pickled cache (sent to a worker) is the worker's own.
    """

    def __init__(self, max_bytes: int = KEEP_BYTES, name: str | None = None) -> None:
        self.max_bytes = max_bytes
        self.name = name or uuid.uuid4().hex
        self.entries: OrderedDict[str, tuple[Any, Any]] = OrderedDict()
        self.held = 0
        self.hits = 0
        _CACHES.setdefault(self.name, self)

    def __reduce__(self):
        return (_cache_named, (self.name, self.max_bytes))

    def cache(self, func, ignore=None, **_):
        def cached(transformer, X, y=None, *args, **kwargs):
            routed = kwargs.get("params") or {}  # metadata routed to the step: none here
            if kwargs.get("weight") is not None or any(routed.values()):
                return func(transformer, X, y, *args, **kwargs)
            key = joblib.hash(transformer) + data_key(X) + data_key(y)
            if key in self.entries:
                self.entries.move_to_end(key)
                self.hits += 1
                return self.entries[key]
            result = func(transformer, X, y, *args, **kwargs)
            self._keep(key, result)
            return result

        return cached

    def _keep(self, key: str, result: tuple[Any, Any]) -> None:
        size = nbytes(result[0])
        if size > self.max_bytes:
            return
        self.entries[key] = result
        self.held += size
        while self.held > self.max_bytes:
            _, (old, _) = self.entries.popitem(last=False)
            self.held -= nbytes(old)

    def close(self) -> None:
        """Forget every entry (the search is over)."""
        self.entries.clear()
        self.held = 0
        _CACHES.pop(self.name, None)


def _cache_named(name: str, max_bytes: int) -> SharedFeatures:
    return _CACHES.get(name) or SharedFeatures(max_bytes, name)
