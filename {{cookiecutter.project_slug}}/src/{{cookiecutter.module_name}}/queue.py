"""The queue stage: labeling/queue.jsonl, the next items worth labelling, from the current model.

Runs after `evaluate`, so each `dvc repro` retrains on the newest labels and then asks the new
model where it is least sure. The label logs are read, never written.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from .bundles.bundle import MANIFEST, load_bundle, sha256
from .core.config import load_params
from .core.console import run_stage
from .core.files import write_atomic
from .core.paths import Paths
from .core.receipts import model_work
from .core.task import class_counts
from .labeling import answers
from .labeling.pool import build_queue, load_pool, read_gold
from .labeling.schema import load_schema
from .labeling.store import read_all
from .tables.stream import chunks

log = logging.getLogger(__name__)


BATCH_ROWS = 50_000  # the pool is scored this many rows at a time


def _uncertainty(model, rows: pd.DataFrame) -> np.ndarray | None:
    """The model's uncertainty on each row (None: it has none), scored in batches so that a
    large pool never goes through the model at once."""
    with model_work():
        parts = [
            answers.uncertainty(model, rows.iloc[start : start + BATCH_ROWS])
            for start in range(0, len(rows), BATCH_ROWS)
        ]
    return None if any(part is None for part in parts) else np.concatenate(parts)


def main(root: Path) -> None:
    params = load_params(root)
    paths = Paths(root, params)
    schema = load_schema(root)
    pool = load_pool(paths.pool, schema, params.data.target)
    bundle = load_bundle(paths.bundle, paths.registry)
    columns = list(bundle.metadata["columns"])
    missing = [column for column in columns if column not in pool.columns]
    if pool.empty:
        log.info("labels.pool: %s holds no unlabelled item: the queue is empty", paths.pool.name)
        entries: list[dict] = []
    elif missing:
        # Your own data, the demo's pool: labeling waits for a pool of your items, the rest of
        # the pipeline must not.
        log.warning(
            "labels.pool: %s lacks the model's column(s) %s; the queue stays empty until "
            "labels.pool names a pool of items with the columns of data.raw",
            paths.pool.name,
            ", ".join(missing),
        )
        entries = []
    else:
        counts: Counter = Counter()  # rows per class, read one column a chunk at a time
        for chunk in chunks(paths.train, columns=[params.data.target]):
            counts.update(class_counts(chunk[params.data.target]))
        entries = build_queue(
            pool,
            schema,
            read_all(root),
            read_gold(paths.gold, pool),
            counts,
            score=lambda rows: _uncertainty(bundle.model, rows[columns]),
            model=sha256(paths.bundle / MANIFEST),
        )
    text = "".join(json.dumps(entry, ensure_ascii=False) + "\n" for entry in entries)
    write_atomic(paths.queue, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    kinds = pd.Series([entry["why"] for entry in entries], dtype=object).value_counts()
    log.info(
        "queued %d item(s) for labeling (%s)",
        len(entries),
        ", ".join(f"{count} {why}" for why, count in kinds.items()) or "pool exhausted",
    )


if __name__ == "__main__":
    run_stage(main)
