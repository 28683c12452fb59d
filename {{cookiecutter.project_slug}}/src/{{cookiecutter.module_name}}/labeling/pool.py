"""The pool of unlabelled items and the queue that orders it.

The queue is deterministic for a seed: the same pool, logs, model and schema give the same
file. It serves items cold-start random until every class has a few labels, then by the
model's uncertainty (smallest margin between the two likeliest classes first), mixed with a
random share so the labelled set stays representative of the pool.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core.paths import Paths
from ..core.settings import ThriftyError
from ..tables.stream import chunks
from . import answers
from .schema import ROW_ID, Schema, in_test_pool, needs_overlap
from .store import answered_by, read_all

log = logging.getLogger(__name__)


def load_pool(path: Path, schema: Schema, target: str | None = None) -> pd.DataFrame:
    """The pool indexed by its id (as text), with the id and shown columns checked.

    When the file has the `target` column (the raw file itself, after `use-data`), only its
    rows with a blank target are the pool: the labelled ones are training and test rows. With
    `id: _row` in the schema, an item's id is a digest of its values, stable as rows are added.
    """
    if not path.is_file():
        raise ThriftyError(
            f"labels.pool: {path} does not exist: run `dvc repro` first (the demo stage writes "
            "the demo's pool), or set labels.pool in params.yaml to your own file (the file in "
            "data.raw serves its rows with a blank target)"
        )
    # Read in chunks and keep only the pool's rows: the raw file may be larger than memory.
    pool = pd.concat(
        [unlabelled(chunk, target) for chunk in chunks(path, "labels.pool")], ignore_index=True
    )
    if schema.id == ROW_ID and ROW_ID not in pool.columns:
        pool.insert(0, ROW_ID, row_ids(pool.drop(columns=[target] if target in pool else [])))
        pool = pool.drop_duplicates(ROW_ID).reset_index(drop=True)  # identical rows: one item
    missing = [column for column in (schema.id, *schema.show) if column not in pool.columns]
    if missing:
        raise ThriftyError(
            f"labeling/schema.yaml: column(s) {', '.join(missing)} not in the pool {path.name}; "
            f"available: {', '.join(pool.columns)}"
        )
    ids = pool[schema.id]
    if ids.isna().any():
        raise ThriftyError(f"labels.pool: {ids.isna().sum()} row(s) of {path.name} have no id")
    ids = ids.astype(str)
    twice = ids[ids.duplicated()].unique()
    if len(twice):
        raise ThriftyError(
            f"labels.pool: id(s) {', '.join(twice[:5])} appear more than once in {path.name}; "
            f"column {schema.id!r} must be unique"
        )
    return pool.set_index(ids.rename(None), drop=False)


def unlabelled(rows: pd.DataFrame, target: str | None) -> pd.DataFrame:
    """The rows whose `target` is blank, or all of them when there is no such column."""
    return rows[rows[target].isna()] if target is not None and target in rows.columns else rows


def row_ids(frame: pd.DataFrame) -> list[str]:
    """A stable id per row from its values: the same row gets the same id in every run."""
    values = joined(frame) if len(frame.columns) else frame.index
    return ["row-" + hashlib.sha256(str(value).encode()).hexdigest()[:12] for value in values]


def joined(frame: pd.DataFrame) -> pd.Series:
    """Each row's values as one string; a blank value reads as empty (pandas keeps NaN apart)."""
    cells = frame.map(lambda value: "" if pd.isna(value) else str(value))
    return cells.agg("\x1f".join, axis=1)


def read_gold(path: Path, pool: pd.DataFrame) -> dict[str, Any]:
    """Adjudicated labels from gold.jsonl (`{"id": ..., "label": ...}` per line)."""
    gold: dict[str, Any] = {}
    if not path.is_file():
        return gold
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            gold[str(record["id"])] = record["label"]
        except (ValueError, KeyError, TypeError):
            raise ThriftyError(
                f"{path.name} line {number}: expected one JSON object with id and label"
            ) from None
    unknown = sorted(set(gold) - set(pool.index))
    if unknown:
        log.warning("%s: %d gold id(s) not in the pool, ignored", path.name, len(unknown))
    return {item: label for item, label in gold.items() if item in pool.index}


def duplicates(pool: pd.DataFrame, schema: Schema) -> pd.Series:
    """For each item, the first item with identical shown content (itself when unique)."""
    if pool.empty:
        return pd.Series(index=pool.index, dtype=object)
    key = joined(pool[schema.show]).str.strip().str.lower()
    first = pd.Series(pool.index, index=pool.index).groupby(key.values).transform("first")
    return first


