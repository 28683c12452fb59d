"""The tune stage: fit the leaderboard's best kept rung on the full training data.

Tuning starts from the rungs that survived `baselines`, never from the whole ladder, and the
result is saved as one verified bundle in artifacts/model.
"""

from __future__ import annotations

import logging
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sklearn

from .bundle import save_bundle
from .config import Done, Params, Paths, load_done, load_params
from .crossval import cross_score, make_cv
from .files import read_table
from .ladder import build_candidate, split_xy

log = logging.getLogger(__name__)


def choose(board: pd.DataFrame) -> tuple[str, str]:
    """The rung to tune and why: the best kept rung, or the dummy when none beat it."""
    kept = board[board["kept"].astype(bool)]
    if kept.empty:
        return str(board["model"].iloc[0]), "no rung beat the dummy; shipping the dummy"
    best = kept.sort_values("score", ascending=False).iloc[0]
    return str(best["model"]), f"best kept rung on the sample ({best['score']:.4f})"


def tune(train: pd.DataFrame, name: str, params: Params, done: Done) -> tuple[object, dict]:
    """Cross-validate the chosen rung on the full training data, then fit it on all of it."""
    X, y = split_xy(train, params.data)
    candidate = build_candidate(params.ladder[name], params.data, params.features)
    cv = make_cv(params.tune.cv_folds, 1, params.tune.seed)
    result = cross_score(candidate, X, y, cv, done.metric, params.compute.n_jobs)
    start = time.process_time()
    model = candidate.fit(X, y)
    fit_cpu = time.process_time() - start
    summary = {
        "cv_score": result.mean,
        "cv_se": result.se,
        "cpu_seconds": result.fit_cpu + result.predict_cpu + fit_cpu,
        "rows": len(X),
        "columns": {column: str(dtype) for column, dtype in X.dtypes.items()},
    }
    return model, summary


def main(root: Path) -> None:
    params, done = load_params(root), load_done(root)
    paths = Paths(root, params)
    name, reason = choose(read_table(paths.leaderboard, "reports/leaderboard.csv"))
    log.info("tuning %s: %s", name, reason)
    model, summary = tune(read_table(paths.train, "data/prepared/train"), name, params, done)
    metadata = {
        "model": name,
        "estimator": params.ladder[name].estimator,
        "reason": reason,
        "metric": done.metric,
        **summary,
        "params": params.model_dump(mode="json"),
        "done": done.model_dump(mode="json"),
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "scikit_learn": sklearn.__version__,
    }
    save_bundle(paths.bundle, model, metadata)
    log.info("%s cv %s = %.4f; saved %s", name, done.metric, summary["cv_score"], paths.bundle)
