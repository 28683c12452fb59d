"""What a search will cost, estimated from the race's fits before anything is tuned.

The estimates decide which rungs fit `budget_cpu_seconds` and what an exhaustive grid over the
same spaces would have cost (the receipt's comparison).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ..core.config import Params
from .race import CostLaw


def grid_size(space: dict[str, list[Any]]) -> int:
    return math.prod(len(values) for values in space.values())


def candidates_in(space: dict[str, list[Any]], max_candidates: int) -> int:
    return min(grid_size(space), max_candidates) if space else 1


def full_fit_cpu(row: pd.Series, rows: int, folds: int) -> float:
    """CPU seconds of one fit on `rows` rows, from the rung's leaderboard row.

    The race's cost law when the row has one (`cost_coef` * n ** `cost_power`: one fold of a
    cross-validation on n rows, fitted to every round the rung ran; a fold trains on
    1 - 1/`folds` of them); otherwise its per-fit CPU at one size, scaled linearly.
    """
    if pd.notna(row.get("cost_coef")) and pd.notna(row.get("cost_power")):
        law = CostLaw(float(row["cost_coef"]), float(row["cost_power"]))
        return law.fit_cpu(rows / (1 - 1 / folds))
    per_fit = row["fit_cpu_seconds"] / row["fits"]
    return per_fit * rows / (row["rows"] * (1 - 1 / folds))


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


def grid_estimate(board: pd.DataFrame, params: Params, rows: int) -> float:
    """CPU seconds an exhaustive grid search over every rung's full space would take."""
    measured = board.dropna(subset=["fits"]).set_index("model")
    return sum(
        estimate_cost(
            grid_size(rung.search),
            params.tune.factor,
            params.tune.cv_folds,
            full_fit_cpu(measured.loc[name], rows, params.baselines.cv_folds),
        )[1]
        for name, rung in params.ladder.items()
        if name in measured.index and rung.search
    )