def build_queue(
    pool: pd.DataFrame,
    schema: Schema,
    events: Iterable[dict[str, Any]],
    gold: dict[str, Any],
    class_counts: dict[Any, int],
    score: Callable[[pd.DataFrame], np.ndarray | None] | None = None,
    model: str | None = None,
) -> list[dict[str, Any]]:
    """The next `batch_size` items (plus gold), each with why it was chosen and its score."""
    events = list(events)
    who, labelled = answered_by(events), answered_by(events, "label")
    first = duplicates(pool, schema)
    # Overlap items one annotator has labelled wait for a second, ahead of new items.
    second = [
        item
        for item in pool.index
        if needs_overlap(schema, item)
        and len(labelled.get(item, ())) == 1
        and who.get(item) == labelled.get(item)
        and item not in gold
    ]
    fresh = [
        item
        for item in pool.index
        if item not in who
        and item not in gold
        and first[item] == item
        and not in_test_pool(schema, item)
    ]
    # Random order over the whole pool, then filtered: answering items never reshuffles the rest.
    rng = np.random.default_rng(schema.seed)
    unanswered = set(fresh)
    randomly = [item for item in pool.index[rng.permutation(len(pool))] if item in unanswered]
    cold = answers.needs_cold_start(schema, class_counts)
    scores = score(pool.loc[fresh]) if score is not None and not cold and fresh else None
    by_score = {} if scores is None else dict(zip(fresh, map(float, scores), strict=True))
    ordered = sorted(fresh, key=lambda item: (by_score[item], item)) if by_score else randomly
    why_ordered = "uncertain" if by_score else ("cold_start" if cold else "random")

    entries: list[dict[str, Any]] = []
    taken: set[str] = set()

    def take(item: str, why: str, need: int) -> None:
        taken.add(item)
        value = by_score.get(item)
        entries.append(
            {
                "item": item,
                "why": why,
                "score": None if value is None else round(value, 6),
                "need": need,
                "model": model,
            }
        )

    for item in second[: schema.batch_size]:
        take(item, "overlap", 2)
    sources = {"random": iter(randomly), why_ordered: iter(ordered)}
    while len(entries) < schema.batch_size and len(taken) < len(second) + len(fresh):
        why = "random" if by_score and rng.random() < schema.random_fraction else why_ordered
        item = next((i for i in sources[why] if i not in taken), None)
        if item is None:
            why = why_ordered if why == "random" else "random"
            item = next((i for i in sources[why] if i not in taken), None)
        if item is None:
            break
        take(item, why, 2 if needs_overlap(schema, item) else 1)
    return interleave_gold(entries, gold, schema, model)


def interleave_gold(
    entries: list[dict[str, Any]], gold: dict[str, Any], schema: Schema, model: str | None
) -> list[dict[str, Any]]:
    """Mix gold items in at `gold_rate`; each is served to every annotator once (need 0)."""
    if not gold or schema.gold_rate == 0 or not entries:
        return entries
    items = sorted(gold)
    order = np.random.default_rng(schema.seed + 1).permutation(len(items))
    count = min(len(items), math.ceil(len(entries) * schema.gold_rate))
    every = max(1, round(1 / schema.gold_rate) - 1)
    mixed: list[dict[str, Any]] = []
    golds = iter(items[i] for i in order[:count])
    for position, entry in enumerate(entries, start=1):
        mixed.append(entry)
        if position % every == 0 and (item := next(golds, None)) is not None:
            mixed.append({"item": item, "why": "gold", "score": None, "need": 0, "model": model})
    mixed.extend(
        {"item": item, "why": "gold", "score": None, "need": 0, "model": model} for item in golds
    )
    return mixed


def read_queue(root: Path, paths: Paths, schema: Schema, pool: pd.DataFrame) -> list[dict]:
    """labeling/queue.jsonl when the pipeline has written it, else a cold-start queue."""
    if not paths.queue.is_file():
        log.info("no %s yet: serving in seeded random order", paths.queue.name)
        return build_queue(pool, schema, read_all(root), read_gold(paths.gold, pool), {})
    entries = [json.loads(line) for line in paths.queue.read_text().splitlines() if line.strip()]
    known = [entry for entry in entries if entry["item"] in pool.index]
    if len(known) < len(entries):
        log.warning(
            "%d queue item(s) are not in the pool: run dvc repro", len(entries) - len(known)
        )
    return known
