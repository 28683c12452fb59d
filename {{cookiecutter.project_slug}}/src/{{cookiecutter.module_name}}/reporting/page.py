"""The report page: one self-contained HTML string with the verdict, the tables and the plots.

Everything is inline (CSS, images as data: URIs) and nothing is fetched, so the page can be
mailed, archived or opened offline and still shows exactly what the run produced. It reads top
down in the order a newcomer asks: the verdict and what to do, then the evidence, then how the
run was set up; wide tables keep their headline columns and fold the rest behind a toggle.
"""

from __future__ import annotations

import base64
import json
import math
import re
from html import escape
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import pandas as pd

from ..core.records import Cost, Forecast, Metrics, Tuning, Verdict
from .summary import COLUMNS

# The page must never spell "http" in any case: proof that it links to, and loads, nothing.
LINKLIKE = re.compile(r"(h)(?=ttp)", re.IGNORECASE)

COLOURS = {"done": "#1a7f37", "keep_tuning": "#9a6700", "more_data": "#0969da", "fold": "#cf222e"}
# Cells wrap anywhere rather than widen their table, so no table scrolls sideways at 1280 px;
# the automatic layout still gives the long "why" texts the room the numbers leave.
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; padding: 0 1em; max-width: 70em;
  color: #1f2328 }
h2 { border-bottom: 1px solid #d0d7de; padding-bottom: 0.2em }
.verdict { color: white; padding: 0.5em 1em; border-radius: 0.4em; font-size: 2.2em }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; max-width: 100% }
th, td { border: 1px solid #d0d7de; padding: 0.25em 0.6em; text-align: left;
  vertical-align: top; overflow-wrap: anywhere }
th { background: #f6f8fa }
details { margin: 0.5em 0 }
summary { cursor: pointer; color: #0969da }
figure { display: inline-block; margin: 0.5em; text-align: center; max-width: 100% }
img { max-width: 100%; height: auto; border: 1px solid #d0d7de }
pre { background: #f6f8fa; padding: 1em; white-space: pre-wrap; overflow-wrap: anywhere }
"""
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


def _number(value: Any) -> str:
    """Fractions to four significant digits (the files keep them all); the rest as text."""
    if isinstance(value, Real) and not isinstance(value, Integral):
        return "" if math.isnan(value) else f"{value:.4g}"
    return escape("" if value is None else str(value))


def _unlinked(markup: str) -> str:
    """Text spelling "http" gets an entity for its "h": it reads the same, and links nowhere."""
    return LINKLIKE.sub(lambda match: f"&#{ord(match[1])};", markup)


def _pairs(rows: dict[str, Any]) -> str:
    """A two-column table of names and values."""
    cells = [
        f"<tr><th>{escape(str(k), quote=False)}</th><td>{_number(v)}</td></tr>"
        for k, v in rows.items()
    ]
    return f"<table>{''.join(cells)}</table>"


def _frame(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, escape=True, na_rep="", border=0, float_format=_number)


def _headline(frame: pd.DataFrame, shown: list[str]) -> pd.DataFrame:
    """`shown` columns for reading: score ± SE to four digits, CPU seconds to two."""
    cells = {}
    for column in (c for c in shown if c in frame):
        values = frame[column]
        if column == "score" and "score_se" in frame:
            pairs = zip(values, frame["score_se"], strict=True)
            cells["score ± SE"] = ["" if pd.isna(s) else f"{s:.4g} ± {e:.4g}" for s, e in pairs]
        elif column == "cpu_seconds":
            cells["CPU s"] = ["" if pd.isna(v) else f"{v:.2f}" for v in values]
        elif column != "score_se":
            cells[column] = (
                values.map({True: "yes", False: "no"}) if values.dtype == bool else values
            )
    return pd.DataFrame(cells)


def _compact(frame: pd.DataFrame, shown: list[str], rest: str) -> str:
    """The headline columns in the open, every other column (by model) behind a toggle."""
    hidden = frame[["model", *(c for c in frame if c not in shown)]]
    return (
        f"{_frame(_headline(frame, shown))}\n<details><summary>{escape(rest)}</summary>\n"
        f"{_frame(hidden)}</details>"
    )


def _image(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    # Base64 can spell it by chance; URL parsers drop newlines, so the image is unchanged.
    data = LINKLIKE.sub(lambda match: match[1] + "\n", data)
    stem = _unlinked(escape(path.stem))
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{stem}">'
        f"<figcaption>{stem}</figcaption></figure>"
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
            parts.append(_unlinked(f"<h3>{escape(title)}</h3>\n") + "\n".join(map(_image, shown)))
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
        f"(target {_number(target)}).</p>\n{_pairs(figures)}"
    )


def _receipt(cost: dict) -> str:
    """The cost receipt: what the user's run cost, stage by stage, then the search's figures."""
    stages = cost.get("stages") or []
    whole = cost.get("pipeline") or {}
    search = {k: v for k, v in cost.items() if k not in ("stages", "pipeline")}
    if not stages:
        return _pairs(search)
    table = pd.DataFrame(stages).set_index("stage")
    table.loc["all stages"] = pd.Series(whole)
    table = table.reset_index()[
        ["stage", "wall_seconds", "cpu_seconds", "model_cpu_seconds", "other_cpu_seconds"]
    ]
    return f"""<p>The last run of every stage took {_number(whole.get("wall_seconds"))} s of
wall time and {_number(whole.get("cpu_seconds"))} CPU s, of which
{_number(whole.get("model_cpu_seconds"))} went to fitting and scoring models; the rest is
start-up (imports), reading, writing and plotting. DVC's own time between stages is not
counted.</p>
{_frame(table)}
<p>The model search, against an exhaustive grid over the same spaces:</p>
{_pairs(search)}"""


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
    return _pairs({name: "not measurable yet" if v is None else v for name, v in rows.items()})


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
<p>Test {metric} {_number(verdict.score)} with {_number(verdict.model)}, against done.yaml's
target {_number(verdict.target)} and floor {_number(verdict.floor)}; tuning spent
{search.cpu_seconds:.2f} of its {_number(search.budget_cpu_seconds)} CPU s budget.</p>
<ul>{actions}</ul>
<h2>Forecast: would more rows reach the target?</h2>
{_forecast(search.forecast, verdict.target)}
<h2>Cost receipt</h2>
{_receipt(cost.model_dump())}
<h2>Test metrics</h2>
{_pairs(test)}
<p>{_number(metrics.rows)} held-out rows; cross-validated {metric}:
{_number(metrics.cv)}</p>
<h2>Leaderboard (each rung at the last round of the race it ran)</h2>
{_compact(board, COLUMNS, "Every leaderboard column")}
<h2>Tuning</h2>
{_compact(tuning, TUNED, "Every tuning column")}
"""
    if labeling is not None:
        top += f"<h2>Labeling</h2>\n{_labeling(labeling)}\n"
    bottom = f"""
<h2>Parameters</h2>
{_pairs(_settings(search, params))}
<details><summary>Every parameter (params.yaml)</summary>
<pre>{escape(dumped, quote=False)}</pre></details>
<h2>Provenance</h2>
{_pairs(run)}
<h3>Versions</h3>
{_pairs(versions)}
<h3>Data digests (md5)</h3>
{_pairs(metadata.get("data") or {})}
"""
    body = _unlinked(top + "<h2>Plots</h2>\n") + _plots(images) + _unlinked(bottom)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_unlinked(heading)}</title>\n<style>{STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )
