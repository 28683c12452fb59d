"""One round of the ladder: every rung cross-validated on the same seeded folds of some rows.

The feature steps are fitted once per fold for every rung (`modeling.folds`); each rung's line
in the log says its score, standard error and rows, and a rung `metric` cannot score is
skipped with the reason. The race (`modeling.race`) runs rounds on growing rows; the tests and
tools that want one round on one frame call `run_ladder`.
"""

from __future__ import annotations

import logging

import pandas as pd

from ..core.config import BaselinesParams, Params
from ..core.settings import ThriftyError
from ..core.task import make_cv, smallest_group
from .crossval import CVResult, ScoringError, score_model
from .features import build_features
from .folds import KEEP_BYTES, Folds, featurize
from .ladder import build_model, split_xy

log = logging.getLogger(__name__)


def check_enough_rows(y: pd.Series, params: BaselinesParams) -> None:
    """Fail clearly when the sample cannot fill the cross-validation folds."""
    smallest, what = smallest_group(y)
    if smallest < params.cv_folds:
        raise ThriftyError(
            f"baselines.cv_folds={params.cv_folds}: {what} only {smallest} rows; "
            "lower cv_folds or raise sample.max_rows"
        )


def fold_frame(frame: pd.DataFrame, params: Params, keep_bytes: int = KEEP_BYTES) -> Folds:
    """A round's seeded folds of `frame`, with the feature steps fitted on each."""
    settings = params.baselines
    X, y = split_xy(frame, params.data)
    check_enough_rows(y, settings)
    cv = make_cv(settings.cv_folds, settings.cv_repeats, settings.seed)
    features = build_features(params.data, params.features)
    return featurize(features, X, y, cv, params.compute.n_jobs, keep_bytes)


def score_rung(
    name: str, folds: Folds, params: Params, metric: str, skip: dict[str, str]
) -> CVResult | None:
    """Cross-validate one rung on a round's folds; None, and the reason in `skip`, if `metric`
    cannot score it. The dummy must score: without the bar no rung can be judged."""
    try:
        result = score_model(
            build_model(params.ladder[name]), folds, metric, params.compute.n_jobs
        )
    except ScoringError as error:
        if name == next(iter(params.ladder)):
            raise ThriftyError(
                f"done.yaml: metric {metric} cannot score the dummy rung {name!r}: {error}"
            ) from None
        skip[name] = f"skipped: {metric} could not score it: {error}"
        log.warning("%-*s %s", max(map(len, params.ladder)), name, skip[name])
        return None
    width = max(map(len, params.ladder))  # the names line up however long the longest is
    log.info(
        "%-*s %s = %.4f ± %.4f  (%d rows)",
        width,
        name,
        metric,
        result.mean,
        result.se,
        result.rows,
    )
    return result


def run_ladder(
    frame: pd.DataFrame,
    params: Params,
    metric: str,
    skip: dict[str, str] | None = None,
    names: list[str] | None = None,
) -> dict[str, CVResult]:
    """Cross-validate the rungs `names` (default: the ladder, in order) on the same seeded folds
    of `frame`, the feature steps fitted once per fold for all of them; a rung that cannot be
    scored with `metric` goes to `skip` with the reason (the leaderboard shows it)."""
    skip = {} if skip is None else skip
    folds = fold_frame(frame, params)
    results = {}
    for name in [n for n in (list(params.ladder) if names is None else names) if n not in skip]:
        result = score_rung(name, folds, params, metric, skip)
        if result is not None:
            results[name] = result
    return results
