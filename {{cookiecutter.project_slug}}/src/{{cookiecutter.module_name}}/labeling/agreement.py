"""How far annotators agree, how often they match gold items, and how fast they label.

Written by hand on numpy: the common `krippendorff` package is GPL, and scikit-learn has Cohen's
kappa but no alpha. Alpha follows the coincidence-matrix definition in Krippendorff (2011),
"Computing Krippendorff's Alpha-Reliability", so the tests can check it against that paper.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

METRICS = ("nominal", "interval")


def cohen_kappa(first: Sequence[Any], second: Sequence[Any]) -> float:
    """Cohen's kappa of two annotators' labels on the same items, as scikit-learn computes it.

    NaN when chance agreement is already perfect (both used one and the same label), which is
    what `sklearn.metrics.cohen_kappa_score` returns too, without its warning.
    """
    if len(first) != len(second):
        raise ValueError(f"cohen_kappa: {len(first)} labels against {len(second)}")
    if not len(first):
        raise ValueError("cohen_kappa: no labels to compare")
    codes, _ = pd.factorize(pd.Series([*first, *second], dtype=object))
    size = codes.max() + 1
    confusion = np.zeros((size, size))
    np.add.at(confusion, (codes[: len(first)], codes[len(first) :]), 1)
    expected = np.outer(confusion.sum(axis=0), confusion.sum(axis=1)) / confusion.sum()
    disagree = 1 - np.eye(size)
    chance = (disagree * expected).sum()
    if chance == 0:
        return math.nan
    return float(1 - (disagree * confusion).sum() / chance)


def coincidences(units: Iterable[Iterable[Any]]) -> tuple[np.ndarray, np.ndarray]:
    """The coincidence matrix of the pairable units, and the value of each of its rows.

    Each unit with m >= 2 values adds every ordered pair of its values with weight 1/(m - 1),
    so each value counts once however many annotators saw the unit.
    """
    kept = [[value for value in unit if not pd.isna(value)] for unit in units]
    kept = [unit for unit in kept if len(unit) >= 2]
    if not kept:
        return np.zeros((0, 0)), np.array([])
    codes, values = pd.factorize(pd.Series([v for unit in kept for v in unit], dtype=object))
    rows = np.repeat(np.arange(len(kept)), [len(unit) for unit in kept])
    counts = np.zeros((len(kept), len(values)))
    np.add.at(counts, (rows, codes), 1)
    weight = 1 / (counts.sum(axis=1, keepdims=True) - 1)
    matrix = (counts * weight).T @ counts - np.diag((counts * weight).sum(axis=0))
    return matrix, np.asarray(values)


def krippendorff_alpha(units: Iterable[Iterable[Any]], metric: str = "nominal") -> float | None:
    """Krippendorff's alpha, 1 - observed / expected disagreement, for any number of annotators.

    Args:
        units: the values given to each item, missing ones simply absent; items with fewer
            than two values cannot be paired and are left out.
        metric: "nominal" (labels differ or not) or "interval" (squared difference).

    Returns:
        alpha, or None when nothing is pairable or every pairable value is the same.
    """
    if metric not in METRICS:
        raise ValueError(f"metric {metric!r} is not one of {', '.join(METRICS)}")
    matrix, values = coincidences(units)
    totals = matrix.sum(axis=1)
    n = totals.sum()
    if n < 2:
        return None
    if metric == "nominal":
        distance = 1 - np.eye(len(values))
    else:
        numbers = values.astype(float)
        distance = np.subtract.outer(numbers, numbers) ** 2
    expected = (np.outer(totals, totals) * distance).sum() / (n - 1)
    if expected == 0:
        return None
    return float(1 - (matrix * distance).sum() / expected)


def _number(value: Any) -> float | None:
    """A metric fit for JSON: rounded to 4 places, None for a missing or undefined value."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), 4)


def _per_hour(frame: pd.DataFrame) -> float | None:
    """Answers per hour of labeling time; answers without a recorded time are left out."""
    timed = frame["seconds"].dropna()
    total = timed.sum()
    return _number(len(timed) / total * 3600) if total > 0 else None


def _gold_score(frame: pd.DataFrame, numeric: bool) -> float | None:
    """Mean absolute error (numeric) or share of exact matches; None without gold answers."""
    if frame.empty:
        return None
    if numeric:
        return _number((frame["label"].astype(float) - frame["gold"].astype(float)).abs().mean())
    # Compared as text: the schema may say 1 where a pool column read from CSV says "1".
    return _number((frame["label"].astype(str) == frame["gold"].astype(str)).mean())


def agreement(answers: pd.DataFrame, gold: Mapping[str, Any], numeric: bool) -> dict[str, Any]:
    """Agreement, gold and speed metrics of the standing answers, ready for `dvc metrics show`.

    Args:
        answers: one row per standing label answer: item, annotator, label, seconds.
        gold: the known label of each gold item.
        numeric: labels are numbers (regression): alpha uses the interval metric, Cohen's kappa
            is not reported, and gold answers are scored by mean absolute error (`gold_mae`)
            rather than by exact match (`gold_accuracy`), which would punish 3.0 against 3.1.
    """
    answers = answers.assign(item=answers["item"].astype(str))
    per_item = answers.groupby("item")["annotator"].nunique()
    overlap = answers[answers["item"].isin(per_item.index[per_item >= 2])]
    kappa = None
    pair = sorted(overlap["annotator"].unique())
    if not numeric and len(pair) == 2:
        wide = overlap.pivot_table("label", "item", "annotator", aggfunc="last").dropna()
        kappa = _number(cohen_kappa(list(wide[pair[0]]), list(wide[pair[1]])))
    units = answers.groupby("item")["label"].apply(list)
    alpha = krippendorff_alpha(units, "interval" if numeric else "nominal")

    gold = {str(item): label for item, label in gold.items()}
    graded = answers[answers["item"].isin(list(gold))]
    graded = graded.assign(gold=graded["item"].map(gold))
    annotators = sorted(answers["annotator"].unique())
    name = "gold_mae" if numeric else "gold_accuracy"
    return {
        "annotators": len(annotators),
        "items": int(answers["item"].nunique()),
        "overlap_items": int((per_item >= 2).sum()),
        "cohen_kappa": kappa,
        "krippendorff_alpha": _number(alpha),
        name: _gold_score(graded, numeric),
        f"{name}_by_annotator": {
            who: _gold_score(graded[graded["annotator"] == who], numeric) for who in annotators
        },
        "labels_per_hour": _per_hour(answers),
        "labels_per_hour_by_annotator": {
            who: _per_hour(answers[answers["annotator"] == who]) for who in annotators
        },
    }
