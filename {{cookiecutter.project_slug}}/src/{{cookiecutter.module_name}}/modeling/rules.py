"""The race's decisions, each a pure function of cross-validated results.

A rung reaches done.yaml's target when its score less its standard error clears it, is
promising when the target lies within that error, is on course when the curve through its last
two rounds clears the target at the next round's rows, and is clearly worse than the round's
best when the corrected t-test says so at `baselines.alpha`. `out_of_order` reads the cost
laws, never to reorder the race (timings change with the machine's load) but to tell a person
where the ladder's written order looks wrong.
"""

from __future__ import annotations

from .crossval import CVResult, beats
from .forecast import law_through, predict_score


def reaches(result: CVResult, target: float) -> bool:
    """Whether a result reaches the target with its standard error accounted for."""
    return result.mean - result.se >= target


def promising(result: CVResult, target: float) -> bool:
    """Short of the target, but by less than its standard error: more rows will tell."""
    return not reaches(result, target) and result.mean + result.se >= target


def score_at(before: CVResult, last: CVResult, rows: int) -> float:
    """The score at `rows` on the learning curve through a rung's last two rounds.

    Two sizes cannot fit the curve's power (the `tune` stage fits it from more), so the law is
    taken with c = 1/2, the rate at which an estimate's error shrinks with its rows: each
    tripling of the rows gains 1/sqrt(3) of what the one before gained. Curves that flatten
    sooner fall short of it; `on_course` asks for the forecast to clear the target by the last
    round's standard error, and for the rise itself to be more than noise.
    """
    law = law_through((before.rows, before.mean), (last.rows, last.mean), c=0.5)
    return predict_score(law, rows)


def on_course(before: CVResult | None, last: CVResult, rows: int, target: float) -> bool:
    """Whether the rung's last two rounds forecast the target (SE accounted for) at `rows`."""
    if before is None or last.rows <= before.rows or rows <= last.rows:
        return False
    rising = last.mean - before.mean > last.se
    return rising and score_at(before, last, rows) - last.se >= target


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
