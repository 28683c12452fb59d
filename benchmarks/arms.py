"""The thrift benchmark's own arms: the exhaustive grid, the oracle, ours, and the referee.

Each arm takes the baked project's modules (`m`, by the short names of `thrift.MODULES`) and
its params, so every arm selects over the same ladder and the same feature pipeline; FLAML's
arm lives in `flaml_arm.py`. The referee rescores whatever an arm chose, the same way for all.
"""

from __future__ import annotations

import math

import numpy as np
from sklearn.base import clone
from sklearn.metrics import get_scorer
from sklearn.model_selection import (
    GridSearchCV,
    RepeatedKFold,
    RepeatedStratifiedKFold,
    cross_val_score,
)


def grid_cv(m, params):
    """The grid's folds, which the oracle reuses: tune's K-fold, unrepeated, tune's seed."""
    return m["task"].make_cv(params.tune.cv_folds, 1, params.tune.seed)


def spendthrift(m, params, done, X, y):
    """Exhaustive GridSearchCV over every family's full space, on all training rows.

    Returns the refitted best model and the winner: its rung, its parameters and its CV score.
    """
    best, winner = None, {"cv": -math.inf}
    for name, rung in list(params.ladder.items())[1:]:
        if rung.max_rows is not None and len(X) > rung.max_rows:
            continue  # the same size limit as ours: a kernel SVM on 40k rows is no one's choice
        candidate = m["ladder"].build_candidate(rung, params.data, params.features)
        grid = {f"model__{k}": v for k, v in rung.search.items()} or [{}]
        cv = grid_cv(m, params)
        search = GridSearchCV(candidate, grid, cv=cv, scoring=done.metric, n_jobs=1)
        search.fit(X, y)
        if search.best_score_ > winner["cv"]:
            chosen = {k.removeprefix("model__"): plain(v) for k, v in search.best_params_.items()}
            best = search.best_estimator_
            winner = {"rung": name, "params": chosen, "cv": float(search.best_score_)}
    return best, winner


def plain(value):
    """A parameter as JSON holds it (params.yaml's values are; a numpy scalar is not)."""
    return value.item() if isinstance(value, np.generic) else value


def oracle(m, params, done, X, y, winner: dict):
    """The grid's winner alone: one cross-validation on the grid's folds, one fit on all rows."""
    model = m["ladder"].build_candidate(
        params.ladder[winner["rung"]], params.data, params.features
    )
    model.set_params(**{f"model__{k}": v for k, v in winner["params"].items()})
    scores = cross_val_score(model, X, y, cv=grid_cv(m, params), scoring=done.metric, n_jobs=1)
    return model.fit(X, y), float(scores.mean())


def ours(m, params, done, train):
    """The project's own selection: the race over the ladder, then halving on the kept rungs."""
    X, y = m["ladder"].split_xy(train, params.data)
    target, folds = params.data.target, params.baselines.cv_folds

    def drawn(rows: int):  # the sample stage's draw, and each later round's, from the same rows
        sample = params.sample.model_copy(update={"max_rows": rows})
        return m["sample"].draw_sample(train, target, sample, folds)

    skipped = m["baselines"].too_large(params, len(train))
    history = m["race"].race(
        drawn(params.sample.max_rows), drawn, len(train), params, done, skipped
    )
    board = m["baselines"].leaderboard(history, params, skipped)
    tuned = m["search"].tune_rungs(X, y, board, params, done)
    pick, why = m["pick"].one_se_pick(tuned)
    model = m["ladder"].build_candidate(params.ladder[pick.name], params.data, params.features)
    model.set_params(**{f"model__{k}": v for k, v in pick.params.items()})
    return model.fit(X, y), pick.name


def referee(model, X, y, X_test, y_test, metric, task) -> dict[str, float]:
    """Rescore a final model by repeated CV with another seed, and on the held-out split."""
    splitter = RepeatedStratifiedKFold if task == "classification" else RepeatedKFold
    scorer, scores = get_scorer(metric), []
    for train, test in splitter(n_splits=5, n_repeats=2, random_state=12345).split(X, y):
        fitted = clone(model).fit(X.iloc[train], y.iloc[train])
        scores.append(scorer(fitted, X.iloc[test], y.iloc[test]))
    scores = np.array(scores)
    se = math.sqrt((1 / len(scores) + 0.25) * scores.var(ddof=1))  # Nadeau-Bengio, test 1/5
    return {"cv": float(scores.mean()), "se": se, "test": float(scorer(model, X_test, y_test))}
