"""The labels stage: every annotator's log consolidated into training rows, plus agreement figures.

Each annotator's standing answer per item counts once (undo retracts); gold labels always win;
otherwise the majority label wins, and ties and flagged items go to reports/adjudicate.csv and
stay out of training until settled in labeling/gold.jsonl. The logs are read, never written:
no `dvc repro` can delete or rewrite a label.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd

from .core.config import load_params
from .core.console import run_stage
from .core.files import write_json, write_table
from .core.paths import Paths
from .core.records import SPLIT
from .core.task import class_counts
from .labeling import answers
from .labeling.agreement import agreement
from .labeling.pool import duplicates, load_pool, read_gold
from .labeling.schema import Schema, in_test_pool, load_schema
from .labeling.store import read_all, standing_answers

log = logging.getLogger(__name__)


def standing_labels(events: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per (item, annotator) standing answer: item, annotator, action, label, seconds."""
    rows = [
        {
            "item": item,
            "annotator": annotator,
            "action": event["action"],
            "label": event.get("label"),
            # Unknown for some imports: missing, not zero, so labels per hour stay honest.
            "seconds": float("nan") if event.get("seconds") is None else event["seconds"],
        }
        for (item, annotator), event in standing_answers(events).items()
    ]
    return pd.DataFrame(rows, columns=["item", "annotator", "action", "label", "seconds"])


def consolidate(
    standing: pd.DataFrame, gold: dict[str, Any], schema: Schema
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(labels per item, items to adjudicate) from the standing answers and the gold file."""
    decided, disputed = [], []
    voted = standing[standing["action"] == "label"]
    flagged = set(standing.loc[standing["action"] == "flag", "item"])
    for item in sorted(set(voted["item"]) | set(gold) | flagged):
        votes = voted.loc[voted["item"] == item, "label"].tolist()
        row = {"item": item, "votes": len(votes), "answers": "; ".join(map(str, votes))}
        if item in gold:
            decided.append({**row, "label": gold[item], "source": "gold"})
            continue
        label, problem = answers.decide(votes, schema)
        if label is not None:
            decided.append({**row, "label": label, "source": "vote"})
        if problem or item in flagged:
            disputed.append({**row, "reason": problem or "flagged"})
    columns = ["item", "label", "votes", "answers", "source"]
    return (
        pd.DataFrame(decided, columns=columns),
        pd.DataFrame(disputed, columns=["item", "reason", "votes", "answers"]),
    )


def training_rows(
    labels: pd.DataFrame, pool: pd.DataFrame, schema: Schema, target: str
) -> pd.DataFrame:
    """Pool rows with their consolidated label; identical items share it; the split side."""
    copies = duplicates(pool, schema)
    by_item = labels.set_index("item")["label"]
    first_label = copies.map(by_item)
    own = pd.Series(pool.index, index=pool.index).map(by_item)
    label = own.fillna(first_label) if len(by_item) else own
    rows = pool.loc[label.notna()].drop(columns=[schema.id]).copy()
    rows[target] = label[label.notna()].to_numpy()
    rows[SPLIT] = ["test" if in_test_pool(schema, item) else "train" for item in rows.index]
    return rows.reset_index(drop=True)


def main(root: Path) -> None:
    params = load_params(root)
    paths = Paths(root, params)
    schema = load_schema(root)
    pool = load_pool(paths.pool, schema, params.data.target)
    if pool.empty:
        log.info("labels.pool: %s holds no unlabelled item: nothing to label", paths.pool.name)
    events = read_all(root)
    gold = read_gold(paths.gold, pool)
    standing = standing_labels(events)
    labels, disputed = consolidate(standing, gold, schema)
    rows = training_rows(labels, pool, schema, params.data.target)
    write_table(rows, paths.labeled)
    write_table(disputed, paths.adjudicate)
    votes = standing[standing["action"] == "label"]
    figures = agreement(votes, gold, numeric=answers.NUMERIC)
    balance = class_counts(rows[params.data.target].astype(str))
    answered = set(standing["item"]) | set(gold)
    write_json(
        {
            **figures,
            "events": len(events),
            "labelled_items": len(labels),
            "training_rows": int((rows[SPLIT] == "train").sum()),
            "test_rows": int((rows[SPLIT] == "test").sum()),
            "to_adjudicate": len(disputed),
            "pool_left": int(sum(item not in answered for item in pool.index)),
            "class_balance": dict(sorted(balance.items())),
        },
        paths.labeling_metrics,
    )
    log.info(
        "%d labelled item(s) from %d event(s) -> %d row(s); %d to adjudicate",
        len(labels),
        len(events),
        len(rows),
        len(disputed),
    )


def export(root: Path, output: Path) -> int:
    """Write the consolidated labels (id, label, votes, answers, source), CSV or Parquet."""
    params = load_params(root)
    paths = Paths(root, params)
    schema = load_schema(root)
    pool = load_pool(paths.pool, schema, params.data.target)
    labels, _ = consolidate(standing_labels(read_all(root)), read_gold(paths.gold, pool), schema)
    write_table(labels.rename(columns={"item": schema.id}), output)
    log.info("wrote %d consolidated label(s) to %s", len(labels), output)
    return 0


if __name__ == "__main__":
    run_stage(main)
