"""The baselines stage: a race of every rung of the ladder at its defaults, on growing samples.

Round 0 is the `sample` stage's rows; the rungs not clearly worse than the round's best go on to
`baselines.factor` times more rows of the training split, up to `baselines.max_rows`, and a rung
within its standard error of the target, or whose learning curve is on course for it, is grown
at once (see `modeling.race`). The dummy is model zero in every round: after the race, a rung is
kept only when it beats the dummy beyond noise and is not far behind the best, and at most
`top_k` rungs go on to `tune`, which starts from the rows they survived at. Each row says why;
reports/race.csv holds every round.
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from .core.config import Params, load_done, load_params
from .core.console import run_stage
from .core.files import read_table, write_table
from .core.paths import Paths
from .core.receipts import add_model_cpu
from .core.settings import ThriftyError
from .core.task import check_metric
from .modeling.compute import engine
from .modeling.crossval import CVResult, beats, missing_response
from .modeling.ladder import build_model, split_xy
from .modeling.race import Race, race
from .tables.draws import draw_rows
from .tables.stream import chunks

log = logging.getLogger(__name__)


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


def race_cpu(race: Race) -> dict[str, tuple[float, float]]:
    """(fit, predict) CPU seconds each rung cost the race: its own fits and scoring, and an even
    share of the feature steps each of its rounds fitted once for all the rungs that ran there
    (the dummy's included), so that the rungs' figures add up to what the race spent."""
    spent: dict[str, tuple[float, float]] = {}
    for _, results in race.rounds:
        for name, r in results.items():
            fit, predict = spent.get(name, (0.0, 0.0))
            fit += r.own_fit_cpu + r.shared_fit_cpu / len(results)
            predict += r.own_predict_cpu + r.shared_predict_cpu / len(results)
            spent[name] = (fit, predict)
    return spent


def leaderboard(
    race: Race | dict[str, CVResult], params: Params, skipped: dict[str, str] | None = None
) -> pd.DataFrame:
    """One row per rung, dummy first, with the keep decision and its reason.

    Each row shows the rung's last (largest) round, its costs summed over every round it ran.
    The keep decision compares the rungs still in the race on the round they all ran last; a
    rung that reached the target is kept. A plain dict of results is one round.
    """
    if not isinstance(race, Race):
        race = Race(rounds=[(next(iter(race.values())).rows, race)])
    settings = params.baselines
    dummy = next(iter(params.ladder))
    latest, decided = race.last(), race.rounds[race.decided][1]
    left = {name: why for name, (_, why) in race.left.items()}
    contenders = [n for n in params.ladder if n in decided and n != dummy and n not in left]
    p_decided = {name: beats(decided[name], decided[dummy]) for name in contenders}
    best = max(contenders, key=lambda name: decided[name].mean, default=dummy)
    bar = decided[best].mean - settings.max_se_behind * decided[best].se
    why = {dummy: "baseline: the score every other rung must beat", **(skipped or {}), **left}
    ranked = []
    if race.reached:
        ranked.append(race.reached)
        why[race.reached] = f"kept: reached the target in round {latest[race.reached][0]}"
    for name in sorted(contenders, key=lambda name: -decided[name].mean):
        if name == race.reached:
            continue
        if p_decided[name] >= settings.alpha:
            why[name] = (
                f"dropped: not better than the dummy beyond noise (p={p_decided[name]:.3f})"
            )
        elif decided[name].mean < bar:
            why[name] = (
                f"dropped: more than {settings.max_se_behind:g} standard errors behind {best}"
            )
        elif len(ranked) >= settings.top_k:
            why[name] = f"dropped: outside the top_k={settings.top_k}"
        else:
            ranked.append(name)
            why[name] = "kept: best score" if name == best else "kept: close to the best"
    features = race.features_law()
    spent = race_cpu(race)
    rows = []
    for name in [dummy, *(n for n in params.ladder if n in latest and n != dummy)]:
        index, result = latest[name]
        fit, predict = spent[name]
        law = race.law(name)
        rows.append(
            {
                "model": name,
                "estimator": params.ladder[name].estimator,
                "score": result.mean,
                "score_std": result.std,
                "score_se": result.se,
                "p_vs_dummy": beats(result, race.rounds[index][1][dummy])
                if name != dummy
                else None,
                "fit_cpu_seconds": fit,
                "predict_cpu_seconds": predict,
                "cpu_seconds": fit + predict,
                "model_bytes": result.model_bytes,
                "rows": result.rows,
                "fits": sum(len(r[name].scores) for _, r in race.rounds if name in r),
                "round": index,
                "cost_coef": law.coef,
                "cost_power": law.power,
                "features_coef": features.coef,
                "features_power": features.power,
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
    add_model_cpu(sum(fit + predict for fit, predict in race_cpu(history).values()))
    board = leaderboard(history, params, skipped)
    write_table(board, paths.leaderboard)
    write_table(history.history(), paths.race)
    sizes = " -> ".join(str(rows) for rows, _ in history.rounds)
    kept = ", ".join(board.loc[board.kept, "model"]) or "no rung"
    log.info("raced on %s rows; kept %s", sizes, kept)


if __name__ == "__main__":
    run_stage(main)
