"""The prepare stage: read and validate the raw file, tidy it, split off a held-out test set.

The test set is split once, seeded, and never seen again until `evaluate`: it is the only
score in this project that no choice was tuned on.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split

from .core.config import DataParams, PrepareParams, load_params
from .core.console import run_stage
from .core.data import clean_rows, needed_columns, read_raw, usable
from .core.files import read_table, write_table
from .core.paths import Paths
from .core.records import SPLIT
from .core.settings import ThriftyError
from .core.task import check_target, stratify_on

log = logging.getLogger(__name__)


def tidy(frame: pd.DataFrame, data: DataParams) -> pd.DataFrame:
    """Keep the label and feature columns, drop rows without a label, check the label.

    Encoding of categories and imputation of missing features happen inside each model's
    pipeline, fitted on training folds only, so nothing leaks from test rows into training.
    """
    frame = frame.rename(columns=str)
    missing = [column for column in needed_columns(data) if column not in frame.columns]
    if missing:
        raise ThriftyError(
            f"data.target/data.text: column(s) {', '.join(missing)} not in the raw file; "
            f"available: {', '.join(frame.columns)}"
        )
    unknown = sorted(set(data.drop) - set(frame.columns))
    if unknown:
        log.warning("data.drop names columns the raw file lacks: %s", ", ".join(unknown))
    frame = usable(frame, data)
    unlabeled = frame[data.target].isna()
    if unlabeled.any():
        log.info(
            "%d row(s) without a label in column %r: never training or test rows; with "
            "labels.pool set to this file they are the labeling pool",
            unlabeled.sum(),
            data.target,
        )
        frame = frame[~unlabeled]
    if frame.empty:
        raise ThriftyError(f"data.target: column {data.target!r} has no labelled rows")
    check_target(frame[data.target], data.target)
    return frame.reset_index(drop=True)


def split(
    frame: pd.DataFrame, target: str, params: PrepareParams
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a seeded held-out test set (stratified for classification)."""
    try:
        train, test = train_test_split(
            frame,
            test_size=params.test_size,
            random_state=params.seed,
            stratify=stratify_on(frame[target]),
        )
    except ValueError as error:
        raise ThriftyError(f"prepare.test_size={params.test_size}: {error}") from None
    return train.reset_index(drop=True), test.reset_index(drop=True)


def with_labels(
    train: pd.DataFrame, test: pd.DataFrame, labeled: pd.DataFrame, data: DataParams
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add the labelled pool rows (the `labels` stage's output) to the side each belongs to.

    The raw file's split never moves as labels arrive, so test scores stay comparable from one
    labeling round to the next; labelled test-pool items (never chosen by uncertainty) grow it.
    """
    if labeled.empty:
        return train, test
    missing = [column for column in train.columns if column not in labeled.columns]
    if missing:
        raise ThriftyError(
            f"labels.pool: the pool lacks column(s) {', '.join(map(str, missing))} of data.raw; "
            "labelled items need the same columns as the raw file"
        )
    labeled = clean_rows(labeled[[*train.columns, SPLIT]], data)
    sides = [
        pd.concat([part, labeled.loc[labeled[SPLIT] == side, list(part.columns)]])
        for side, part in (("train", train), ("test", test))
    ]
    log.info("added %d labelled pool row(s)", len(labeled))
    return sides[0].reset_index(drop=True), sides[1].reset_index(drop=True)


def main(root: Path) -> None:
    # The ladder's estimators are checked here, the first stage that imports scikit-learn
    # anyway, so a typo in params.yaml stops the run before any data is split or fitted.
    params = load_params(root, ladder=True)
    paths = Paths(root, params)
    frame = tidy(read_raw(paths.raw, params.data), params.data)
    train, test = split(frame, params.data.target, params.prepare)
    if paths.labeled.is_file():
        train, test = with_labels(train, test, read_table(paths.labeled), params.data)
    write_table(train, paths.train)
    write_table(test, paths.test)
    log.info("prepared %d training and %d test rows", len(train), len(test))


if __name__ == "__main__":
    run_stage(main)
