"""The done stage: the verdict against done.yaml, and its next actions.

`done` when the held-out score meets the target; `fold` when it is below the floor after
tuning, or the learning curve says the target is out of reach; `keep_tuning` while tuning
still pays and budget remains; `more_data` when cross-validation meets the target but the
test set does not, or when tuning has plateaued but the curve says more rows would get there.
"""

from __future__ import annotations

import logging
from pathlib import Path

from .core.config import Done, load_done
from .core.console import run_stage
from .core.files import read_json
from .core.paths import Paths
from .core.records import Metrics, Tuning, Verdict, read_record, write_record
from .core.settings import ThriftyError

log = logging.getLogger(__name__)
CLI = f"python -m {__package__}"


def decide(
    score: float, tuning: Tuning, done: Done, pool_left: int | None = None
) -> tuple[str, list[str]]:
    """The verdict and its concrete next steps; `pool_left` counts unlabelled pool items."""
    spent, outlook = tuning.cpu_seconds, tuning.forecast
    pick, metric = tuning.model, done.metric
    if score >= done.target:
        return "done", [
            f"Stop tuning: test {metric} {score:.4f} meets the target {done.target}.",
            f"Predict: {CLI} predict --bundle artifacts/model --input NEW.csv --output out.csv",
            "Version it: git add -A && git commit -m 'Model meets target', then "
            "make release VERSION=X.Y.Z (a model@vX.Y.Z tag; the bundle goes to the DVC remote)",
        ]
    if score < done.floor:
        return "fold", [
            f"Stop: test {metric} {score:.4f} is below the floor {done.floor} after tuning.",
            "Check the labels and features before spending more: is the target learnable?",
            "Or, if the floor was set too high, lower floor in done.yaml and dvc repro.",
        ]
    if tuning.cv_score >= done.target:  # tuning stopped there: more of it cannot help
        return "more_data", unconfirmed(
            score, done, f"(tuned {pick} scores {tuning.cv_score:.4f} ± {tuning.cv_se:.4f})"
        )
    if tuning.gain >= done.min_gain and spent < done.budget_cpu_seconds:
        return "keep_tuning", [
            f"Tuning {pick} gained {tuning.gain:.4f} (min_gain {done.min_gain}) with "
            f"{done.budget_cpu_seconds - spent:.0f} of {done.budget_cpu_seconds:g} CPU s left.",
            f"Widen ladder.{pick}.search in params.yaml (more values, another parameter).",
            "Raise budget_cpu_seconds in done.yaml so more rungs get tuned, then dvc repro.",
        ]
    if outlook.available and outlook.rows_for_target is not None:
        need, now = outlook.rows_for_target, outlook.rows_now or 0
        if need <= now:
            return "more_data", unconfirmed(score, done, f"with the {now:,} training rows")
        available = outlook.rows_available or now
        if need <= available:
            return "more_data", [
                f"Tuning has plateaued; the learning curve reaches {done.target} at about "
                f"{need:,} training rows: tune used {now:,} of the {available:,} there are.",
                f"Tune on more of them: dvc exp run -S tune.max_rows={need}, then compare.",
            ]
        more = need - available
        label = f"Label about {more:,} more items: {CLI} label --annotator YOU --n {more}"
        if pool_left is not None and pool_left < more:
            label += f" (the pool holds {pool_left:,}: add items to the file in labels.pool)"
        return "more_data", [
            f"Tuning has plateaued; the learning curve reaches {done.target} at about "
            f"{need:,} training rows ({available:,} now).",
            label + ", then dvc repro.",
            f"Or collect about {more:,} more labelled rows into the file in data.raw.",
        ]
    if outlook.available and outlook.law is not None:
        return "fold", [
            f"The learning curve levels off at {outlook.law.a:.4f}, below the target "
            f"{done.target}: more rows of the same data will not get there.",
            "Climb the ladder (a costlier rung in params.yaml) or engineer new features.",
            "Or lower target in done.yaml if it was not realistic, then dvc repro.",
        ]
    return "keep_tuning", [
        f"Tuning has plateaued and no forecast is possible ({outlook.why}).",
        "Climb the ladder: add a costlier rung to ladder in params.yaml, then dvc repro.",
        "Or raise budget_cpu_seconds in done.yaml so the other kept rungs get tuned.",
    ]


def unconfirmed(score: float, done: Done, reached: str) -> list[str]:
    """more_data's steps when cross-validation meets the target and the test set does not."""
    return [
        f"Cross-validation reaches {done.target} {reached}, but the held-out test set scores "
        f"{score:.4f}: too few test rows to confirm it (or they differ from the training rows).",
        f"Label more items ({CLI} label --annotator YOU --test) or collect rows: the test "
        "split grows with them, then dvc repro.",
    ]


def verdict(root: Path, done: Done) -> Verdict:
    paths = Paths(root)
    metrics = read_record(paths.metrics, Metrics)
    tuning = read_record(paths.tuning_summary, Tuning)
    if metrics.metric != done.metric:
        raise ThriftyError(
            f"reports/metrics.json scores {metrics.metric!r} but done.yaml asks for "
            f"{done.metric!r}; run `dvc repro`"
        )
    labeling = read_json(paths.labeling_metrics) if paths.labeling_metrics.is_file() else {}
    name, actions = decide(metrics.score, tuning, done, labeling.get("pool_left"))
    return Verdict(
        verdict=name,
        metric=done.metric,
        score=metrics.score,
        target=done.target,
        floor=done.floor,
        model=metrics.model,
        actions=actions,
    )


def main(root: Path, check: bool = False) -> int:
    """Write done.json; with `check`, write nothing and return 0 only on done."""
    paths, done = Paths(root), load_done(root)
    result = verdict(root, done)
    if not check:
        write_record(result, paths.done)
    log.info(
        "verdict: %s (%s %.4f, target %s)",
        result.verdict,
        result.metric,
        result.score,
        result.target,
    )
    for action in result.actions:
        log.info("  - %s", action)
    return 0 if result.verdict == "done" or not check else 1


if __name__ == "__main__":
    run_stage(main)
