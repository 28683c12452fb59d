"""What an answer is in a regression project: a number within the schema's range.

Every labeling step that depends on the kind of answer (the schema check, the prompt, reading
a number or an export, consolidating votes, the queue's order) asks this module; the
classification project has its own, so the rest of `labeling/` serves both.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    import numpy as np

    from .schema import Schema

NUMERIC = True  # labels are numbers: agreement uses the interval metric and the gold MAE
# Label Studio result types that answer "what number?".
RESULT_TYPES = ("number", "rating", "choices")
SPREAD = 0.1  # votes further apart than this share of the range need a human decision


def check(schema: Schema) -> None:
    """The schema gives a range [low, high] with low < high, and no label list."""
    if schema.range is None or schema.range[0] >= schema.range[1]:
        raise ValueError("range: regression needs [low, high] with low < high")
    if schema.labels is not None:
        raise ValueError("labels: only for classification; regression uses range")


def keys(schema: Schema) -> str:
    """What the prompt offers."""
    low, high = schema.range or (0, 0)
    return f"a number from {low:g} to {high:g}"


def legend(schema: Schema) -> list[tuple[str, str]]:
    """No keys to explain: the prompt names the range."""
    return []


def problem(text: str, schema: Schema) -> str:
    """Why a typed line is no label, for the annotator: a typo or a number out of range."""
    if not math.isfinite(number(text)):
        return f"'{text}' is not a number"
    low, high = schema.range or (0, 0)
    return f"{text} is outside {low:g} to {high:g}, the range in labeling/schema.yaml"


def unsure(score: float, schema: Schema) -> str:
    """Regressors give no uncertainty yet (see `uncertainty`), so there is no figure to show."""
    return "model unsure"


def number(raw: Any) -> float:
    """The number `raw` reads as; NaN when it is none."""
    try:
        return float(raw)
    except (TypeError, ValueError):
        return math.nan


def allowed(schema: Schema) -> str:
    """The allowed labels, for error messages."""
    return "a number from {} to {}".format(*(schema.range or ()))


def schema_label(raw: Any, schema: Schema) -> Any:
    """The number, when it is one and within the range; else None."""
    value = number(raw)
    low, high = schema.range or (-math.inf, math.inf)
    return value if math.isfinite(value) and low <= value <= high else None


def parse_label(text: str, schema: Schema) -> Any:
    """The number typed, when it is within the range; None otherwise."""
    return schema_label(text, schema)


def decide(votes: list[Any], schema: Schema) -> tuple[Any, str | None]:
    """The median vote; votes spread over more than a tenth of the range need a decision."""
    if not votes:
        return None, None
    low, high = schema.range or (0.0, 1.0)
    spread = max(votes) - min(votes)
    problem = "spread" if spread > SPREAD * (high - low) else None
    return float(pd.Series(votes).median()), problem


def needs_cold_start(schema: Schema, class_counts: dict[Any, int]) -> bool:
    """Regression has no classes to fill first."""
    return False


def uncertainty(model: Any, rows: pd.DataFrame) -> np.ndarray | None:
    """No uncertainty for regressors yet: the queue stays in seeded random order."""
    return None


def propose(y: pd.Series) -> dict[str, Any]:
    """schema.yaml's answers for a target: a number within the range the data spans."""
    return {"labels": None, "range": [float(y.min()), float(y.max())]}
