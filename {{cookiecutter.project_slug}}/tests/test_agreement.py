"""Agreement figures: kappa against scikit-learn, alpha against Krippendorff's worked examples."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from {{ cookiecutter.module_name }}.labeling.agreement import (
    agreement,
    cohen_kappa,
    coincidences,
    krippendorff_alpha,
)

# Worked examples of Krippendorff, K. (2011). "Computing Krippendorff's Alpha-Reliability",
# Annenberg School for Communication, University of Pennsylvania (repository.upenn.edu/
# asc_papers/43). The figures below are the paper's as quoted, with its data, by several
# independent implementations' test suites; the binary one is also re-derived by hand below.
# Binary data, two observers, ten units: alpha = 0.095.
BINARY_A = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
BINARY_B = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
# Four observers (rows) by twelve units (columns), None where an observer gave no value:
# nominal alpha = 0.743; the same data as interval values: alpha = 0.849.
OBSERVERS = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
UNITS = [[row[u] for row in OBSERVERS if row[u] is not None] for u in range(12)]


def sklearn_kappa(first: list, second: list) -> float:
    with warnings.catch_warnings():  # it warns where kappa is undefined; we compare the NaN
        warnings.simplefilter("ignore")
        return cohen_kappa_score(first, second)


@pytest.mark.parametrize("seed", range(20))
def test_kappa_equals_sklearn_on_random_labels(seed: int) -> None:
    rng = np.random.default_rng(seed)
    size, classes = rng.integers(1, 40), rng.integers(1, 5)
    first = list(rng.choice(["billing", "outage", "refund", "other"][:classes], size=size))
    second = [label if rng.random() < 0.6 else rng.choice(first) for label in first]
    expected = sklearn_kappa(first, second)
    assert cohen_kappa(first, second) == pytest.approx(expected, abs=1e-12, nan_ok=True)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (["a", "b", "a", "b"], ["a", "b", "a", "b"]),  # perfect agreement: 1
        (["a", "b", "a", "b"], ["b", "a", "b", "a"]),  # perfect disagreement: -1
        (["a", "a", "b"], ["a", "a", "a"]),  # one annotator uses a single label: 0
        ([1, 2, 3, 1], [1, 2, 2, 1]),  # integer labels
        (["a"], ["b"]),  # one item each, different labels: 0
    ],
)
def test_kappa_edge_cases_equal_sklearn(first: list, second: list) -> None:
    assert cohen_kappa(first, second) == pytest.approx(sklearn_kappa(first, second), abs=1e-12)


def test_kappa_is_nan_like_sklearn_when_only_one_label_is_used() -> None:
    """Perfect agreement on a single shared label: chance agreement is 1, kappa is 0/0."""
    assert math.isnan(cohen_kappa(["a", "a", "a"], ["a", "a", "a"]))
    assert math.isnan(sklearn_kappa(["a", "a", "a"], ["a", "a", "a"]))


def test_kappa_rejects_unequal_or_empty_inputs() -> None:
    with pytest.raises(ValueError, match="3 labels against 2"):
        cohen_kappa(["a", "b", "a"], ["a", "b"])
    with pytest.raises(ValueError, match="no labels"):
        cohen_kappa([], [])


def test_alpha_binary_two_observers_published_example() -> None:
    # By the paper's binary formula: 1 - (n - 1) * o01 / (n0 * n1) = 1 - 19 * 4 / (14 * 6).
    alpha = krippendorff_alpha(zip(BINARY_A, BINARY_B, strict=True))
    assert alpha == pytest.approx(1 - 19 * 4 / (14 * 6))
    assert round(alpha, 3) == 0.095


def test_alpha_nominal_four_observers_with_missing_data_published_example() -> None:
    assert round(krippendorff_alpha(UNITS, "nominal"), 3) == 0.743


def test_alpha_interval_four_observers_published_example() -> None:
    assert round(krippendorff_alpha(UNITS, "interval"), 3) == 0.849


def test_coincidences_count_each_pairable_value_once() -> None:
    """Unit 12 holds one value and cannot be paired: 40 pairable values remain."""
    matrix, values = coincidences(UNITS)
    assert list(values) == [1, 2, 3, 4, 5]
    # How often each value occurs in units 1-11, counted by hand from the table above.
    assert matrix.sum(axis=1) == pytest.approx([9, 13, 10, 5, 3])
    assert matrix == pytest.approx(matrix.T)
    assert krippendorff_alpha(UNITS[:11]) == krippendorff_alpha(UNITS)


def test_alpha_is_one_on_perfect_agreement_and_ignores_missing_values() -> None:
    assert krippendorff_alpha([["a", "a"], ["b", "b", None], ["c"]]) == pytest.approx(1.0)
    assert krippendorff_alpha([[1.0, 1.0], [4.0, 4.0]], "interval") == pytest.approx(1.0)


@pytest.mark.parametrize(
    "units",
    [
        [],  # nothing at all
        [["a"], ["b"]],  # no item has two values
        [["a", "a"], ["a", "a", "a"]],  # one value everywhere: expected disagreement is 0
    ],
)
def test_alpha_is_none_when_not_computable(units: list) -> None:
    assert krippendorff_alpha(units) is None


def test_alpha_rejects_unknown_metric() -> None:
    with pytest.raises(ValueError, match="'ordinal' is not one of nominal, interval"):
        krippendorff_alpha(UNITS, "ordinal")


def frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["item", "annotator", "label", "seconds"])


def test_agreement_on_two_annotators_with_gold() -> None:
    answers = frame(
        [
            ("1", "ana", "billing", 10.0),
            ("1", "ben", "billing", 20.0),
            ("2", "ana", "outage", 5.0),
            ("2", "ben", "billing", 5.0),
            ("3", "ana", "outage", 15.0),
            ("4", "ben", "outage", float("nan")),  # imported without a time
        ]
    )
    figures = agreement(answers, {"1": "billing", "3": "billing", "9": "outage"}, numeric=False)
    assert figures["annotators"] == 2
    assert figures["items"] == 4
    assert figures["overlap_items"] == 2
    expected = cohen_kappa_score(["billing", "outage"], ["billing", "billing"])
    assert figures["cohen_kappa"] == round(expected, 4)
    assert figures["krippendorff_alpha"] == round(
        krippendorff_alpha([["billing", "billing"], ["outage", "billing"]]), 4
    )
    # Gold items 1 and 3: ana right on 1, wrong on 3; ben right on 1.
    assert figures["gold_accuracy"] == round(2 / 3, 4)
    assert figures["gold_accuracy_by_annotator"] == {"ana": 0.5, "ben": 1.0}
    # Five timed answers in 55 seconds; ben's untimed answer counts in neither.
    assert figures["labels_per_hour"] == round(5 / 55 * 3600, 4)
    assert figures["labels_per_hour_by_annotator"] == {
        "ana": round(3 / 30 * 3600, 4),
        "ben": round(2 / 25 * 3600, 4),
    }
    json.dumps(figures, allow_nan=False)  # valid JSON for `dvc metrics show`


def test_agreement_reports_none_where_nothing_is_measurable() -> None:
    answers = frame([("1", "ana", "billing", 0.0), ("2", "ana", "billing", 0.0)])
    figures = agreement(answers, {}, numeric=False)
    assert figures["overlap_items"] == 0
    assert figures["cohen_kappa"] is None
    assert figures["krippendorff_alpha"] is None
    assert figures["gold_accuracy"] is None
    assert figures["gold_accuracy_by_annotator"] == {"ana": None}
    assert figures["labels_per_hour"] is None
    empty = agreement(frame([]), {}, numeric=False)
    assert empty["annotators"] == 0 and empty["labels_per_hour"] is None
    json.dumps(figures, allow_nan=False)


def test_agreement_kappa_undefined_on_a_single_shared_label_is_none() -> None:
    answers = frame([("1", "ana", "billing", 1.0), ("1", "ben", "billing", 1.0)])
    figures = agreement(answers, {}, numeric=False)
    assert figures["cohen_kappa"] is None
    assert figures["krippendorff_alpha"] is None


def test_agreement_kappa_only_for_exactly_two_overlapping_annotators() -> None:
    two = frame(
        [
            ("1", "ana", "billing", 1.0),
            ("1", "ben", "outage", 1.0),
            ("2", "ana", "outage", 1.0),
            ("2", "ben", "outage", 1.0),
            ("3", "cy", "billing", 1.0),  # cy shares no item: kappa still compares ana and ben
        ]
    )
    assert agreement(two, {}, numeric=False)["cohen_kappa"] is not None
    three = pd.concat([two, frame([("2", "cy", "outage", 1.0)])])
    figures = agreement(three, {}, numeric=False)
    assert figures["cohen_kappa"] is None
    assert figures["krippendorff_alpha"] is not None


def test_agreement_on_numeric_labels() -> None:
    answers = frame(
        [
            ("1", "ana", 4.0, 2.0),
            ("1", "ben", 5.0, 2.0),
            ("2", "ana", 1.0, 2.0),
            ("2", "ben", 1.5, 2.0),
        ]
    )
    figures = agreement(answers, {"1": 4.5}, numeric=True)
    assert figures["cohen_kappa"] is None
    assert figures["krippendorff_alpha"] == round(
        krippendorff_alpha([[4.0, 5.0], [1.0, 1.5]], "interval"), 4
    )
    assert figures["gold_mae"] == 0.5
    assert figures["gold_mae_by_annotator"] == {"ana": 0.5, "ben": 0.5}
    assert "gold_accuracy" not in figures
