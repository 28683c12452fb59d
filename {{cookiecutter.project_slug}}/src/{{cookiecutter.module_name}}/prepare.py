"""The prepare stage: read and validate the raw file, tidy it, split off a held-out test set.

The test set is split once, seeded, and never seen again until `evaluate`: it is the only
score in this project that no choice was tuned on. The raw file streams through in chunks
(`tables.stream`), so a file larger than memory prepares in the memory of one chunk, and a row's
side is a hash of its position and the seed (`tables.draws`): rows added to the end of the raw
file never move an existing row to the other side.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path

import pandas as pd

from .core.config import DataParams, PrepareParams, load_params
from .core.console import run_stage
from .core.data import clean_rows, needed_columns, read_options, report_cleaning, usable
from .core.files import read_table
from .core.paths import Paths
from .core.records import SPLIT
from .core.settings import ThriftyError
from .core.task import check_tally, tally_target
from .tables.draws import held_out
from .tables.stream import chunks, conform, write_parquet

log = logging.getLogger(__name__)
SIDES = ("train", "test")


class Tally:
    """What prepare counted over the chunks: the columns, unlabelled rows, targets per side."""

    def __init__(self) -> None:
        self.columns: list[str] | None = None
        self.unlabeled = 0
        self.cleaning: Counter = Counter()
        self.sides: dict[str, Counter] = {side: Counter() for side in SIDES}


def tidy_chunk(frame: pd.DataFrame, data: DataParams, tally: Tally) -> pd.DataFrame:
    """Keep the label and feature columns of one chunk, drop rows without a label.

    Encoding of categories and imputation of missing features happen inside each model's
    pipeline, fitted on training folds only, so nothing leaks from test rows into training.
    """
    frame = frame.rename(columns=str)
    if tally.columns is None:
        missing = [column for column in needed_columns(data) if column not in frame.columns]
        if missing:
            raise ThriftyError(
                f"data.target/data.text: column(s) {', '.join(missing)} not in the raw file; "
                f"available: {', '.join(frame.columns)}"
            )
        unknown = sorted(set(data.drop) - set(frame.columns))
        if unknown:
            log.warning("data.drop names columns the raw file lacks: %s", ", ".join(unknown))
    frame = usable(frame, data, tally.cleaning)
    tally.columns = list(frame.columns)
    unlabeled = frame[data.target].isna()
    tally.unlabeled += int(unlabeled.sum())
    return frame[~unlabeled]


def check(tally: Tally, data: DataParams) -> None:
    """The checks on the whole file, once every chunk is counted."""
    report_cleaning(tally.cleaning, data)
    if tally.unlabeled:
        log.info(
            "%d row(s) without a label in column %r: never training or test rows; with "
            "labels.pool set to this file they are the labeling pool",
            tally.unlabeled,
            data.target,
        )
    total = tally.sides["train"] + tally.sides["test"]
    if not total:
        raise ThriftyError(f"data.target: column {data.target!r} has no labelled rows")
    check_tally(total, data.target)


def tidy(frame: pd.DataFrame, data: DataParams) -> pd.DataFrame:
    """A whole raw frame in memory, tidied and checked as the stage does it chunk by chunk."""
    tally = Tally()
    rows = tidy_chunk(frame, data, tally)
    tally_target(rows[data.target], data.target, tally.sides["train"])
    check(tally, data)
    return rows.reset_index(drop=True)


def sides(rows: pd.DataFrame, params: PrepareParams) -> dict[str, pd.DataFrame]:
    """Each row's side, by the hash of its position in the raw file (the frame's index)."""
    test = held_out(rows.index.to_numpy(), params.test_size, params.seed)
    return {"train": rows[~test], "test": rows[test]}


def split(frame: pd.DataFrame, target: str, params: PrepareParams) -> tuple[pd.DataFrame, ...]:
    """A frame in memory (its rows in raw-file order) split as the stage splits it."""
    parts = sides(frame.reset_index(drop=True), params)
    check_sides({side: len(part) for side, part in parts.items()}, params)
    return tuple(parts[side].reset_index(drop=True) for side in SIDES)


def check_sides(rows: Mapping[str, int], params: PrepareParams) -> None:
    """Both sides need rows: a tiny file can hash every row to one side."""
    for side in SIDES:
        if not rows[side]:
            raise ThriftyError(
                f"prepare.test_size={params.test_size}: none of the {sum(rows.values())} "
                f"labelled row(s) fell in the {side} split; a file this small needs more rows "
                "or another prepare.test_size (between 0 and 1) or prepare.seed"
            )


def with_labels(
    train: pd.DataFrame, test: pd.DataFrame, labeled: pd.DataFrame, data: DataParams
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add the labelled pool rows (the `labels` stage's output) to the side each belongs to.

    The raw file's split never moves as labels arrive, so test scores stay comparable from one
    labeling round to the next; labelled test-pool items (never chosen by uncertainty) grow it.
    """
    if labeled.empty:
        return train, test
    parts = labeled_sides(labeled, list(train.columns), data)
    return tuple(
        pd.concat([part, parts[side]]).reset_index(drop=True)
        for side, part in (("train", train), ("test", test))
    )


def labeled_sides(
    labeled: pd.DataFrame, columns: list[str], data: DataParams
) -> dict[str, pd.DataFrame]:
    """The labelled pool rows of each side, in the prepared columns."""
    missing = [column for column in columns if column not in labeled.columns]
    if missing:
        raise ThriftyError(
            f"labels.pool: the pool lacks column(s) {', '.join(map(str, missing))} of data.raw; "
            "labelled items need the same columns as the raw file"
        )
    labeled = clean_rows(labeled[[*columns, SPLIT]], data)
    log.info("added %d labelled pool row(s)", len(labeled))
    return {side: labeled.loc[labeled[SPLIT] == side, columns] for side in SIDES}


def prepared(
    paths: Paths, data: DataParams, params: PrepareParams, dtype: Mapping[str, str]
) -> Iterator[tuple[int, pd.DataFrame]]:
    """(0 for train or 1 for test, rows), chunk by chunk, then the labelled pool rows."""
    tally = Tally()
    for chunk in chunks(paths.raw, "data.raw", dtype=dtype, **read_options(data)):
        parts = sides(tidy_chunk(chunk, data, tally), params)
        for number, side in enumerate(SIDES):
            tally_target(parts[side][data.target], data.target, tally.sides[side])
            yield number, parts[side]
    check(tally, data)
    check_sides({side: sum(tally.sides[side].values()) for side in SIDES}, params)
    labeled = read_table(paths.labeled) if paths.labeled.is_file() else pd.DataFrame()
    if len(labeled):
        parts = labeled_sides(labeled, tally.columns, data)
        for number, side in enumerate(SIDES):
            rows = conform(parts[side], dtype)
            tally_target(rows[data.target], data.target, tally.sides[side])
            yield number, rows
    unseen = sorted(set(tally.sides["test"]) - set(tally.sides["train"]), key=str)
    if unseen:
        log.warning(
            "class(es) %s: every row fell in the test split, so no model learns them; they "
            "need more labelled rows",
            ", ".join(map(repr, unseen)),
        )
    train, test = (sum(tally.sides[side].values()) for side in SIDES)
    log.info("prepared %d training and %d test rows", train, test)


def main(root: Path) -> None:
    params = load_params(root)
    paths = Paths(root, params)
    write_parquet(
        [paths.train, paths.test],
        lambda dtype: prepared(paths, params.data, params.prepare, dtype),
    )


if __name__ == "__main__":
    run_stage(main)
