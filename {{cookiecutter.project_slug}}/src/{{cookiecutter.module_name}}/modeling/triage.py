"""How each column of a raw table is read before the features see it: `TriageColumns`.

Real tables hold columns the demo does not. When the features are fitted, `TriageColumns`
looks at each non-numeric column, drops ids and free text, turns dates into numbers and says
so, so that `predict` on raw input does the same. Infinities are read as missing at fit and
predict alike.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

log = logging.getLogger(__name__)

ID_LIKE = 0.95  # distinct values in this share of a column's rows (or more): an id or free text
DATE_LIKE = 0.9  # a string column is dates when this share of its non-blank values parse
GUESSES = 5  # distinct values whose date format is guessed, month first and day first
# Each candidate and each fold refits the features: say each finding once per process.
_SAID: set[tuple[str, str]] = set()


def _say(level: int, key: tuple[str, str], message: str, *args: Any) -> None:
    if key not in _SAID:
        _SAID.add(key)
        log.log(level, message, *args)


def _text(values: pd.Series) -> pd.Series:
    """The non-blank values of a column, as stripped strings."""
    text = values.dropna().astype(str).str.strip()
    return text[text != ""]


def date_format(values: pd.Series) -> str | None:
    """The date format that most of the column's non-blank values parse with, if any."""
    text = _text(values)
    if text.empty:
        return None
    firsts = text.drop_duplicates().iloc[:GUESSES]
    with warnings.catch_warnings():  # "dayfirst=True was specified" for ISO dates: we ask both
        warnings.simplefilter("ignore", UserWarning)
        guesses = [guess_datetime_format(v, dayfirst=d) for v in firsts for d in (False, True)]
    best, share = None, 0.0
    for fmt in dict.fromkeys(g for g in guesses if g):
        parsed = pd.to_datetime(text, format=fmt, errors="coerce").notna().mean()
        if parsed > share:
            best, share = fmt, parsed
    return best if share >= DATE_LIKE else None


def to_dates(values: pd.Series, fmt: str | None) -> pd.Series:
    """The column as datetimes; a value that does not parse becomes missing (NaT)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    if fmt is None:  # fitted on a datetime column, given text (a CSV): ISO is what pandas writes
        return pd.to_datetime(values, errors="coerce", format="ISO8601")
    return pd.to_datetime(values.astype("string").str.strip(), errors="coerce", format=fmt)


PARTS = {
    "year": lambda d: d.dt.year,
    "month": lambda d: d.dt.month,
    "day": lambda d: d.dt.day,
    "weekday": lambda d: d.dt.day_of_week,
    "hour": lambda d: d.dt.hour,
}


class TriageColumns(TransformerMixin, BaseEstimator):
    """Decide, at fit time, what each non-numeric column of a raw frame is.

    An id or free text (a distinct value in almost every row, more than `max_categories` of
    them) is dropped; a date (text that parses as dates, or a datetime column) becomes its
    year, month, day, weekday and, when times vary, hour; a category with more than
    `max_categories` values is kept, and the encoder after this step caps it. Each finding is
    logged. Every other column passes through as it is.
    """

    def __init__(self, max_categories: int = 20) -> None:
        self.max_categories = max_categories

    def fit(self, X: pd.DataFrame, y: object = None) -> TriageColumns:
        X = X if isinstance(X, pd.DataFrame) else pd.DataFrame(X)
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = X.shape[1]
        self.dropped_: list[Any] = []
        self.dates_: dict[Any, dict[str, Any]] = {}
        self.capped_: dict[Any, int] = {}
        for column, infinite in _infinities(X).items():
            _say(
                logging.WARNING,
                ("inf", str(column)),
                "column %r holds %d infinite value(s) (inf, -inf): read as missing",
                column,
                infinite,
            )
        for column, dtype in X.dtypes.items():
            if pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
                continue  # numbers pass as they are: only a column's dtype is looked at
            values = X[column]
            if pd.api.types.is_datetime64_any_dtype(values):
                self._fit_dates(column, values, None)
                continue
            fmt = None
            if not isinstance(values.dtype, pd.CategoricalDtype):
                fmt = date_format(values)
            if fmt is not None:
                self._fit_dates(column, values, fmt)
                continue
            distinct, rows = values.nunique(dropna=True), int(values.notna().sum())
            if distinct <= self.max_categories:
                continue
            if distinct >= ID_LIKE * rows:
                self.dropped_.append(column)
                _say(
                    logging.WARNING,
                    ("id", str(column)),
                    "column %r has a distinct value in almost every row (%d in %d): dropped "
                    "as an id or free text; list it under data.drop to say so",
                    column,
                    distinct,
                    rows,
                )
            else:
                self.capped_[column] = int(distinct)
                _say(
                    logging.INFO,
                    ("capped", str(column)),
                    "column %r has %d distinct values: encoded as its %d most frequent and "
                    "'infrequent'; list it under data.drop if it is an id or free text",
                    column,
                    distinct,
                    self.max_categories - 1,
                )
        return self

    def _fit_dates(self, column: Any, values: pd.Series, fmt: str | None) -> None:
        dates = to_dates(values, fmt)
        parts = [p for p in PARTS if p != "hour" or dates.dt.hour.nunique() > 1]
        self.dates_[column] = {"format": fmt, "parts": parts}
        unparsed = int(dates.loc[_text(values).index].isna().sum())  # blanks are missing
        _say(
            logging.INFO,
            ("dates", str(column)),
            "column %r holds dates%s: encoded as its %s%s",
            column,
            f" ({fmt})" if fmt else "",
            ", ".join(parts),
            f"; {unparsed} value(s) that do not parse become missing" if unparsed else "",
        )

    def _names(self) -> list[Any]:
        names: list[Any] = []
        for column in self.feature_names_in_:
            if column in self.dates_:
                names += [f"{column}_{part}" for part in self.dates_[column]["parts"]]
            elif column not in self.dropped_:
                names.append(column)
        return names

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        check_is_fitted(self)
        X = _finite(X if isinstance(X, pd.DataFrame) else pd.DataFrame(X))
        if not self.dropped_ and not self.dates_:
            return X
        columns: dict[Any, pd.Series] = {}
        for column in X.columns:
            if column in self.dates_:
                dates = to_dates(X[column], self.dates_[column]["format"])
                for part in self.dates_[column]["parts"]:
                    columns[f"{column}_{part}"] = PARTS[part](dates).astype("float64")
            elif column not in self.dropped_:
                columns[column] = X[column]
        return pd.DataFrame(columns, index=X.index)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        check_is_fitted(self)
        return np.asarray(self._names(), dtype=object)


def _infinities(X: pd.DataFrame) -> pd.Series:
    """How many inf and -inf each float column holds, for the columns that hold any. Looked
    for in one block of the float columns: every fit and transform pays it."""
    floats = X.select_dtypes(include="floating")
    if not floats.shape[1]:
        return pd.Series(dtype="int64")
    counts = np.isinf(floats.to_numpy(dtype="float64", na_value=np.nan)).sum(axis=0)
    return pd.Series(counts, index=floats.columns)[counts > 0]


def _finite(X: pd.DataFrame) -> pd.DataFrame:
    """`X` with inf and -inf read as missing, so that the imputer fills them like a blank
    (scikit-learn's estimators refuse infinities), at fit and at predict alike."""
    infinite = _infinities(X)
    if infinite.empty:
        return X
    numbers = list(dict.fromkeys(infinite.index))
    X = X.copy()
    X[numbers] = X[numbers].replace([np.inf, -np.inf], np.nan)
    return X
