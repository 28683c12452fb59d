"""The sample stage: a small, seeded (stratified) sample of the training split.

The whole ladder is compared on this sample, so the first answer arrives in seconds; only the
families that survive get the full training data in `tune`. Full and sampled data are both
DVC outputs and go through the same code.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split

from .config import TASK, SampleParams, ThriftyError, load_params
from .files import read_table, write_table
from .paths import Paths

log = logging.getLogger(__name__)


def draw_sample(train: pd.DataFrame, target: str, params: SampleParams) -> pd.DataFrame:
    """Return at most `params.max_rows` rows, keeping class proportions for classification."""
    if len(train) <= params.max_rows:
        return train.reset_index(drop=True)
    stratify = train[target] if TASK == "classification" else None
    if stratify is not None and stratify.value_counts().min() < 2:
        stratify = None  # a class too rare to stratify on; a plain seeded draw still works
    try:
        sample, _ = train_test_split(
            train, train_size=params.max_rows, random_state=params.seed, stratify=stratify
        )
    except ValueError as error:
        raise ThriftyError(f"sample.max_rows={params.max_rows}: {error}") from None
    return sample.reset_index(drop=True)


def main(root: Path) -> None:
    params = load_params(root)
    paths = Paths(root, params)
    sample = draw_sample(
        read_table(paths.train, "data/prepared/train"), params.data.target, params.sample
    )
    write_table(sample, paths.sample)
    log.info("sampled %d training rows", len(sample))
