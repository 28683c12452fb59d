"""One place for paths and settings: pydantic models of params.yaml and done.yaml, one loader.

Every stage reads its settings through `load_params` and `load_done`, so a typo in either file
fails at once, with every problem listed by its key path, before any work is done.
"""

from __future__ import annotations

import importlib
import math
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
{%- if cookiecutter.data_kind == "text" %}
    ValidationInfo,
{%- endif %}
    field_validator,
    model_validator,
)

from .scorers import metrics_for

TASK: Literal["classification", "regression"] = "{{ cookiecutter.task }}"
DATA_KIND: Literal["tabular", "text"] = "{{ cookiecutter.data_kind }}"


class ThriftyError(Exception):
    """A problem the user can fix (bad config, bad data); the CLI prints it without a traceback."""


class ConfigError(ThriftyError):
    """params.yaml or done.yaml does not describe a valid run."""


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataParams(Section):
    raw: Path = Field(description="raw CSV or Parquet file, relative to the project root")
    target: str = Field(min_length=1, description="the label column")
{%- if cookiecutter.data_kind == "text" %}
    text: Annotated[str, Field(min_length=1)] | Annotated[list[str], Field(min_length=1)] = Field(
        description="the text column, or a list of columns joined into one text per row"
    )
    encoding_errors: Literal["strict", "replace"] = Field(
        default="strict", description="bytes that are not UTF-8: an error, or replaced by U+FFFD"
    )
    max_chars: int = Field(default=5000, ge=1, description="longer texts are truncated")
{%- endif %}
    drop: list[str] = Field(default_factory=list, description="columns never used as features")
{%- if cookiecutter.data_kind == "text" %}

    @field_validator("text")
    @classmethod
    def _distinct_columns(cls, text: str | list[str]) -> str | list[str]:
        if isinstance(text, list) and (len(set(text)) < len(text) or not all(text)):
            raise ValueError(f"{text} must list distinct, non-empty column names")
        return text
{%- endif %}


{%- if cookiecutter.data_kind == "text" %}


class DemoParams(Section):
    rows: int = Field(default=1200, ge=20)
    seed: int = 0
{%- endif %}


class LabelsParams(Section):
    pool: Path = Field(description="unlabelled items (CSV or Parquet) the labeler serves")


class PrepareParams(Section):
    test_size: float = Field(gt=0, lt=1)
    seed: int = 0


class SampleParams(Section):
    max_rows: int = Field(gt=0)
    seed: int = 0


{%- if cookiecutter.data_kind == "text" %}


class NgramParams(Section):
    """One TF-IDF vectorizer: the n-gram lengths, and which terms it keeps."""

    ngram_range: tuple[int, int]
    min_df: int = Field(default=1, ge=1, description="drop terms seen in fewer documents")
    max_features: int | None = Field(default=None, gt=0, description="keep the most frequent")

    @field_validator("ngram_range")
    @classmethod
    def _ordered(cls, value: tuple[int, int]) -> tuple[int, int]:
        if not 1 <= value[0] <= value[1]:
            raise ValueError(f"{list(value)} must be [low, high] with 1 <= low <= high")
        return value
{%- endif %}


class FeaturesParams(Section):
{%- if cookiecutter.data_kind == "text" %}
    words: NgramParams = NgramParams(ngram_range=(1, 2))
    chars: NgramParams | None = Field(default=None, description="n-grams of characters; null: off")
    sublinear_tf: bool = True
    lowercase: bool = True
    lexicons: Path | None = Field(
        default=Path("lexicons"), description="folder of *.txt word lists; null: none"
    )

    @field_validator("lexicons")
    @classmethod
    def _under_root(cls, folder: Path | None, info: ValidationInfo) -> Path | None:
        """Resolve against the project root (load_yaml's context), as stages may run anywhere."""
        root = (info.context or {}).get("root")
        return root / folder if folder is not None and root is not None else folder
{%- else %}
    max_categories: int = Field(default=20, ge=2, description="one-hot at most this many levels")
{%- endif %}


class Rung(Section):
    estimator: str = Field(description="dotted path of a scikit-learn estimator class")
    params: dict[str, Any] = Field(default_factory=dict)
    search: dict[str, Annotated[list[Any], Field(min_length=1)]] = Field(default_factory=dict)
    max_rows: int | None = Field(
        default=None, gt=0, description="skip this rung when the training data is larger"
    )

    @field_validator("estimator")
    @classmethod
    def _known_estimator(cls, path: str) -> str:
        module, _, name = path.rpartition(".")
        if not module.startswith("sklearn."):
            raise ValueError(
                f"{path!r} is not a scikit-learn estimator (sklearn.<module>.<Class>)"
            )
        try:
            estimator = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            raise ValueError(f"{path!r} does not exist in the installed scikit-learn") from None
        from sklearn.base import is_classifier, is_regressor

        # Functions and classes that need constructor arguments would raise a bare TypeError.
        try:
            instance = estimator() if isinstance(estimator, type) else None
        except TypeError:
            instance = None
        if instance is None:
            raise ValueError(f"{path!r} is not an estimator class that can be built from params")
        fits_task = is_classifier if TASK == "classification" else is_regressor
        if not fits_task(instance):
            raise ValueError(f"{path!r} does not fit this project's task ({TASK})")
        return path

    @model_validator(mode="after")
    def _known_parameters(self) -> Rung:
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


class TuneParams(Section):
    cv_folds: int = Field(ge=2)
    seed: int = 0
    factor: int = Field(default=3, ge=2, description="successive halving keeps 1/factor")
    max_candidates: int = Field(default=24, ge=1, description="sampled when a grid is larger")
    curve_points: int = Field(default=5, ge=3, description="sizes on the learning curve")


class ArtifactsParams(Section):
    format: Literal["joblib", "skops"] = Field(
        default="joblib", description="skops loads only allow-listed types; joblib is faster"
    )


class ComputeParams(Section):
    n_jobs: int = Field(default=1, description="joblib workers; -1 uses every core")


class Params(Section):
    data: DataParams
{%- if cookiecutter.data_kind == "text" %}
    demo: DemoParams
{%- endif %}
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
        allowed = metrics_for(TASK)
        if metric not in allowed:
            raise ValueError(f"{metric!r} is not a {TASK} scorer; allowed: {', '.join(allowed)}")
        return metric

    @model_validator(mode="after")
    def _thresholds_fit_metric(self) -> Done:
        low, high = metrics_for(TASK).get(self.metric, (-math.inf, math.inf))
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


def find_root(start: Path | None = None) -> Path:
    """The project root: the nearest folder at or above `start` that holds params.yaml."""
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / "params.yaml").is_file():
            return folder
    raise ConfigError(f"no params.yaml in {start} or any parent: run inside the project")


def load_yaml(path: Path, model: type[BaseModel]) -> Any:
    if not path.is_file():
        raise ConfigError(f"{path.name}: file not found at {path}")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ConfigError(f"{path.name}: not valid YAML: {error}") from None
    try:
        return model.model_validate(raw if raw is not None else {}, context={"root": path.parent})
    except ValidationError as error:
        lines = [
            f"  {'.'.join(str(part) for part in issue['loc']) or '(top level)'}: {issue['msg']}"
            for issue in error.errors()
        ]
        count = f"{path.name} has {len(lines)} problem(s):\n"
        raise ConfigError(count + "\n".join(lines)) from None


def load_params(root: Path) -> Params:
    """Read and validate params.yaml."""
    return load_yaml(root / "params.yaml", Params)


def load_done(root: Path) -> Done:
    """Read and validate done.yaml."""
    return load_yaml(root / "done.yaml", Done)
