"""The race over the ladder: every rung on a few rows, and the ones not clearly worse on more.

Round 0 is the `sample` stage's rows; each later round draws `baselines.factor` times more from
the training split, up to `baselines.max_rows`. The dummy runs in every round, on the same
folds, as the bar. Within a round the rungs run in ladder order, written cheapest first. A rung
is grown at once, on the next rounds' rows, before any dearer rung runs, when the target is
within its standard error or its learning curve is on course for it (`modeling.rules`): more
rows settle it cheaply, and a dearer rung may never need to run. After a round, a rung the
round's best beats beyond noise is dropped; the race ends when a rung reaches the target with
its standard error accounted for, when at most `top_k` rungs are left, or at the last size.
Every decision rests on scores, never on timings, so a rerun races the same way; the cost laws
fitted to the rounds (`modeling.cost`) say where the written order looks wrong.
"""

from __future__ import annotations

import logging
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from tqdm import tqdm

from ..core.config import Done, Params
from .cost import CostLaw, cost_law
from .crossval import CVResult
from .folds import KEEP_BYTES
from .rounds import fold_frame, score_rung
from .rules import clearly_worse, on_course, out_of_order, promising, reaches

log = logging.getLogger(__name__)


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


@dataclass
class Race:
    """Every round's results, and for each rung that left the race, in which round and why.

    `decided` is the last round every rung still in the race ran: the leaderboard keeps or
    drops on it. A grown rung may have results in later rounds too.
    """

    rounds: list[tuple[int, dict[str, CVResult]]] = field(default_factory=list)
    left: dict[str, tuple[int, str]] = field(default_factory=dict)
    reached: str | None = None
    decided: int = 0
    steps: list[tuple[int, str]] = field(default_factory=list)  # (round, rung), in run order

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
        step = {run: number for number, run in enumerate(self.steps)}
        for index, (size, results) in enumerate(self.rounds):
            for name, result in results.items():
                left = self.left.get(name)
                rows.append(
                    {
                        "step": step.get((index, name)),
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
        return pd.DataFrame(rows).sort_values("step", kind="stable", ignore_index=True)


def race(
    first: pd.DataFrame,
    more: Callable[[int], pd.DataFrame],
    full_rows: int,
    params: Params,
    done: Done,
    skip: dict[str, str] | None = None,
) -> Race:
    """The ladder's race: round 0 on `first`, each later round on `more(rows)` rows.

    Stops when a rung reaches done.yaml's target (SE accounted for), when at most `top_k`
    rungs are left, or after the round of min(`full_rows`, `baselines.max_rows`) rows.
    """
    skip = {} if skip is None else skip
    settings = params.baselines
    dummy = next(iter(params.ladder))
    alive = [name for name in params.ladder if name != dummy and name not in skip]
    sizes = race_sizes(
        len(first), max(len(first), min(full_rows, settings.max_rows)), settings.factor
    )
    state, held = Race(), {}

    def run(name: str, index: int) -> CVResult | None:
        """`name` on round `index`'s folds (drawn and fitted when first needed), once."""
        if index == len(state.rounds):
            frame = first if index == 0 else more(sizes[index])
            spare = KEEP_BYTES - sum(folds.nbytes for folds in held.values())
            held[index] = fold_frame(frame, params, max(spare, 0))
            state.rounds.append((len(frame), {}))
        results = state.rounds[index][1]
        for rung in dict.fromkeys([dummy, name]):  # the bar first, in every round
            if rung not in results and rung not in skip:
                result = score_rung(rung, held[index], params, done.metric, skip)
                if result is not None:
                    results[rung] = result
                    state.steps.append((index, rung))
        return results.get(name)

    def before(name: str, index: int) -> CVResult | None:
        """The rung's result in the last round before `index` that it ran."""
        earlier = [state.rounds[i][1].get(name) for i in range(index)]
        return next((result for result in reversed(earlier) if result is not None), None)

    def why_grow(name: str, index: int) -> str | None:
        """Why the rung's result in round `index` sends it on to the next round at once."""
        result = state.rounds[index][1][name]
        if index + 1 == len(sizes) or reaches(result, done.target):
            return None
        if promising(result, done.target):
            return "the target is within its standard error"
        if on_course(before(name, index), result, sizes[index + 1], done.target):
            return "its learning curve is on course for the target"
        return None

    def grow(name: str, index: int) -> None:
        """Run a rung on the next rounds while it is worth growing (`why_grow`); it stops
        when it reaches the target or is no longer worth it."""
        while (why := why_grow(name, index)) is not None:
            index += 1
            log.info("%s: %s; on to round %d (%d rows)", name, why, index, sizes[index])
            if run(name, index) is None:
                return
        if reaches(state.rounds[index][1][name], done.target):
            state.reached = name

    bar = tqdm(total=len(alive), desc="baselines", disable=not sys.stderr.isatty())
    for index in range(len(sizes)):
        for early in [i for i in held if i < index]:  # rounds behind the race: not needed again
            del held[early]
        cost = {name: state.law(name).fit_cpu(sizes[index]) for name in alive if index}
        bar.reset(total=len(alive))
        for name in alive:
            bar.set_postfix_str(f"round {index}: {name}")
            result = run(name, index)
            bar.update()
            if result is not None:
                grow(name, index)  # sets `reached` when it reaches, here or further on
            if state.reached:
                break
        state.decided = index
        ran = [name for name in alive if name in state.rounds[index][1]]
        if index:  # ladder order, written cheapest first: say where the law disagrees
            for hint in out_of_order(ran, cost, settings.factor):
                log.info("round %d: the cost law puts %s; move it up the ladder?", index, hint)
        if state.reached:
            at = max(i for i, (_, results) in enumerate(state.rounds) if state.reached in results)
            for name in alive:
                if name not in state.rounds[index][1] and name not in skip:
                    why = f"not needed: {state.reached} reached the target in round {at}"
                    state.left[name] = (index, why)
            break
        if index == len(sizes) - 1:
            break
        results = state.rounds[index][1]
        _, worse = clearly_worse({name: results[name] for name in [dummy, *ran]}, settings.alpha)
        rows = state.rounds[index][0]
        for name, why in worse.items():
            if name != dummy:
                state.left[name] = (index, f"dropped in round {index} ({rows} rows): {why}")
        alive = [name for name in ran if name not in worse]
        if len(alive) <= settings.top_k:
            break
    bar.close()
    return state
