"""What an answer is in a classification project: one of the schema's labels, typed as its key.

Every labeling step that depends on the kind of answer (the schema check, the prompt, reading
a key or an export, consolidating votes, the queue's order) asks this module; the regression
project has its own, so the rest of `labeling/` serves both.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from .schema import Schema

NUMERIC = False  # labels are names: agreement uses the nominal metric and Cohen's kappa
# Label Studio result types that answer "which label?".
RESULT_TYPES = ("choices",)


def check(schema: Schema) -> None:
    """The schema lists at least two labels, with distinct keys and values, and no range."""
    if not schema.labels or len(schema.labels) < 2:
        raise ValueError("labels: classification needs a list of at least two choices")
    for field in ("key", "value"):
        seen = [getattr(choice, field) for choice in schema.labels]
        twice = sorted({str(item) for item in seen if seen.count(item) > 1})
        if twice:
            raise ValueError(f"labels: {field}(s) {', '.join(twice)} appear twice")
    if schema.range is not None:
        raise ValueError("range: only for regression; classification uses labels")


def keys(schema: Schema) -> str:
    """What the prompt offers: the keys; the legend under each item says what they mean."""
    return "/".join(choice.key for choice in schema.labels or [])


def legend(schema: Schema) -> list[tuple[str, str]]:
    """Each key with its label and one-line description, shown with every item."""
    return [
        (f"{c.key} {c.value}", "" if c.description == str(c.value) else c.description)
        for c in schema.labels or []
    ]


def problem(text: str, schema: Schema) -> str:
    """Why a typed line is no label, for the annotator."""
    return f"'{text}' is not an answer here"


def unsure(score: float, schema: Schema) -> str:
    """The queue's margin in plain words: with two labels it gives both probabilities."""
    if score > 1:  # a decision value (a model without probabilities), not a difference of two
        return "model unsure: close to its decision boundary"
    if len(schema.labels or []) == 2:
        top = round(50 * (1 + score))  # margin = p1 - p2 and p1 + p2 = 1
        return f"model unsure: {top}% / {100 - top}%"
    # The queue keeps only the margin, not the two probabilities it is the difference of.
    return f"model unsure: its top two labels are {round(100 * score)} points apart"


def allowed(schema: Schema) -> str:
    """The allowed labels, for error messages."""
    return ", ".join(f"{c.value} ({c.description})" for c in schema.labels or [])


def parse_label(text: str, schema: Schema) -> Any:
    """The label a typed key stands for; None when no label has that key."""
    choice = schema.choice(text)
    return choice.value if choice else None


def schema_label(raw: Any, schema: Schema) -> Any:
    """The schema's label for an exported one, or None when it allows no such label."""
    text = str(raw).strip()
    exact = [c.value for c in schema.labels or [] if str(c.value) == text]
    # Tools often show "Billing" for the value billing: ignoring case is safe when it is
    # unambiguous, like matching the description.
    loose = [
        c.value
        for c in schema.labels or []
        if text.casefold() in (str(c.value).casefold(), c.description.casefold())
    ]
    return exact[0] if exact else loose[0] if len(loose) == 1 else None


def decide(votes: list[Any], schema: Schema) -> tuple[Any, str | None]:
    """The majority label; a tie has no label and needs a human decision."""
    if not votes:
        return None, None
    ranked = Counter(map(str, votes)).most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None, "tie"
    return next(vote for vote in votes if str(vote) == ranked[0][0]), None


def needs_cold_start(schema: Schema, class_counts: dict[Any, int]) -> bool:
    """Random order until every label has `cold_start_per_class` training rows."""
    return any(
        class_counts.get(choice.value, 0) < schema.cold_start_per_class
        for choice in schema.labels or []
    )


def uncertainty(model: Any, rows: pd.DataFrame) -> np.ndarray:
    """How sure the model is of each row: top-1 minus top-2 probability (or decision value)."""
    if hasattr(model, "predict_proba"):
        scores = np.asarray(model.predict_proba(rows))
    else:
        scores = np.asarray(model.decision_function(rows))
        if scores.ndim == 1:
            return np.abs(scores)
    top = np.sort(scores, axis=1)
    return top[:, -1] - top[:, -2]


def propose(y: pd.Series) -> dict[str, Any]:
    """schema.yaml's answers for a target: one label per class, keyed 1, 2, 3, …"""
    classes = sorted(y.dropna().unique().tolist(), key=str)
    choices = [
        {"key": str(number), "value": value, "description": str(value)}
        for number, value in enumerate(classes, start=1)
    ]
    return {"labels": choices, "range": None}
