"""The sample stage: a small, seeded (stratified) sample of the training split.

The whole ladder is compared on this sample, so the first answer arrives in seconds; only the
families that survive get more rows in `tune`. Full and sampled data are both DVC outputs and
go through the same code. A class rarer than `baselines.cv_folds` in the draw is topped up
from the training split, so that every fold can hold it when the data allows. The training
split is streamed twice (see `tables.draws`), so its size never bounds this stage's memory.
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

import pandas as pd

from .core.config import SampleParams, load_params
from .core.console import run_stage
from .core.files import write_table
from .core.paths import Paths
from .tables.draws import draw_rows, in_memory
from .tables.stream import chunks

log = logging.getLogger(__name__)


def draw_sample(
    train: pd.DataFrame, target: str, params: SampleParams, folds: int = 1
) -> pd.DataFrame:
    """At most `params.max_rows` rows of a frame in memory, keeping class proportions.

    Then every class is topped up to min(its training rows, `folds`), so a rare class is not
    left with fewer rows than the cross-validation folds (the sample may exceed max_rows).
    """
    return draw_rows(in_memory(train), target, params.max_rows, params.seed, folds)


def main(root: Path) -> None:
    params = load_params(root)
    paths = Paths(root, params)
    read = partial(chunks, paths.train)
    sample = draw_rows(
        read,
        params.data.target,
        params.sample.max_rows,
        params.sample.seed,
        params.baselines.cv_folds,
    )
    write_table(sample, paths.sample)
    log.info("sampled %d training rows", len(sample))


if __name__ == "__main__":
    run_stage(main)
