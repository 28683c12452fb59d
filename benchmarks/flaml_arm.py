"""FLAML, the AutoML arm of the thrift benchmark: its model at fixed budgets, its CPU to reach T.

FLAML searches the baked project's own features (fitted once, before it starts), with n_jobs=1
and one BLAS thread, like every arm. Its budgets are wall-clock, as FLAML offers no other; its
CPU to reach T is read from its trial log, each trial stamped with `process_time`.
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cpu import measured, median
from sklearn.base import clone
from sklearn.pipeline import Pipeline

BUDGETS = (5, 20, 60)
LONGER = 180  # only where no shorter budget reached T: a figure where there was none
ESTIMATORS = {
    ("classification", "tabular"): ["lrl2", "kneighbor", "rf", "histgb", "svc"],
    ("regression", "tabular"): ["enet", "kneighbor", "rf", "histgb"],
    ("classification", "text"): ["lrl2", "svc", "sgd"],
}
METRICS = {"f1_macro": "macro_f1", "r2": "r2"}  # FLAML's loss is 1 − the score for both


@dataclass
class Trial:
    """One trial that improved FLAML's best: the model FLAML would give were it stopped here."""

    learner: str
    config: dict[str, Any]
    score: float  # FLAML's own validation score, not the referee's
    cpu: float  # CPU from the arm's start (features included) to the trial's end
    estimator: Any  # its configuration as an unfitted scikit-learn estimator


@dataclass
class Search:
    automl: Any
    features: Pipeline  # fitted on every training row, as FLAML saw them
    Xt: Any
    trials: list[Trial]


def stamped(metric: str):
    """FLAML's own loss for `metric`, which also stamps `process_time` when a fold is scored.

    FLAML's log times each trial by the wall clock, which another process on the cores
    stretches; the stamp is this process's CPU, carried in the metrics FLAML logs with each
    trial through its documented custom-metric hook. The loss is FLAML's own. On an idle core
    the stamps and the log's wall-clock times agree within hundredths of a second.
    """
    from flaml.automl.ml import metric_loss_score

    def loss(X_val, y_val, estimator, labels, *args):
        value = metric_loss_score(metric, estimator.predict(X_val), y_val, labels)
        return value, {"cpu": time.process_time()}

    return loss


def last_stamp(losses: list[float], logged: list[dict]) -> tuple[float, dict]:
    """FLAML's mean of the fold losses, with the last fold's stamp: the trial's end."""
    return sum(losses) / len(losses), {"cpu": max(fold["cpu"] for fold in logged)}


def search(m, params, done, X, y, task: str, kind: str, budget: int) -> Search:
    """One FLAML run of `budget` wall-clock seconds, and its improving trials in order."""
    from flaml import AutoML
    from flaml.automl.training_log import training_log_reader

    start = time.process_time()
    features = m["ladder"].build_features(params.data, params.features)
    Xt = features.fit_transform(X, y)
    automl = AutoML()
    with tempfile.TemporaryDirectory() as folder:
        log = str(Path(folder) / "flaml.log")
        # The default log_type, "better", logs each trial that beat every earlier one.
        automl.fit(
            Xt,
            y,
            task=task,
            metric=stamped(METRICS[done.metric]),
            cv_score_agg_func=last_stamp,
            time_budget=budget,
            estimator_list=ESTIMATORS[(task, kind)],
            n_jobs=1,
            seed=0,
            verbose=0,
            log_file_name=log,
        )
        with training_log_reader(log) as reader:
            records = [r for r in reader.records() if isinstance(r.logged_metric, dict)]
        trials = [
            Trial(
                record.learner,
                {k: v for k, v in record.config.items() if k != "FLAML_sample_size"},
                1 - record.validation_loss,
                record.logged_metric["cpu"] - start,
                automl.get_estimator_from_log(log, record.record_id, task),
            )
            for record in records
        ]
    return Search(automl, features, Xt, trials)


def refit(found: Search, estimator, y) -> Pipeline:
    """The search's features, then `estimator` fitted on every training row.

    Refitted on y as given: FLAML's own model learnt its label codes, which the referee,
    scoring against the labels themselves, would misread.
    """
    return Pipeline([("features", found.features), ("model", clone(estimator).fit(found.Xt, y))])


def first_to_target(found: Search, y, target: float, judge, verdicts: dict) -> dict | None:
    """The first improving trial whose own score reaches T, if the referee agrees; else the next.

    Its CPU is the search's until that trial ended, and one fit of its configuration on every
    row, as FLAML refits its pick on all rows before handing it over. `verdicts` keeps the
    referee's word on each configuration across runs.
    """
    for trial in found.trials:
        if trial.score < target:
            continue
        key = json.dumps([trial.learner, trial.config], sort_keys=True)
        if key not in verdicts:
            model, fit_cpu = measured(refit, found, trial.estimator, y)
            verdicts[key] = {"learner": trial.learner, "config": trial.config}
            verdicts[key] |= {"fit_cpu": fit_cpu, **judge(model)}
        verdict = verdicts[key]
        if verdict["cv"] >= target:
            return verdict | {"own_score": trial.score, "cpu": trial.cpu + verdict["fit_cpu"]}
    return None


def flaml_arm(m, params, done, X, y, task, kind, judge, target: float, runs: int) -> dict:
    """Each budget once (the longer one only if none reached T), each judged by the referee;
    then the first budget that reached T, `runs` times in all, for a median CPU to T."""
    row: dict[str, Any] = {}
    verdicts: dict[str, dict] = {}
    first = None
    for budget in (*BUDGETS, LONGER):
        if budget == LONGER and first:
            break
        found, row[f"flaml_{budget}_cpu"] = measured(
            search, m, params, done, X, y, task, kind, budget
        )
        row[f"flaml_{budget}"] = judge(refit(found, found.automl.model.estimator, y))
        reached = first_to_target(found, y, target, judge, verdicts)
        row[f"flaml_{budget}_to_T_cpu"] = reached and reached["cpu"]
        if reached and first is None:
            first = budget, reached
    cpus = []
    if first is not None:
        budget, reached = first
        row["flaml_to_T"], cpus = reached | {"budget": budget}, [reached["cpu"]]
        for _ in range(runs - 1):
            found, _ = measured(search, m, params, done, X, y, task, kind, budget)
            again = first_to_target(found, y, target, judge, verdicts)
            cpus.append(again and again["cpu"])
    row["flaml_to_T_cpu_runs"], row["flaml_to_T_cpu"] = cpus, median(cpus) if cpus else None
    # Configurations FLAML scored at T or above and the referee put below it.
    row["flaml_refused"] = [v for v in verdicts.values() if v["cv"] < target]
    return {"flaml_to_T": None} | row
