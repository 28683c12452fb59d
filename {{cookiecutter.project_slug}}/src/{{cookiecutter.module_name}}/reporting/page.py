"""The report page: one self-contained HTML string with the verdict, the tables and the plots.

Everything is inline (CSS, images as data: URIs) and nothing is fetched, so the page can be
mailed, archived or opened offline and still shows exactly what the run produced. It reads top
down in the order a newcomer asks: the verdict and what to do, then the evidence, then how the
run was set up; wide tables keep their headline columns and fold the rest behind a toggle.
"""

from __future__ import annotations

import json
import math
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from ..core.records import Cost, Forecast, Metrics, Tuning, Verdict
from .markup import STYLE, compact, html_table, image, number, pairs, unlinked
from .summary import COLUMNS

COLOURS = {"done": "#1a7f37", "keep_tuning": "#9a6700", "more_data": "#0969da", "fold": "#cf222e"}
# The plots in the order a reader asks: is it good and where does it fail, would more data
# help, what does it use; the ladder it was picked from last. Names not listed follow them.
PLOTS = {
    "Is it good, and where does it fail?": (
        "confusion_matrix",
        "roc",
        "precision_recall",
        "calibration",
        "predicted_vs_actual",
        "residuals",
    ),
    "Would more data help?": ("learning_curve",),
    "What does it use?": ("permutation_importance", "top_terms"),
    "What it was picked from": ("leaderboard",),
}
# The tuning table's headline columns, as the leaderboard's are summary.COLUMNS.
TUNED = ["model", "status", "score", "score_se", "cpu_seconds", "picked", "why"]
# The run's settings a reader changes first, as dotted params.yaml keys.
SETTINGS = (
    "sample.max_rows",
    "baselines.cv_folds",
    "baselines.cv_repeats",
    "baselines.top_k",
    "baselines.factor",
    "tune.cv_folds",
    "tune.max_rows",
    "compute.backend",
    "compute.n_jobs",
)


def plot_order(images: list[Path]) -> list[Path]:
    """The plots in PLOTS' order, then the ones it does not name, alphabetically."""
    known = [stem for stems in PLOTS.values() for stem in stems]
    return sorted(
        images, key=lambda p: (known.index(p.stem) if p.stem in known else len(known), p.stem)
    )


def _plots(images: list[Path]) -> str:
    """One heading per question, with the plots that answer it, in `plot_order`."""
    ordered, known = plot_order(images), {stem for stems in PLOTS.values() for stem in stems}
    groups = [
        *PLOTS.items(),
        ("Other plots", tuple(p.stem for p in ordered if p.stem not in known)),
    ]
    parts = []
    for title, stems in groups:
        if shown := [p for p in ordered if p.stem in stems]:
            parts.append(unlinked(f"<h3>{escape(title)}</h3>\n") + "\n".join(map(image, shown)))
    return "\n".join(parts)


def _forecast(forecast: Forecast, target: float) -> str:
    """Would more rows reach the target: the learning curve's answer, or why it gives none."""
    if not forecast.available:
        return f"<p>No forecast: {escape(str(forecast.why))}.</p>"
    need, now, there = forecast.rows_for_target, forecast.rows_now, forecast.rows_available
    level = forecast.law.a if forecast.law else math.nan
    if need is None:
        said = f"levels off at {level:.4g}, below the target: more rows of it will not get there"
    else:
        said = f"reaches the target at about {need:,} training rows"
    figures = {
        "training rows the target needs": "never" if need is None else need,
        "training rows tune used": now,
        "training rows there are": there,
        "score at 2x the rows": forecast.score_at_2x,
        "score at 10x the rows": forecast.score_at_10x,
    }
    return (
        f"<p>The cross-validated learning curve of the pick (score = a - b * rows^-c) {said} "
        f"(target {number(target)}).</p>\n{pairs(figures)}"
    )


def _receipt(cost: dict) -> str:
    """The cost receipt: what the user's run cost, stage by stage, then the search's figures."""
    stages = cost.get("stages") or []
    whole = cost.get("pipeline") or {}
    search = {k: v for k, v in cost.items() if k not in ("stages", "pipeline")}
    if not stages:
        return pairs(search)
    table = pd.DataFrame(stages).set_index("stage")
    table.loc["all stages"] = pd.Series(whole)
    table = table.reset_index()[
        ["stage", "wall_seconds", "cpu_seconds", "model_cpu_seconds", "other_cpu_seconds"]
    ]
    return f"""<p>The last run of every stage took {number(whole.get("wall_seconds"))} s of
wall time and {number(whole.get("cpu_seconds"))} CPU s, of which
{number(whole.get("model_cpu_seconds"))} went to fitting and scoring models; the rest is
start-up (imports), reading, writing and plotting. DVC's own time between stages is not
counted.</p>
{html_table(table)}
<p>The model search, against an exhaustive grid over the same spaces:</p>
{pairs(search)}"""


