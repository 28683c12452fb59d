"""Successive halving over the kept rungs, and the one-standard-error pick among them.

Halving is thrift in miniature: every candidate is scored on a little data, and only the best
third earns three times more, until the survivors see all of it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingGridSearchCV, HalvingRandomSearchCV

from .crossval import corrected_variance


@dataclass
class Tuned:
    """The outcome of tuning one rung (or of skipping it, with the reason)."""

    name: str
    status: str
    score: float = math.nan
    se: float = math.nan
    default_score: float = math.nan
    params: dict[str, Any] = field(default_factory=dict)
    candidates: int = 0
    rounds: int = 0
    cpu_seconds: float = 0.0

    @property
    def gain(self) -> float:
        """What tuning added over the rung's default parameters, in the metric's units."""
        return self.score - self.default_score


def grid_size(space: dict[str, list[Any]]) -> int:
    return math.prod(len(values) for values in space.values())


def halving_search(
    candidate: BaseEstimator,
    space: dict[str, list[Any]],
    X: pd.DataFrame,
    y: pd.Series,
    cv,
    metric: str,
    factor: int,
    max_candidates: int,
    seed: int,
    n_jobs: int,
):
    """Fit a halving search over `space` (the model's parameters), resource = rows."""
    grid = {f"model__{key}": values for key, values in space.items()}
    common = dict(
        factor=factor,
        resource="n_samples",
        cv=cv,
        scoring=metric,
        refit=False,
        return_train_score=False,  # unused, and it would score every training fold again
        random_state=seed,  # which rows each round sees: unseeded, reruns would differ
        n_jobs=n_jobs,
        # A candidate may not fit the first round's few rows (kNN with more neighbours than
        # rows): it scores NaN and is dropped. If every fit of a round fails, it still raises.
        error_score=np.nan,
    )
    if grid_size(space) <= max_candidates:
        search = HalvingGridSearchCV(candidate, grid, **common)
    else:  # a large grid is sampled, never enumerated
        search = HalvingRandomSearchCV(candidate, grid, n_candidates=max_candidates, **common)
    return search.fit(X, y)


def summarize(name: str, search, default_score: float, test_fraction: float) -> Tuned:
    """Best candidate of the last (largest) round, its corrected standard error and CPU cost."""
    results = pd.DataFrame(search.cv_results_)
    last = results[results["iter"] == results["iter"].max()]
    best = last.loc[last["mean_test_score"].idxmax()]
    folds = np.array([best[f"split{k}_test_score"] for k in range(search.n_splits_)])
    # Worker time of every fit and score: the same sum whatever n_jobs is.
    cpu = float(((results["mean_fit_time"] + results["mean_score_time"]) * search.n_splits_).sum())
    return Tuned(
        name=name,
        status="tuned",
        score=float(best["mean_test_score"]),
        se=math.sqrt(corrected_variance(folds, test_fraction)),
        default_score=default_score,
        params={key.removeprefix("model__"): value for key, value in best["params"].items()},
        candidates=len(results[results["iter"] == 0]),
        rounds=int(search.n_iterations_),
        cpu_seconds=cpu,
    )


def one_se_pick(tuned: list[Tuned], cost: dict[str, float]) -> tuple[Tuned, str]:
    """The cheapest tuned rung whose score is within one standard error of the best."""
    scored = [t for t in tuned if not math.isnan(t.score)]
    best = max(scored, key=lambda t: t.score)
    close = [t for t in scored if t.score >= best.score - best.se]
    pick = min(close, key=lambda t: cost[t.name])
    if pick is best:
        return pick, f"best tuned score ({best.score:.4f} ± {best.se:.4f})"
    return pick, (
        f"one-standard-error rule: {pick.score:.4f} is within one SE of {best.name} "
        f"({best.score:.4f} ± {best.se:.4f}) at lower cost"
    )


def estimate_cost(
    n_candidates: int, factor: int, folds: int, fit_cpu: float
) -> tuple[float, float]:
    """CPU seconds of a halving search and of an exhaustive grid, from one full-data fit's cost.

    Halving keeps about n_candidates x rows constant per round, so each round costs about
    `factor` full fits per fold at most; the grid fits every candidate on all rows.
    """
    rounds = 1 + math.ceil(math.log(max(n_candidates, 1), factor)) if n_candidates > 1 else 1
    per_round = folds * fit_cpu * min(n_candidates, factor)
    return rounds * per_round, n_candidates * folds * fit_cpu


def candidates_in(space: dict[str, list[Any]], max_candidates: int) -> int:
    return min(grid_size(space), max_candidates) if space else 1
