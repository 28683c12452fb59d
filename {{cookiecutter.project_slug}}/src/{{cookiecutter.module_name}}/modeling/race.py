"""The race over the ladder: every rung on a few rows, and the ones not clearly worse on more.

Round 0 is the `sample` stage's rows; each later round draws `baselines.factor` times more from
the training split, up to `baselines.max_rows`. The dummy runs in every round, on the same
folds, as the bar. After a round, a rung the round's best beats beyond noise (the corrected
t-test, `baselines.alpha`) is dropped; the race ends when a rung reaches done.yaml's target
with its standard error accounted for, when at most `top_k` rungs are left, or at the last
size. Within a round the rungs run in ladder order, written cheapest first; a cost law fitted
to the rounds before says where that order looks wrong, and estimates what tuning will cost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .crossval import CVResult, beats

# On a few hundred rows the fixed cost of a fit hides how it grows; no rung of the ladder grows
# slower than the square root of its rows once they count, nor faster than their square.
POWER_RANGE = (0.5, 2.0)


def race_sizes(first: int, largest: int, factor: int) -> list[int]:
    """The rows of each round: `first`, then `factor` times more, the last one `largest`.

    A last step shorter than the square root of `factor` is merged into the round before, so
    that no round repeats nearly the same rows (200, ..., 16200, 48600, 50000 would).
    """
    sizes = [min(first, largest)]
    while sizes[-1] * factor < largest:
        sizes.append(sizes[-1] * factor)
    if len(sizes) > 1 and largest < sizes[-1] * math.sqrt(factor):
        sizes[-1] = largest
    elif sizes[-1] < largest:
        sizes.append(largest)
    return sizes


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


@dataclass
class Race:
    """Every round's results, and for each rung that left the race, in which round and why."""

    rounds: list[tuple[int, dict[str, CVResult]]] = field(default_factory=list)
    left: dict[str, tuple[int, str]] = field(default_factory=dict)
    reached: str | None = None

    def last(self) -> dict[str, tuple[int, CVResult]]:
        """Each rung's last round and result."""
        latest = {}
        for index, (_, results) in enumerate(self.rounds):
            latest |= {name: (index, result) for name, result in results.items()}
        return latest

    def law(self, name: str) -> CostLaw:
        """The rung's cost law from every round it ran: one fold's model fit and scoring."""
        runs = [results[name] for _, results in self.rounds if name in results]
        return cost_law([r.rows for r in runs], [r.own_cpu / len(r.scores) for r in runs])

    def features_law(self) -> CostLaw:
        """The feature steps' cost law: one fold's fit and transforms, shared by every rung."""
        rounds = [next(iter(results.values())) for _, results in self.rounds if results]
        return cost_law([r.rows for r in rounds], [r.shared_cpu / len(r.scores) for r in rounds])

    def history(self) -> pd.DataFrame:
        """reports/race.csv: one row per rung and round it ran, what it scored and cost."""
        rows = []
        for index, (size, results) in enumerate(self.rounds):
            for name, result in results.items():
                left = self.left.get(name)
                rows.append(
                    {
                        "round": index,
                        "rows": size,
                        "model": name,
                        "score": result.mean,
                        "score_se": result.se,
                        "fit_cpu_seconds": result.fit_cpu,
                        "cpu_seconds": result.cpu,
                        "features_cpu_seconds": result.shared_cpu,
                        "fits": len(result.scores),
                        "outcome": left[1] if left and left[0] == index else "on",
                    }
                )
        return pd.DataFrame(rows)


def reaches(result: CVResult, target: float) -> bool:
    """Whether a result reaches the target with its standard error accounted for."""
    return result.mean - result.se >= target


def clearly_worse(results: dict[str, CVResult], alpha: float) -> tuple[str, dict[str, str]]:
    """The round's best rung, and the rungs it beats beyond noise, each with the reason."""
    best = max(results, key=lambda name: results[name].mean)
    worse = {}
    for name, result in results.items():
        if name == best:
            continue
        p = beats(results[best], result)
        if p < alpha:
            worse[name] = f"clearly worse than {best} (p={p:.3f})"
    return best, worse


def out_of_order(names: list[str], cost: dict[str, float], factor: float) -> list[str]:
    """Rungs the cost law predicts at least `factor` times cheaper than one above them.

    The race runs a round in ladder order, which params.yaml writes cheapest first: an order
    taken from measured CPU would change with the machine's load, and with it which rung
    reaches the target first, so two runs of the same data could ship different models. The
    law only says where the written order looks wrong, for a person to move the rung up.
    """
    return [
        f"{later} (~{cost[later]:.2g} CPU s a fold) before {earlier} (~{cost[earlier]:.2g})"
        for i, earlier in enumerate(names)
        for later in names[i + 1 :]
        if cost[later] > 0 and cost[earlier] >= factor * cost[later]
    ]
