"""The report page: one self-contained HTML string with the verdict, the tables and the plots.

Everything is inline (CSS, images as data: URIs) and nothing is fetched, so the page can be
mailed, archived or opened offline and still shows exactly what the run produced.
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

# The page must never spell "http" in any case: proof that it links to, and loads, nothing.
LINKLIKE = re.compile(r"(h)(?=ttp)", re.IGNORECASE)

COLOURS = {"done": "#1a7f37", "keep_tuning": "#9a6700", "more_data": "#0969da", "fold": "#cf222e"}
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #1f2328 }
h2 { border-bottom: 1px solid #d0d7de; padding-bottom: 0.2em }
.verdict { color: white; padding: 0.5em 1em; border-radius: 0.4em; font-size: 2.2em }
table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em }
th, td { border: 1px solid #d0d7de; padding: 0.25em 0.6em; text-align: left }
th { background: #f6f8fa }
.wide { display: block; overflow-x: auto }
figure { display: inline-block; margin: 0.5em; text-align: center }
img { max-width: 100%; border: 1px solid #d0d7de }
pre { background: #f6f8fa; padding: 1em; overflow-x: auto }
"""


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
    cells = [f"<tr><th>{escape(str(k))}</th><td>{_number(v)}</td></tr>" for k, v in rows.items()]
    return f"<table>{''.join(cells)}</table>"


def _frame(frame: pd.DataFrame) -> str:
    return frame.to_html(
        index=False, escape=True, na_rep="", border=0, float_format=_number, classes="wide"
    )


def _image(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    # Base64 can spell it by chance; URL parsers drop newlines, so the image is unchanged.
    data = LINKLIKE.sub(lambda match: match[1] + "\n", data)
    stem = escape(path.stem)
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{stem}">'
        f"<figcaption>{stem}</figcaption></figure>"
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


def render_report(
    verdict: dict,
    cost: dict,
    board: pd.DataFrame,
    tuning: pd.DataFrame,
    metrics: dict,
    metadata: dict,
    images: list[Path],
) -> str:
    """The whole page, as one string."""
    name = str(verdict.get("verdict", "unknown"))
    actions = "".join(f"<li>{escape(str(action))}</li>" for action in verdict.get("actions", []))
    said = {key: _number(verdict.get(key)) for key in ("metric", "score", "model", "target")}
    git = metadata.get("git") or {}
    versions = {"python": metadata.get("python"), **(metadata.get("versions") or {})}
    metric = metrics.get("metric")
    test = metrics.get("test") or {}
    test = {f"{k} (done.yaml)" if k == metric else k: v for k, v in test.items()}
    run = {
        "created (UTC)": metadata.get("created_utc"),
        "git commit": git.get("commit"),
        "uncommitted changes": git.get("dirty"),
        "platform": metadata.get("platform"),
    }
    params = json.dumps(metadata.get("params", {}), indent=2, ensure_ascii=False, default=str)
    text = f"""
<h1>Thrifty report: {said["model"]}</h1>
<div class="verdict" style="background: {COLOURS.get(name, "#57606a")}">{escape(name)}</div>
<p>Test {said["metric"]} {said["score"]} (target {said["target"]}) with {said["model"]}.</p>
<ul>{actions}</ul>
<h2>Test metrics</h2>
{_pairs(test)}
<p>{_number(metrics.get("test_rows"))} held-out rows; cross-validated
{_number(metric)}: {_number(metrics.get("cv_score"))}</p>
<h2>Leaderboard (sampled rows)</h2>
{_frame(board)}
<h2>Tuning</h2>
{_frame(tuning)}
<h2>Cost receipt</h2>
{_receipt(cost)}
"""
    provenance = f"""
<h2>Provenance</h2>
{_pairs(run)}
<h3>Versions</h3>
{_pairs(versions)}
<h3>Data digests (md5)</h3>
{_pairs(metadata.get("data") or {})}
<h3>Parameters</h3>
<pre>{escape(params, quote=False)}</pre>
"""
    body = _unlinked(text + "<h2>Plots</h2>\n")
    body += "\n".join(_image(path) for path in images)
    body += _unlinked(provenance)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Report: {escape(name)}</title>\n<style>{STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )
