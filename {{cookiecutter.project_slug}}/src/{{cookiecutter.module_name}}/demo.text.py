"""The demo stage: writes the project's own labelled text corpus to data/raw/demo.csv.

No package ships a labelled text corpus and the pipeline must run offline, so `text/corpus.py`
composes one, and a pool of unlabelled messages (data/raw/pool.csv) for the labeling loop.
The stage owns these two files, never the folder: your own data beside them is safe.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from .core.config import load_params
from .core.console import run_stage
from .core.data import DemoParams
from .core.files import write_table
from .core.paths import Paths
from .text.corpus import make_corpus

log = logging.getLogger(__name__)
POOL_ROWS = 200  # unlabelled demo items, in data/raw/pool.csv, for the labeling loop


def make_demo(params: DemoParams) -> pd.DataFrame:
    """The demo corpus: one message per row, with its topic and its rating."""
    return make_corpus(n_rows=params.rows, seed=params.seed)


def make_pool(frame: pd.DataFrame, params: DemoParams, rows: int = POOL_ROWS) -> pd.DataFrame:
    """Unlabelled items for the labeling demo, with an `id` column and no label.

    More messages from the same generator with another seed (not rows of `frame`): new texts,
    same kind of data.
    """
    pool = make_corpus(n_rows=rows, seed=params.seed + 1).drop(columns=["topic", "rating"])
    pool["id"] = [f"pool-{number:05d}" for number in range(1, len(pool) + 1)]
    return pool


def main(root: Path) -> None:
    params = load_params(root)
    paths = Paths(root, params)
    frame = make_demo(params.demo)
    write_table(frame, paths.demo)
    write_table(make_pool(frame, params.demo), paths.demo_pool)
    log.info("wrote %d demo rows to %s", len(frame), paths.demo.relative_to(root))


if __name__ == "__main__":
    run_stage(main)
