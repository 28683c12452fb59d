"""labeling/schema.yaml: what annotators label, which columns they see, and how items are served.

One pydantic model with extra="forbid", so a typo in the schema fails before a session starts,
with every problem listed by its key path, like params.yaml and done.yaml.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..core.paths import Paths
from ..core.settings import load_yaml
from . import answers

# schema.id for a pool without an id column (the raw file's unlabelled rows): a digest of values.
ROW_ID = "_row"


class Choice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(description="what the annotator types: one or more digits")
    value: Any = Field(description="the label written to the training data")
    description: str = ""

    @field_validator("key", mode="before")
    @classmethod
    def _digits(cls, key: Any) -> str:
        key = str(key).strip()
        if not key.isdigit():
            raise ValueError(f"key {key!r} must be digits (s, f, u, ?, q are the actions)")
        return key


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, description="the pool's id column: stable and unique")
    show: list[str] = Field(min_length=1, description="columns shown to the annotator")
    labels: list[Choice] | None = Field(default=None, description="classification: the label set")
    range: tuple[float, float] | None = Field(default=None, description="regression: low, high")
    guidelines_version: str = Field(min_length=1)
    batch_size: int = Field(default=20, ge=1, description="items per queue refresh")
    random_fraction: float = Field(default=0.2, ge=0, le=1)
    overlap_rate: float = Field(default=0.1, ge=0, le=1)
    gold_rate: float = Field(default=0.05, ge=0, lt=1)
    cold_start_per_class: int = Field(default=5, ge=1)
    test_fraction: float = Field(
        default=0.2, ge=0, lt=1, description="pool share reserved for the held-out test set"
    )
    max_chars: int = Field(default=1200, ge=80, description="longer texts are cut when shown")
    seed: int = 0

    @model_validator(mode="after")
    def _fits_task(self) -> Schema:
        answers.check(self)
        return self

    def choice(self, key: str) -> Choice | None:
        return next((choice for choice in self.labels or [] if choice.key == key), None)


def load_schema(root: Path) -> Schema:
    """Read and validate labeling/schema.yaml."""
    return load_yaml(Paths(root).schema, Schema)


def share(seed: int, purpose: str, item: str) -> float:
    """A stable number in [0, 1) for an item: the same on every machine, run and pool order.

    Membership of the test pool and of the overlap set is decided by it, so neither changes as
    labels arrive or the pool grows.
    """
    digest = hashlib.sha256(f"{seed}:{purpose}:{item}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def in_test_pool(schema: Schema, item: str) -> bool:
    return share(schema.seed, "test", item) < schema.test_fraction


def needs_overlap(schema: Schema, item: str) -> bool:
    return share(schema.seed, "overlap", item) < schema.overlap_rate
