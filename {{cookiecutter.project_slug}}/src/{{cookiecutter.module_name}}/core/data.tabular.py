"""What tabular data means here: its settings, and which columns of the raw file are used.

The text project has its own version of this module; everything else reads the data through
these names, so no other module needs to know which kind of data it serves.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
from pydantic import Field

from .settings import Section, ThriftyError


class DataParams(Section):
    raw: Path = Field(description="raw CSV or Parquet file, relative to the project root")
    target: str = Field(min_length=1, description="the label column")
    drop: list[str] = Field(default_factory=list, description="columns never used as features")


class DemoParams(Section):
    """The tabular demo is scikit-learn's bundled data as it ships: nothing to set."""


class FeaturesParams(Section):
    max_categories: int = Field(default=20, ge=2, description="one-hot at most this many levels")


def read_options(data: DataParams) -> dict[str, str]:
    """How the raw file is read, whole or in chunks (`tables.stream`): as it is."""
    return {}


def needed_columns(data: DataParams) -> list[str]:
    """Columns the raw file must have."""
    return [data.target]


def usable(frame: pd.DataFrame, data: DataParams, tally: Counter) -> pd.DataFrame:
    """Every column but those in data.drop: categories and numbers are encoded per model."""
    return frame.drop(columns=[column for column in data.drop if column in frame.columns])


def report_cleaning(tally: Counter, data: DataParams) -> None:
    """Tabular rows are used as they are: nothing was cleaned, nothing to report."""


def clean_rows(frame: pd.DataFrame, data: DataParams) -> pd.DataFrame:
    """Labelled pool rows join the training data as they are."""
    return frame


SHOWN = 12  # columns the labeler shows at most, name: value


def data_section(raw: str, target: str, text: list[str], drop: list[str]) -> dict[str, object]:
    """params.yaml's `data` for `use-data`: every column but the target and --drop is used."""
    if text:
        raise ThriftyError("--text: this is a tabular project; every column but --drop is used")
    return {"raw": raw, "target": target, "drop": drop}


def shown_columns(frame: pd.DataFrame, data: DataParams) -> list[str]:
    """The columns the labeler shows: the first features, at most SHOWN of them."""
    used = [str(c) for c in frame.columns if c != data.target and c not in set(data.drop)]
    return used[:SHOWN]
