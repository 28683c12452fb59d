"""The baselines stage: a race of every rung of the ladder at its defaults, on growing samples.

Round 0 is the `sample` stage's rows; the rungs not clearly worse than the round's best go on to
`baselines.factor` times more rows of the training split, up to `baselines.max_rows` (see
`modeling.race`). The dummy is model zero in every round: after the last one, a rung is kept
only when it beats the dummy beyond noise and is not far behind the best, and at most `top_k`
rungs go on to `tune`, which starts from the rows they survived at. Each row says why;
reports/race.csv holds every round.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
from tqdm import tqdm

from .core.compute import engine
from .core.config import BaselinesParams, Done, Params, load_done, load_params
from .core.console import run_stage
from .core.draws import draw_rows
from .core.files import read_table, write_table
from .core.paths import Paths
from .core.receipts import add_model_cpu
from .core.settings import ThriftyError
from .core.stream import chunks
from .core.task import check_metric, make_cv, smallest_group
from .modeling.crossval import (
    CVResult,
    ScoringError,
    beats,
    missing_response,
    round_cpu,
    score_model,
)
from .modeling.features import build_features
from .modeling.folds import featurize
from .modeling.ladder import build_model, split_xy
from .modeling.race import Race, clearly_worse, out_of_order, race_sizes, reaches

log = logging.getLogger(__name__)


def check_enough_rows(y: pd.Series, params: BaselinesParams) -> None:
    """Fail clearly when the sample cannot fill the cross-validation folds."""
    smallest, what = smallest_group(y)
    if smallest < params.cv_folds:
        raise ThriftyError(
            f"baselines.cv_folds={params.cv_folds}: {what} only {smallest} rows; "
            "lower cv_folds or raise sample.max_rows"
        )


def too_large(params: Params, full_rows: int) -> dict[str, str]:
    """Rungs whose `max_rows` the full training data exceeds, with the reason."""
    return {
        name: f"skipped: max_rows={rung.max_rows} < {full_rows} training rows"
        for name, rung in params.ladder.items()
        if rung.max_rows is not None and full_rows > rung.max_rows
    }


def cannot_score(params: Params, metric: str) -> dict[str, str]:
    """Rungs whose estimator cannot give what `metric` needs (probabilities, scores), and why.

    Found before anything is fitted. The dummy is the bar every rung is measured against, so a
    metric it cannot give is a done.yaml problem, not a skip.
    """
    reasons = {}
    for name, rung in params.ladder.items():
        model = build_model(rung)
        needed = missing_response(model, metric)
        if needed is None:
            continue
        probability = "probability" in model.get_params()  # SVC, NuSVC: Platt scaling on request
        hint = "; set probability: true in its params" if probability else ""
        reasons[name] = f"skipped: {rung.estimator} gives no {needed}, which {metric} needs{hint}"
    dummy = next(iter(params.ladder))
    if dummy in reasons:
        raise ThriftyError(
            f"done.yaml: metric {metric} cannot score the dummy rung {dummy!r}: "
            + reasons[dummy].removeprefix("skipped: ")
        )
    return reasons


def run_ladder(
    frame: pd.DataFrame,
    params: Params,
    metric: str,
    skip: dict[str, str] | None = None,
    names: list[str] | None = None,
    target: float | None = None,
) -> dict[str, CVResult]:
    """Cross-validate the rungs `names` (default: the ladder, in order) on the same seeded folds.

    The feature steps, the same on every rung, are fitted once per fold for all of them. A
    rung that cannot be scored with `metric` is added to `skip` with the reason (the
    leaderboard shows it), not run further; the stage goes on with the others. With `target`,
    the round stops after the first rung that reaches it with its standard error accounted for.
    """
    skip = {} if skip is None else skip
    dummy = next(iter(params.ladder))
    X, y = split_xy(frame, params.data)
    check_enough_rows(y, params.baselines)
    cv = make_cv(params.baselines.cv_folds, params.baselines.cv_repeats, params.baselines.seed)
    results = {}
    names = list(params.ladder) if names is None else names
    runnable = [name for name in names if name not in set(skip)]
    features = build_features(params.data, params.features)
    folds = featurize(features, X, y, cv, params.compute.n_jobs)
    width = max(map(len, params.ladder))  # the names line up however long the longest is
    rungs = tqdm(runnable, desc="baselines", disable=not sys.stderr.isatty())
    for name in rungs:
        rungs.set_postfix_str(name)
        model = build_model(params.ladder[name])
        try:
            results[name] = score_model(model, folds, metric, params.compute.n_jobs)
        except ScoringError as error:
            if name == dummy:  # without the bar, no rung can be judged
                raise ThriftyError(
                    f"done.yaml: metric {metric} cannot score the dummy rung {name!r}: {error}"
                ) from None
            skip[name] = f"skipped: {metric} could not score it: {error}"
            log.warning("%-*s %s", width, name, skip[name])
            continue
        log.info(
            "%-*s %s = %.4f ± %.4f  (%d rows)",
            width,
            name,
            metric,
            results[name].mean,
            results[name].se,
            len(X),
        )
        if target is not None and name != dummy and reaches(results[name], target):
            break
    return results


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
    largest = max(len(first), min(full_rows, settings.max_rows))
    state = Race()
    for index, planned in enumerate(race_sizes(len(first), largest, settings.factor)):
        frame = first if index == 0 else more(planned)
        cost = {name: state.law(name).fit_cpu(len(frame)) for name in alive}
        results = run_ladder(frame, params, done.metric, skip, [dummy, *alive], done.target)
        state.rounds.append((len(frame), results))
        ran = [name for name in alive if name in results]
        if index:  # ladder order, written cheapest first: say where the law disagrees
            for hint in out_of_order(ran, cost, settings.factor):
                log.info("round %d: the cost law puts %s; move it up the ladder?", index, hint)
        state.reached = next((name for name in ran if reaches(results[name], done.target)), None)
        if state.reached:
            for name in alive:
                if name not in results and name not in skip:
                    why = f"not needed: {state.reached} reached the target in round {index}"
                    state.left[name] = (index, why)
            break
        if len(frame) >= largest:
            break
        _, worse = clearly_worse({name: results[name] for name in [dummy, *ran]}, settings.alpha)
        for name, why in worse.items():
            if name != dummy:
                state.left[name] = (index, f"dropped in round {index} ({len(frame)} rows): {why}")
        alive = [name for name in ran if name not in worse]
        if len(alive) <= settings.top_k:
            break
    return state


def leaderboard(
    results: dict[str, CVResult],
    params: Params,
    skipped: dict[str, str] | None = None,
    history: Race | None = None,
) -> pd.DataFrame:
    """One row per rung, dummy first, with the keep decision and its reason.

    `results` is the last round's; with the race's `history`, each rung that left the race
    earlier shows its own last round, and its costs are summed over every round it ran.
    """
    names = list(results)
    dummy, rivals = names[0], names[1:]
    left = {name: why for name, (_, why) in (history.left.items() if history else ())}
    p_values = {name: beats(results[name], results[dummy]) for name in rivals}
    contenders = [name for name in rivals if name not in left]
    best = max(contenders, key=lambda name: results[name].mean, default=dummy)
    bar = results[best].mean - params.baselines.max_se_behind * results[best].se
    why = {dummy: "baseline: the score every other rung must beat", **(skipped or {}), **left}
    ranked = []
    for name in sorted(contenders, key=lambda name: -results[name].mean):
        if p_values[name] >= params.baselines.alpha:
            why[name] = f"dropped: not better than the dummy beyond noise (p={p_values[name]:.3f})"
        elif results[name].mean < bar:
            k = params.baselines.max_se_behind
            why[name] = f"dropped: more than {k:g} standard errors behind {best}"
        elif len(ranked) >= params.baselines.top_k:
            why[name] = f"dropped: outside the top_k={params.baselines.top_k}"
        else:
            ranked.append(name)
            why[name] = "kept: best score" if name == best else "kept: close to the best"
    latest = history.last() if history else {name: (0, r) for name, r in results.items()}
    rounds = history.rounds if history else [(0, results)]
    rows = []
    for name in [dummy, *(n for n in params.ladder if n in latest and n != dummy)]:
        index, result = latest[name]
        runs = [r[name] for _, r in rounds if name in r]
        law = history.law(name) if history else None
        features = history.features_law() if history else None
        if name not in p_values and name != dummy:  # left in an earlier round: its own dummy
            p_values[name] = beats(result, rounds[index][1][dummy])
        rows.append(
            {
                "model": name,
                "estimator": params.ladder[name].estimator,
                "score": result.mean,
                "score_std": result.std,
                "score_se": result.se,
                "p_vs_dummy": p_values.get(name),
                "fit_cpu_seconds": sum(r.fit_cpu for r in runs),
                "predict_cpu_seconds": sum(r.predict_cpu for r in runs),
                "cpu_seconds": sum(r.cpu for r in runs),
                "model_bytes": result.model_bytes,
                "rows": result.rows,
                "fits": sum(len(r.scores) for r in runs),
                "round": index,
                "cost_coef": law.coef if law else None,
                "cost_power": law.power if law else None,
                "features_coef": features.coef if features else None,
                "features_power": features.power if features else None,
                "kept": name in ranked,
                "why": why[name],
            }
        )
    rows += [
        {
            "model": name,
            "estimator": params.ladder[name].estimator,
            "kept": False,
            "why": why[name],
        }
        for name in params.ladder
        if name not in latest and name in why
    ]
    return pd.DataFrame(rows)


def main(root: Path) -> None:
    params, done = load_params(root, ladder=True), load_done(root)
    paths = Paths(root, params)
    sample = read_table(paths.sample)
    check_metric(done.metric, split_xy(sample, params.data)[1])
    full_rows = pq.ParquetFile(paths.train).metadata.num_rows
    skipped = too_large(params, full_rows)
    skipped |= {
        name: why for name, why in cannot_score(params, done.metric).items() if name not in skipped
    }
    for name, why in skipped.items():
        log.info("%-*s %s", max(map(len, params.ladder)), name, why)

    def more(rows: int) -> pd.DataFrame:
        """A later round's rows: a seeded stratified draw, streamed from the training split."""
        read = partial(chunks, paths.train)
        return draw_rows(
            read, params.data.target, rows, params.sample.seed, params.baselines.cv_folds
        )

    with engine(params.compute):
        history = race(sample, more, full_rows, params, done, skipped)
    add_model_cpu(sum(round_cpu(results) for _, results in history.rounds))
    board = leaderboard(history.rounds[-1][1], params, skipped, history)
    write_table(board, paths.leaderboard)
    write_table(history.history(), paths.race)
    sizes = " -> ".join(str(rows) for rows, _ in history.rounds)
    kept = ", ".join(board.loc[board.kept, "model"]) or "no rung"
    log.info("raced on %s rows; kept %s", sizes, kept)


if __name__ == "__main__":
    run_stage(main)
