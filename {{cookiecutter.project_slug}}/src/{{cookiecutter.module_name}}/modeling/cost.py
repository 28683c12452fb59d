"""What a search will cost, estimated from the race's cost laws before anything is tuned.

Each measured rung's leaderboard row carries two power laws fitted to the race's rounds: its
model's CPU for one fold (`cost_coef`, `cost_power`) and the feature steps' (`features_coef`,
`features_power`, the same on every row). A halving search fits the features once per split of
each of its rounds for all candidates (`folds.SharedFeatures`), while each candidate transforms
its test rows itself; an exhaustive grid, as GridSearchCV runs it, fits them for every
candidate. The estimates decide which rungs fit `budget_cpu_seconds`, and what the grid would
have cost (the receipt's comparison).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..core.config import Params

# On a few hundred rows the fixed cost of a fit hides how it grows; no rung of the ladder grows
# slower than the square root of its rows once they count, nor faster than their square.
POWER_RANGE = (0.5, 2.0)


@dataclass(frozen=True)
class CostLaw:
    """CPU seconds of one cross-validation fold (fit and score) on n rows: coef * n ** power."""

    coef: float
    power: float

    def fit_cpu(self, rows: float) -> float:
        return self.coef * rows**self.power


def cost_law(rows: list[float], cpu_per_fold: list[float]) -> CostLaw:
    """A power law through (rows, CPU per fold), fitted in log-log space.

    One size gives no slope: the cost is taken as linear in rows, the cautious guess.
    """
    points = [(n, c) for n, c in zip(rows, cpu_per_fold, strict=True) if n > 0 and c > 0]
    if not points:
        return CostLaw(0.0, 1.0)
    logs = np.log(np.array(points, dtype=float))
    if len(set(logs[:, 0])) < 2:
        power = 1.0
    else:
        power = float(np.clip(np.polyfit(logs[:, 0], logs[:, 1], 1)[0], *POWER_RANGE))
    coef = float(np.exp(np.mean(logs[:, 1] - power * logs[:, 0])))
    return CostLaw(coef, power)


def grid_size(space: dict[str, list[Any]]) -> int:
    return math.prod(len(values) for values in space.values())


def candidates_in(space: dict[str, list[Any]], max_candidates: int) -> int:
    return min(grid_size(space), max_candidates) if space else 1


def halving_rounds(
    n_candidates: int, factor: int, rows: int, min_rows: int | None = None
) -> list[tuple[int, int]]:
    """(rows, candidates) of each round of scikit-learn's successive halving on `rows` rows.

    The first round has `min_rows` rows when that is fewer than "exhaust" (the size at which the
    last round uses every row), as `search.halving_search` asks; then scikit-learn's rules: as
    many rounds as it takes to leave fewer than `factor` candidates, no more than the rows allow.
    (scikit-learn also starts on at least two rows per class and split, which only tiny data
    sets notice.)
    """
    required = 1 + math.floor(math.log(max(n_candidates, 1), factor))
    exhaust = max(rows // factor ** (required - 1), 1)
    first = min_rows if min_rows is not None and 0 < min_rows < exhaust else exhaust
    possible = 1 + math.floor(math.log(max(rows // first, 1), factor))
    sizes, left = [], n_candidates
    for index in range(min(required, possible)):
        sizes.append((min(first * factor**index, rows), left))
        left = math.ceil(left / factor)
    return sizes


def fold_cpu(row: pd.Series, rows: float) -> tuple[float, float]:
    """(features, model) CPU seconds of one fold of a race round's cross-validation on `rows`.

    From the rung's laws; without them, its CPU per fold at the one size it ran scaled
    linearly, all of it counted as the model's.
    """
    if pd.notna(row.get("cost_coef")) and pd.notna(row.get("cost_power")):
        model = CostLaw(float(row["cost_coef"]), float(row["cost_power"])).fit_cpu(rows)
        features = 0.0
        if pd.notna(row.get("features_coef")) and pd.notna(row.get("features_power")):
            law = CostLaw(float(row["features_coef"]), float(row["features_power"]))
            features = law.fit_cpu(rows)
        return features, model
    per_fit = row["fit_cpu_seconds"] / row["fits"]
    return 0.0, per_fit * rows / row["rows"]


def search_cost(
    row: pd.Series,
    n_candidates: int,
    factor: int,
    rows: int,
    folds: int,
    race_folds: int,
    min_rows: int | None = None,
) -> tuple[float, float]:
    """CPU seconds of tuning a rung on `rows` rows with `folds` folds, and of a grid instead.

    Tuning is the defaults' cross-validation, then the halving search (none for one candidate);
    the grid cross-validates every candidate on every row, each fitting its own features.
    """
    # A law's n is a round's rows, whose folds train on 1 - 1/race_folds of them.
    scale = (1 - 1 / folds) / (1 - 1 / race_folds)
    features, model = fold_cpu(row, rows * scale)
    tuning = folds * (features + model)
    if n_candidates > 1:
        for size, candidates in halving_rounds(n_candidates, factor, rows, min_rows):
            shared, own = fold_cpu(row, size * scale)
            # The split's features once; each candidate its model and its test rows' transform.
            tuning += folds * (shared + candidates * (own + shared / folds))
    return tuning, n_candidates * folds * (features + model)


def grid_estimate(board: pd.DataFrame, params: Params, rows: int) -> float:
    """CPU seconds an exhaustive grid search over every rung's full space would take."""
    measured = board.dropna(subset=["fits"]).set_index("model")
    return sum(
        search_cost(
            measured.loc[name],
            grid_size(rung.search),
            params.tune.factor,
            rows,
            params.tune.cv_folds,
            params.baselines.cv_folds,
        )[1]
        for name, rung in params.ladder.items()
        if name in measured.index and rung.search
    )
