"""The JSON files one stage writes and another reads, one pydantic model each.

The writer builds the model and the reader validates the file against it, so a field renamed
on one side fails at once, naming the file and the field, instead of deep inside a later stage.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from .files import read_json, write_json
from .settings import ThriftyError

Verdicts = Literal["done", "keep_tuning", "more_data", "fold"]
# data/labeled/labels.parquet, from `labels`: the column saying which side (train or test) each
# labelled pool row joins in `prepare`.
SPLIT = "_split"


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, protected_namespaces=())


class Law(Record):
    """score(rows) = a - b * rows^-c, fitted to the learning curve."""

    a: float
    b: float
    c: float
    residual: float


class Forecast(Record):
    """What more rows would buy; `available` is False when the curve cannot be trusted."""

    available: bool
    why: str | None = None
    law: Law | None = None
    score_at_2x: float | None = None
    score_at_10x: float | None = None
    rows_for_target: int | None = None
    rows_now: int | None = None
    rows_available: int | None = None  # the whole training split; tune uses tune.max_rows
    target: float | None = None  # done.yaml's, which rows_for_target is for


class Tuning(Record):
    """reports/tuning.json, from `tune`: the pick, its cross-validated score and what it cost."""

    model: str
    metric: str
    cv_score: float
    cv_se: float
    gain: float
    why: str
    params: dict[str, Any]
    cpu_seconds: float
    budget_cpu_seconds: float
    grid_cpu_seconds: float
    curve_cpu_seconds: float
    forecast: Forecast


class Metrics(Record):
    """reports/metrics.json, from `evaluate`: the pick's scores on the held-out test set.

    `score` is done.yaml's metric on the test set, in scikit-learn's sign (higher is better),
    `cv` the same metric cross-validated by `tune`, `rows` the test rows scored; `test` holds
    the task's other familiar scores under short names, errors as plain positive numbers (mae,
    rmse). The keys are short so that `dvc metrics show` and `dvc exp show` fit a terminal.
    """

    model: str
    metric: str
    score: float
    cv: float
    test: dict[str, float]
    rows: int


class Verdict(Record):
    """reports/done.json, from `done`: the verdict against done.yaml and what to do next."""

    verdict: Verdicts
    metric: str
    score: float
    target: float
    floor: float
    model: str | None
    actions: list[str]


class StageCost(Record):
    """reports/stages/<stage>.json, from every stage as its last act: what its process cost.

    Wall and CPU seconds count the whole process, start-up and imports included; the model
    CPU is the part spent fitting and scoring, the rest is other CPU.
    """

    stage: str
    finished_utc: str
    wall_seconds: float
    cpu_seconds: float
    model_cpu_seconds: float
    other_cpu_seconds: float


class Pipeline(Record):
    """The stages' receipts added up: what the last run of every stage cost, in total."""

    wall_seconds: float
    cpu_seconds: float
    model_cpu_seconds: float
    other_cpu_seconds: float


class Cost(Record):
    """reports/cost.json, from `report`: the search's CPU beside an exhaustive grid's, and what
    every stage's process cost (`stages`, in the order they last ran, and `pipeline`)."""

    baselines_cpu_seconds: float
    tune_cpu_seconds: float
    forecast_cpu_seconds: float
    total_cpu_seconds: float
    grid_estimate_cpu_seconds: float
    grid_to_ours: float | None
    pipeline: Pipeline
    stages: list[StageCost]


R = TypeVar("R", bound=Record)


def write_record(record: Record, path: Path) -> None:
    """Write `record` as indented JSON, in its fields' order."""
    write_json(record.model_dump(), path)


def read_record(path: Path, model: type[R]) -> R:  # noqa: UP047 (3.11 has no PEP 695 generics)
    """Read `path` and validate it as `model`; a stale or hand-edited file names its fields."""
    try:
        return model.model_validate(read_json(path))
    except ValidationError as error:
        fields = ", ".join(".".join(map(str, issue["loc"])) or "(top)" for issue in error.errors())
        raise ThriftyError(
            f"{path.name} does not hold what {model.__name__} needs ({fields}); "
            "run `dvc repro` to rewrite it"
        ) from None