def _labeling(figures: dict[str, Any]) -> str:
    """reports/labeling.json's headline figures; None means not measurable yet."""
    names = {
        "labelled_items": "labelled items",
        "annotators": "annotators",
        "overlap_items": "items two or more annotators labelled",
        "cohen_kappa": "agreement (Cohen's kappa)",
        "krippendorff_alpha": "agreement (Krippendorff's alpha)",
        "gold_accuracy": "accuracy on gold items",
        "to_adjudicate": "items to adjudicate",
        "pool_left": "pool items left to label",
    }
    rows = {name: figures.get(key) for key, name in names.items()}
    return pairs({name: "not measurable yet" if v is None else v for name, v in rows.items()})


def _spelled(values: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in values.items())


def _settings(search: Tuning, params: dict[str, Any]) -> dict[str, Any]:
    """The pick's parameters and the run's key settings, named as params.yaml names them."""
    rung = (params.get("ladder") or {}).get(search.model) or {}
    rows = {
        "picked model": f"{search.model} ({rung.get('estimator', 'unknown estimator')})",
        f"ladder.{search.model}.params": _spelled(rung.get("params") or {}) or "none",
        "tuned parameters": _spelled(search.params) or "none: the defaults scored best",
    }
    for key in SETTINGS:
        value: Any = params
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        rows[key] = value
    return {**rows, "budget_cpu_seconds (done.yaml)": search.budget_cpu_seconds}


def render_report(
    *,
    project: str,
    verdict: Verdict,
    search: Tuning,
    metrics: Metrics,
    cost: Cost,
    board: pd.DataFrame,
    tuning: pd.DataFrame,
    metadata: dict[str, Any],
    images: list[Path],
    labeling: dict[str, Any] | None = None,
) -> str:
    """The whole page, as one string; `labeling` is reports/labeling.json when there is one."""
    created = str(metadata.get("created_utc") or "")
    heading = escape(f"{project}: report of {created[:10]}" if created else f"{project}: report")
    name, metric = verdict.verdict, escape(verdict.metric)
    actions = "".join(f"<li>{escape(action)}</li>" for action in verdict.actions)
    git = metadata.get("git") or {}
    versions = {"python": metadata.get("python"), **(metadata.get("versions") or {})}
    test = {f"{metrics.metric} (done.yaml)": metrics.score, **metrics.test}
    run = {
        "created (UTC)": created,
        "git commit": git.get("commit"),
        "uncommitted changes": git.get("dirty"),
        "platform": metadata.get("platform"),
    }
    params = metadata.get("params") or {}
    dumped = json.dumps(params, indent=2, ensure_ascii=False, default=str)
    top = f"""
<h1>{heading}</h1>
<div class="verdict" style="background: {COLOURS.get(name, "#57606a")}">{escape(name)}</div>
<p>Test {metric} {number(verdict.score)} with {number(verdict.model)}, against done.yaml's
target {number(verdict.target)} and floor {number(verdict.floor)}; tuning spent
{search.cpu_seconds:.2f} of its {number(search.budget_cpu_seconds)} CPU s budget.</p>
<ul>{actions}</ul>
<h2>Forecast: would more rows reach the target?</h2>
{_forecast(search.forecast, verdict.target)}
<h2>Cost receipt</h2>
{_receipt(cost.model_dump())}
<h2>Test metrics</h2>
{pairs(test)}
<p>{number(metrics.rows)} held-out rows; cross-validated {metric}:
{number(metrics.cv)}</p>
<h2>Leaderboard (each rung at the last round of the race it ran)</h2>
{compact(board, COLUMNS, "Every leaderboard column")}
<h2>Tuning</h2>
{compact(tuning, TUNED, "Every tuning column")}
"""
    if labeling is not None:
        top += f"<h2>Labeling</h2>\n{_labeling(labeling)}\n"
    bottom = f"""
<h2>Parameters</h2>
{pairs(_settings(search, params))}
<details><summary>Every parameter (params.yaml)</summary>
<pre>{escape(dumped, quote=False)}</pre></details>
<h2>Provenance</h2>
{pairs(run)}
<h3>Versions</h3>
{pairs(versions)}
<h3>Data digests (md5)</h3>
{pairs(metadata.get("data") or {})}
"""
    body = unlinked(top + "<h2>Plots</h2>\n") + _plots(images) + unlinked(bottom)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{unlinked(heading)}</title>\n<style>{STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )
