"""The run in Markdown, for a CI job's summary page or a pull request: verdict, actions, ladder.

`done --summary` prints it from the reports the last `dvc repro` wrote (reports/done.json and
reports/leaderboard.csv); it computes nothing, so it can run after a failed step and say what
is missing.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ..core.paths import Paths
from ..core.records import Verdict, read_record

COLUMNS = ["model", "score", "score_se", "rows", "cpu_seconds", "kept", "why"]


def _cell(value: object) -> str:
    """One table cell: fractions to four significant digits, `|` and line breaks escaped."""
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.4g}"
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def table(frame: pd.DataFrame) -> list[str]:
    """A Markdown table of `frame`, one line a row."""
    lines = ["| " + " | ".join(map(_cell, frame.columns)) + " |"]
    lines.append("|" + "---|" * len(frame.columns))
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(value) for value in row) + " |")
    return lines


def summary(root: Path) -> str:
    """The verdict, its next actions and the leaderboard as Markdown; says what is missing."""
    paths = Paths(root)
    lines = []
    if paths.done.is_file():
        verdict = read_record(paths.done, Verdict)
        lines += [
            f"## Verdict: {verdict.verdict}",
            "",
            f"Test {verdict.metric} {_cell(verdict.score)} (target {_cell(verdict.target)}, "
            f"floor {_cell(verdict.floor)}), model `{verdict.model}`.",
            "",
            *(f"- {action}" for action in verdict.actions),
        ]
    else:
        missing = paths.done.relative_to(root)
        lines.append(f"## No verdict: {missing} is missing (the pipeline did not finish)")
    lines.append("")
    if paths.leaderboard.is_file():
        board = pd.read_csv(paths.leaderboard)
        lines += ["## Leaderboard", "", *table(board[[c for c in COLUMNS if c in board]])]
    else:
        lines.append(f"No leaderboard: {paths.leaderboard.relative_to(root)} is missing.")
    return "\n".join(lines) + "\n"


def print_summary(root: Path) -> int:
    """`done --summary`: the last run's verdict and leaderboard as Markdown, on stdout."""
    print(summary(root), end="")
    return 0
