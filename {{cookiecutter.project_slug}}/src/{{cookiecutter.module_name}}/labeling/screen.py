"""What the labeler draws: the item, why it is on screen, the counts and the answers' legend,
wrapped to the terminal's width. Plain text, one block per item, so it reads the same in any
terminal, over ssh and in a log."""

from __future__ import annotations

import shutil
import textwrap
from typing import Any

import pandas as pd

from . import answers
from .schema import Schema

PAST = {"label": "labelled", "skip": "skipped", "flag": "flagged"}
# Why an item is on screen, in the annotator's words; "uncertain" asks the model (answers.unsure).
REASONS = {
    "random": "picked at random",
    "cold_start": "picked at random while labels are few",
    "overlap": "a second opinion: another annotator labelled it",
    "gold": "a check item with a known answer",
    "test": "for the held-out test set",
    "undo": "back after undo",
}


def screen_width() -> int:
    """Columns to fill: the terminal's, short of its last (which makes some terminals wrap)."""
    return max(20, min(100, shutil.get_terminal_size((80, 24)).columns) - 2)


def fit(lines: list[str], width: int) -> str:
    """Lines wrapped to `width`, continuations indented."""
    wrapped = [
        textwrap.fill(line, width, subsequent_indent="    ", break_on_hyphens=False)
        for line in lines
    ]
    return "\n".join(wrapped)


def header(entry: dict[str, Any], left: int, tally: dict[str, int], schema: Schema) -> list[str]:
    """Which item, why it is here, and the counts: two short lines, so 80 columns hold them."""
    why, score = entry.get("why", "queue"), entry.get("score")
    if why == "uncertain" and score is not None:
        reason = answers.unsure(score, schema)
    else:
        reason = REASONS.get(why, why)
    done = ", ".join(f"{n} {PAST[action]}" for action, n in tally.items() if n)
    return [
        f"--- item {entry['item']} ({reason}) ---",
        f"{left} left in your queue | this session: {done or 'nothing yet'}",
    ]


def columns(rows: list[tuple[str, str]]) -> list[str]:
    """(answer, meaning) pairs as an aligned table."""
    wide = max(len(answer) for answer, _ in rows)
    return [f"  {answer:<{wide}}  {meaning}".rstrip() for answer, meaning in rows]


def cell(value: Any) -> str:
    """A value as the pool holds it: never rounded (1.0312 is not 1.031), blank as (blank)."""
    return "(blank)" if pd.api.types.is_scalar(value) and pd.isna(value) else str(value)


def render(row: pd.Series, schema: Schema, width: int) -> str:
    """The item as the annotator sees it: wrapped text, or an aligned column of values."""
    name = min(24, max(len(column) for column in schema.show))
    parts = []
    for column in schema.show:
        value = row[column]
        if isinstance(value, str) and len(schema.show) == 1:
            text = (
                value
                if len(value) <= schema.max_chars
                else (
                    value[: schema.max_chars]
                    + f" [... {len(value) - schema.max_chars} more characters]"
                )
            )
            parts.append(textwrap.fill(text, width=width) or "(empty)")
        else:
            line = f"  {column:>{name}}: {cell(value)}"
            parts.append(textwrap.fill(line, width, subsequent_indent=" " * (name + 4)))
    return "\n".join(parts)
