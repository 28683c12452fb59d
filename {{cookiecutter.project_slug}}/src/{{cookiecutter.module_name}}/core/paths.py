"""Every file the pipeline reads or writes, named once, from one project root."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .config import Params


class Paths:
    """Every file the pipeline reads or writes, derived from one project root.

    `raw` and `pool` come from params.yaml, so they exist only when `params` is given.
    """

    def __init__(self, root: Path, params: Params | None = None):
        self.root = root
        self.raw = root / params.data.raw if params else None
        self.pool = root / params.labels.pool if params else None
        self.demo = root / "data" / "raw" / "demo.csv"
        self.demo_pool = root / "data" / "raw" / "pool.csv"
        self.labeled = root / "data" / "labeled" / "labels.parquet"
        self.train = root / "data" / "prepared" / "train.parquet"
        self.test = root / "data" / "prepared" / "test.parquet"
        self.sample = root / "data" / "sample" / "train.parquet"
        self.labeling = root / "labeling"
        self.schema = self.labeling / "schema.yaml"
        self.labels = self.labeling / "labels"
        self.queue = self.labeling / "queue.jsonl"
        self.gold = self.labeling / "gold.jsonl"
        self.guidelines = self.labeling / "guidelines.md"
        self.reports = root / "reports"
        self.leaderboard = self.reports / "leaderboard.csv"
        self.race = self.reports / "race.csv"
        self.metrics = self.reports / "metrics.json"
        self.done = self.reports / "done.json"
        self.tuning = self.reports / "tuning.csv"
        self.tuning_summary = self.reports / "tuning.json"
        self.learning_curve = self.reports / "learning_curve.csv"
        self.cost = self.reports / "cost.json"
        self.stage_receipts = self.reports / "stages"
        self.labeling_metrics = self.reports / "labeling.json"
        self.adjudicate = self.reports / "adjudicate.csv"
        self.plot_data = self.reports / "plots"
        self.report = self.reports / "report.html"
        self.tuned = root / "artifacts" / "tuned"
        self.bundle = root / "artifacts" / "model"
        self.registry = root / "artifacts" / "registry.json"
        self.lock = root / "requirements.lock"  # written by `make setup` / `make lock`

    def stage_receipt(self, stage: str) -> Path:
        """reports/stages/<stage>.json, what the stage's last run cost."""
        return self.stage_receipts / f"{stage}.json"


def listed(folder: Path, pattern: str) -> list[Path]:
    """The files in `folder` matching `pattern`, by name, leaving out hidden ones.

    `Path.glob("*.json")` matches dotfiles too: a write killed before its rename leaves its
    temporary sibling (`.evaluate.json.x1y2.json`), and macOS leaves `._name` copies; neither
    is a file the project wrote on purpose.
    """
    return sorted(p for p in folder.glob(pattern) if not p.name.startswith("."))
