"""The sample stage: a small, seeded (stratified) sample of the training split.

The whole ladder is compared on this sample, so the first answer arrives in seconds; only the
families that survive get the full training data in `tune`. Full and sampled data are both
DVC outputs and go through the same code. A class rarer than `baselines.cv_folds` in the draw is
topped up from the training split, so that every fold can hold it when the data allows.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split

from .core.config import SampleParams, load_params
from .core.console import run_stage
from .core.files import read_table, write_table
from .core.paths import Paths
from .core.settings import ThriftyError
from .core.task import stratify_on, top_up

log = logging.getLogger(__name__)


def draw_sample(
    train: pd.DataFrame, target: str, params: SampleParams, folds: int = 1
) -> pd.DataFrame:
    """At most `params.max_rows` rows, keeping class proportions for classification.

    Then every class is topped up to min(its training rows, `folds`), so a rare class is not
    left with fewer rows than the cross-validation folds (the sample may exceed max_rows).
    """
    if len(train) <= params.max_rows:
        return train.reset_index(drop=True)
    train = train.reset_index(drop=True)
    try:
        sample, _ = train_test_split(
            train,
            train_size=params.max_rows,
            random_state=params.seed,
            stratify=stratify_on(train[target]),
        )
    except ValueError as error:
        raise ThriftyError(f"sample.max_rows={params.max_rows}: {error}") from None
    extra = top_up(sample, train, target, folds, params.seed)
    if len(extra):
        sample = pd.concat([sample, extra])
    return sample.reset_index(drop=True)


def main(root: Path) -> None:
    params = load_params(root)
    paths = Paths(root, params)
    train, target = read_table(paths.train), params.data.target
    sample = draw_sample(train, target, params.sample, params.baselines.cv_folds)
    write_table(sample, paths.sample)
    log.info("sampled %d training rows", len(sample))


if __name__ == "__main__":
    run_stage(main)
