{%- if cookiecutter.data_kind == "text" -%}
"""The demo stage: writes the project's own labelled text corpus to data/raw/demo.csv.

No package ships a labelled text corpus and the pipeline must run offline, so `corpus.py`
composes one, and a pool of unlabelled messages (data/raw/pool.csv) for the labeling loop.
The stage owns these two files, never the folder: your own data beside them is safe.
"""
{%- else -%}
"""The demo stage: writes scikit-learn's bundled {{ "breast-cancer" if cookiecutter.task == "classification" else "diabetes" }} data to data/raw/demo.csv.

The data ships inside scikit-learn, so the pipeline runs offline. A pool of unlabelled rows
(data/raw/pool.csv) feeds the labeling loop. The stage owns these two files, never the folder:
your own data beside them is safe.
"""
{%- endif %}

from __future__ import annotations

import logging
from pathlib import Path

{% if cookiecutter.data_kind != "text" -%}
import numpy as np
{% endif -%}
import pandas as pd

from .config import {% if cookiecutter.data_kind == "text" %}DemoParams, {% endif %}load_params
from .files import write_table
from .paths import Paths

log = logging.getLogger(__name__)
POOL_ROWS = 200  # unlabelled demo items, in data/raw/pool.csv, for the labeling loop


def make_demo({% if cookiecutter.data_kind == "text" %}params: DemoParams{% endif %}) -> pd.DataFrame:
    """Return the demo data set as one frame, the label in its last column."""
{%- if cookiecutter.data_kind == "text" %}
    from .corpus import make_corpus

    return make_corpus(n_rows=params.rows, seed=params.seed)
{%- elif cookiecutter.task == "classification" %}
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer(as_frame=True)
    frame = bunch.frame
    # Readable class names instead of 0/1: predictions and reports then speak for themselves.
    frame["target"] = bunch.target_names[bunch.target]
    return frame
{%- else %}
    from sklearn.datasets import load_diabetes

    # Unscaled, so the columns look like the measurements a user would bring.
    return load_diabetes(as_frame=True, scaled=False).frame
{%- endif %}


def make_pool(frame: pd.DataFrame, rows: int = POOL_ROWS, seed: int = 0) -> pd.DataFrame:
    """Unlabelled items for the labeling demo, with an `id` column and no label.
{%- if cookiecutter.data_kind == "text" %}

    More messages from the same generator with another seed: new texts, same kind of data.
    """
    from .corpus import make_corpus

    pool = make_corpus(n_rows=rows, seed=seed + 1).drop(columns=["topic", "rating"])
    pool["id"] = [f"pool-{number:05d}" for number in range(1, len(pool) + 1)]
    return pool
{%- else %}

    Jittered copies of real rows (each number moved by a tenth of its column's spread): new,
    plausible cases of the same kind, whose labels are not in any file of the project.
    """
    rng = np.random.default_rng(seed)
    features = frame.iloc[:, :-1]  # the demo's label is its last column, whatever data.target
    pool = features.iloc[rng.integers(0, len(features), size=rows)].reset_index(drop=True)
    numbers = pool.select_dtypes("number").columns
    noise = rng.normal(0.0, 0.1, size=(rows, len(numbers))) * features[numbers].std().to_numpy()
    pool[numbers] = (pool[numbers] + noise).clip(lower=features[numbers].min(), axis=1)
    pool.insert(0, "id", [f"pool-{number:05d}" for number in range(1, rows + 1)])
    return pool.round(4)
{%- endif %}


def main(root: Path) -> None:
    params = load_params(root)
    frame = make_demo({% if cookiecutter.data_kind == "text" %}params.demo{% endif %})
    paths = Paths(root, params)
    write_table(frame, paths.demo)
    write_table(make_pool(frame), paths.demo_pool)
    log.info("wrote %d demo rows to %s", len(frame), paths.demo.relative_to(root))
