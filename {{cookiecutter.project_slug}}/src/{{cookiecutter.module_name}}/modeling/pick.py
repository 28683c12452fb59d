"""What tune decides from scores: each rung's outcome, the race's word on it, the one-SE pick.

`Tuned` is one kept rung's outcome, searched or not, with the reason; the race's leaderboard
says whether a rung already reached the target and on how many rows it survived; of the tuned
rungs, the first in ladder order within one standard error of the best ships.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .crossval import CVResult


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
    # Its cross-validation on tune's folds of every row with `params`, when tune ran one (the
    # defaults'): the learning curve's last point, not fitted twice.
    every_row: CVResult | None = None

    @property
    def gain(self) -> float:
        """What tuning added over the rung's default parameters, in the metric's units."""
        return self.score - self.default_score


def one_se_pick(tuned: list[Tuned]) -> tuple[Tuned, str]:
    """The first tuned rung, in ladder order, whose score is within one standard error of the
    best: `tuned` is in the ladder's order, which params.yaml writes simplest and cheapest first.

    The written order, not the CPU each rung was measured at: timings move with the machine's
    load, and with them which of two close rungs would ship (the race keeps to the written
    order for the same reason).
    """
    scored = [t for t in tuned if not math.isnan(t.score)]
    best = max(scored, key=lambda t: t.score)
    pick = next(t for t in scored if t.score >= best.score - best.se)
    if pick is best and pick.status.startswith("defaults"):  # not searched: the status says why
        return pick, pick.status
    if pick is best:
        return pick, f"best tuned score ({best.score:.4f} ± {best.se:.4f})"
    return pick, (
        f"one-standard-error rule: {pick.score:.4f} is within one SE of {best.name} "
        f"({best.score:.4f} ± {best.se:.4f}), and earlier in the ladder"
    )


def reached_in_race(row: pd.Series, target: float) -> bool:
    """Whether the race scored this rung at the target with its standard error accounted for."""
    return pd.notna(row.get("score")) and row["score"] - row["score_se"] >= target


def survived_at(row: pd.Series) -> int | None:
    """The rows of the race round a rung was last scored at, when the leaderboard says."""
    return int(row["rows"]) if pd.notna(row.get("rows")) else None


def in_race(name: str, row: pd.Series, reached: str) -> Tuned:
    """A kept rung when the race already reached the target: the one that did, at defaults."""
    if name != reached:
        return Tuned(name, f"not needed: {reached} reached the target in the race")
    return Tuned(
        name,
        f"defaults: reached the target in the race, on {int(row['rows'])} rows",
        score=row["score"],
        se=row["score_se"],
        default_score=row["score"],
    )
