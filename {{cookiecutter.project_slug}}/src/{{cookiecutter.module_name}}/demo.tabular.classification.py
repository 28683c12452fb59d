"""The demo stage: writes scikit-learn's bundled breast-cancer data to data/raw/demo.csv.

The data ships inside scikit-learn, so the pipeline runs offline. A pool of unlabelled rows
(data/raw/pool.csv) feeds the labeling loop. The stage owns these two files, never the folder:
your own data beside them is safe.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from .core.config import load_params
from .core.console import run_stage
from .core.data import DemoParams
from .core.files import write_table
from .core.paths import Paths

log = logging.getLogger(__name__)
POOL_ROWS = 200  # unlabelled demo items, in data/raw/pool.csv, for the labeling loop


def make_demo(params: DemoParams) -> pd.DataFrame:
    """The demo data set as one frame, the label in its last column."""
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer(as_frame=True)
    frame = bunch.frame
    # Readable class names instead of 0/1: predictions and reports then speak for themselves.
    frame["target"] = bunch.target_names[bunch.target]
    return frame


def make_pool(frame: pd.DataFrame, params: DemoParams, rows: int = POOL_ROWS) -> pd.DataFrame:
    """Unlabelled items for the labeling demo, with an `id` column and no label.

    Jittered copies of real rows (each number moved by a tenth of its column's spread): new,
    plausible cases of the same kind, whose labels are not in any file of the project.
    """
    rng = np.random.default_rng(0)
    features = frame.iloc[:, :-1]  # the demo's label is its last column, whatever data.target
    pool = features.iloc[rng.integers(0, len(features), size=rows)].reset_index(drop=True)
    numbers = pool.select_dtypes("number").columns
    noise = rng.normal(0.0, 0.1, size=(rows, len(numbers))) * features[numbers].std().to_numpy()
    pool[numbers] = (pool[numbers] + noise).clip(lower=features[numbers].min(), axis=1)
    pool.insert(0, "id", [f"pool-{number:05d}" for number in range(1, rows + 1)])
    return pool.round(4)


def main(root: Path) -> None:
    params = load_params(root)
    paths = Paths(root, params)
    frame = make_demo(params.demo)
    write_table(frame, paths.demo)
    write_table(make_pool(frame, params.demo), paths.demo_pool)
    log.info("wrote %d demo rows to %s", len(frame), paths.demo.relative_to(root))


if __name__ == "__main__":
    run_stage(main)
