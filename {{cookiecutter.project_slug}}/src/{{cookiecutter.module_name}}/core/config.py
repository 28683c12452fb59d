"""The settings of a run: pydantic models of params.yaml and done.yaml, and their loaders.

Every stage reads its settings through `load_params` and `load_done`, so a typo in either file
fails at once, with every problem listed by its key path, before any work is done. Checking
that each ladder estimator exists and takes its parameters imports scikit-learn, so only the
stages that import it anyway ask for it (`ladder=True`: prepare, baselines, tune); the labeler
and the light stages start without it. The data settings (`data`, `features`, `demo`) differ
between tabular and text projects: `data.py`.
"""

from __future__ import annotations

import importlib
import math
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from .data import DataParams, DemoParams, FeaturesParams
from .settings import Section, load_yaml
from .task import METRICS, TASK, fits_task


class LabelsParams(Section):
    pool: Path = Field(description="unlabelled items (CSV or Parquet) the labeler serves")


class PrepareParams(Section):
    test_size: float = Field(gt=0, lt=1)
    seed: int = 0


class SampleParams(Section):
    max_rows: int = Field(gt=0)
    seed: int = 0


def _checks_ladder(info: ValidationInfo) -> bool:
    """Whether to import and check the ladder's estimators: where the ladder is used (the
    `ladder` flag of `load_params`), or when a rung is validated outside a settings file."""
    return info.context is None or info.context.get("ladder", True)


class Rung(Section):
    estimator: str = Field(description="dotted path of a scikit-learn estimator class")
    params: dict[str, Any] = Field(default_factory=dict)
    search: dict[str, Annotated[list[Any], Field(min_length=1)]] = Field(default_factory=dict)
    max_rows: int | None = Field(
        default=None, gt=0, description="skip this rung when the training data is larger"
    )

    @field_validator("estimator")
    @classmethod
    def _known_estimator(cls, path: str, info: ValidationInfo) -> str:
        module, _, name = path.rpartition(".")
        if not module.startswith("sklearn."):
            raise ValueError(
                f"{path!r} is not a scikit-learn estimator (sklearn.<module>.<Class>)"
            )
        if not _checks_ladder(info):  # importing scikit-learn costs every stage a second
            return path
        try:
            estimator = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            raise ValueError(f"{path!r} does not exist in the installed scikit-learn") from None
        # Functions and classes that need constructor arguments would raise a bare TypeError.
        try:
            instance = estimator() if isinstance(estimator, type) else None
        except TypeError:
            instance = None
        if instance is None:
            raise ValueError(f"{path!r} is not an estimator class that can be built from params")
        if not fits_task(instance):
            raise ValueError(f"{path!r} does not fit this project's task ({TASK})")
        return path

    @model_validator(mode="after")
    def _known_parameters(self, info: ValidationInfo) -> Rung:
        if not _checks_ladder(info):
            return self
        module, _, name = self.estimator.rpartition(".")
        allowed = getattr(importlib.import_module(module), name)().get_params()
        unknown = sorted((set(self.params) | set(self.search)) - set(allowed))
        if unknown:
            raise ValueError(
                f"{name} has no parameter(s) {', '.join(unknown)}; it takes {', '.join(allowed)}"
            )
        return self


class BaselinesParams(Section):
    cv_folds: int = Field(ge=2)
    cv_repeats: int = Field(ge=1)
    seed: int = 0
    alpha: float = Field(gt=0, lt=1, description="significance of 'beats the dummy'")
    max_se_behind: float = Field(ge=0, description="drop rungs this many SE behind the best")
    top_k: int = Field(ge=1)
    factor: int = Field(default=3, ge=2, description="each round of the race has factor x rows")
    max_rows: int = Field(
        default=50_000, ge=10, description="the race's last round has at most this many rows"
    )


class TuneParams(Section):
    cv_folds: int = Field(ge=2)
    seed: int = 0
    factor: int = Field(default=3, ge=2, description="successive halving keeps 1/factor")
    max_candidates: int = Field(default=24, ge=1, description="sampled when a grid is larger")
    curve_points: int = Field(default=5, ge=3, description="sizes on the learning curve")
    max_rows: int = Field(
        default=50_000, ge=10, description="a seeded sample of the training split at most this big"
    )


class ArtifactsParams(Section):
    format: Literal["joblib", "skops"] = Field(
        default="joblib", description="skops loads only allow-listed types; joblib is faster"
    )


# tcp://HOST:PORT (or tls://), HOST a name, an IPv4 address or a bracketed IPv6 address.
SCHEDULER_ADDRESS = re.compile(r"(tcp|tls)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):[0-9]{1,5}")


class ComputeParams(Section):
    n_jobs: int = Field(
        default=1, description="joblib workers, or the LocalCluster's workers; -1 uses every core"
    )
    backend: Literal["local", "dask"] = Field(
        default="local", description="where model work runs: this machine's joblib, or Dask"
    )
    scheduler: str | None = Field(
        default=None,
        description="with dask: null starts a LocalCluster here; else a scheduler's address",
    )

    @field_validator("scheduler")
    @classmethod
    def _scheduler_address(cls, address: str | None) -> str | None:
        if address is not None and not SCHEDULER_ADDRESS.fullmatch(address):
            raise ValueError(
                f"{address!r} is not a scheduler address; allowed: tcp://HOST:PORT (such as "
                "tcp://10.0.0.5:8786), or null to start a cluster on this machine"
            )
        return address


class Params(Section):
    data: DataParams
    demo: DemoParams = DemoParams()
    labels: LabelsParams
    prepare: PrepareParams
    sample: SampleParams
    features: FeaturesParams
    ladder: dict[str, Rung] = Field(min_length=2)
    baselines: BaselinesParams
    tune: TuneParams
    artifacts: ArtifactsParams
    compute: ComputeParams

    @model_validator(mode="after")
    def _dummy_first(self) -> Params:
        first = next(iter(self.ladder.values()))
        if not first.estimator.startswith("sklearn.dummy."):
            raise ValueError("ladder: the first rung must be a sklearn.dummy estimator (the bar)")
        return self


class Done(Section):
    """done.yaml: what 'done' means for this project, in the units of one scorer."""

    metric: str
    target: float
    floor: float
    budget_cpu_seconds: float = Field(gt=0)
    min_gain: float = Field(ge=0)

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, metric: str) -> str:
        allowed = METRICS
        if metric not in allowed:
            raise ValueError(f"{metric!r} is not a {TASK} scorer; allowed: {', '.join(allowed)}")
        return metric

    @model_validator(mode="after")
    def _thresholds_fit_metric(self) -> Done:
        low, high = METRICS.get(self.metric, (-math.inf, math.inf))
        hint = " (error metrics are negative: write -0.5 for an error of 0.5)" if high == 0 else ""
        problems = [
            f"{key}={value} is outside {self.metric}'s range [{low}, {high}]{hint}"
            for key, value in (("target", self.target), ("floor", self.floor))
            if not low <= value <= high
        ]
        if self.floor > self.target:
            problems.append(f"floor={self.floor} is above target={self.target}")
        if problems:
            raise ValueError("; ".join(problems))
        return self


def load_params(root: Path, ladder: bool = False) -> Params:
    """Read and validate params.yaml; with `ladder`, also import and check every estimator.

    Only the stages that build the ladder's candidates pass `ladder=True`: importing every
    rung's scikit-learn module would slow every other stage (and the labeler) by a second.
    """
    return load_yaml(root / "params.yaml", Params, {"ladder": ladder})


def load_done(root: Path) -> Done:
    """Read and validate done.yaml."""
    return load_yaml(root / "done.yaml", Done)
