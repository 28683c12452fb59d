"""The report's HTML pieces: tables, numbers and images that link to, and load, nothing.

The page (`page.py`) is built of these: a value becomes text, a dict a two-column table, a
wide frame its headline columns with the rest behind a toggle, a PNG a data: URI; any text
that would spell "http" gets an entity for its "h", so the page provably fetches nothing.
"""

from __future__ import annotations

import base64
import math
import re
from html import escape
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import pandas as pd

# The page must never spell "http" in any case: proof that it links to, and loads, nothing.
LINKLIKE = re.compile(r"(h)(?=ttp)", re.IGNORECASE)

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


def number(value: Any) -> str:
    """Fractions to four significant digits (the files keep them all); the rest as text."""
    if isinstance(value, Real) and not isinstance(value, Integral):
        return "" if math.isnan(value) else f"{value:.4g}"
    return escape("" if value is None else str(value))


def unlinked(markup: str) -> str:
    """Text spelling "http" gets an entity for its "h": it reads the same, and links nowhere."""
    return LINKLIKE.sub(lambda match: f"&#{ord(match[1])};", markup)


def pairs(rows: dict[str, Any]) -> str:
    """A two-column table of names and values."""
    cells = [
        f"<tr><th>{escape(str(k), quote=False)}</th><td>{number(v)}</td></tr>"
        for k, v in rows.items()
    ]
    return f"<table>{''.join(cells)}</table>"


def html_table(frame: pd.DataFrame) -> str:
    """A frame as an HTML table: escaped, without its index, fractions as `number` writes them."""
    return frame.to_html(index=False, escape=True, na_rep="", border=0, float_format=number)


def headline(frame: pd.DataFrame, shown: list[str]) -> pd.DataFrame:
    """`shown` columns for reading: score ± SE to four digits, CPU seconds to two."""
    cells = {}
    for column in (c for c in shown if c in frame):
        values = frame[column]
        if column == "score" and "score_se" in frame:
            scored = zip(values, frame["score_se"], strict=True)
            cells["score ± SE"] = ["" if pd.isna(s) else f"{s:.4g} ± {e:.4g}" for s, e in scored]
        elif column == "cpu_seconds":
            cells["CPU s"] = ["" if pd.isna(v) else f"{v:.2f}" for v in values]
        elif column != "score_se":
            cells[column] = (
                values.map({True: "yes", False: "no"}) if values.dtype == bool else values
            )
    return pd.DataFrame(cells)


def compact(frame: pd.DataFrame, shown: list[str], rest: str) -> str:
    """The headline columns in the open, every other column (by model) behind a toggle."""
    hidden = frame[["model", *(c for c in frame if c not in shown)]]
    return (
        f"{html_table(headline(frame, shown))}\n<details><summary>{escape(rest)}</summary>\n"
        f"{html_table(hidden)}</details>"
    )


def image(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    # Base64 can spell it by chance; URL parsers drop newlines, so the image is unchanged.
    data = LINKLIKE.sub(lambda match: match[1] + "\n", data)
    stem = unlinked(escape(path.stem))
    return (
        f'<figure><img src="data:image/png;base64,{data}" alt="{stem}">'
        f"<figcaption>{stem}</figcaption></figure>"
    )
