"""Shared fixtures: a throwaway project root and tiny frames shaped like this project's data."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.pipeline import Pipeline

from {{ cookiecutter.module_name }}.core.config import Done, Params, load_done, load_params
from {{ cookiecutter.module_name }}.modeling.ladder import build_candidate, split_xy

PROJECT = Path(__file__).parents[1]
{%- if cookiecutter.data_kind == "text" %}
{%- if cookiecutter.task == "classification" %}
# Words that give each topic away; FILLER words appear under every topic.
WORDS = {
    "billing": ["refund", "invoice", "charged", "payment"],
    "delivery": ["parcel", "courier", "late", "tracking"],
}
{%- else %}
# The rating shows in how many "great" and "awful" words a text holds; FILLER never tells.
{%- endif %}
FILLER = ["please", "help", "order", "today", "thanks"]
{%- endif %}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A temporary project root with copies of the real params.yaml, done.yaml (and lexicons)."""
    for name in ("params.yaml", "done.yaml"):
        shutil.copy(PROJECT / name, tmp_path / name)
{%- if cookiecutter.data_kind == "text" %}
    shutil.copytree(PROJECT / "lexicons", tmp_path / "lexicons")
{%- endif %}
    return tmp_path


@pytest.fixture
def load(root: Path) -> Callable[[], tuple[Params, Done]]:
    """Read and validate the root's params.yaml (estimators too) and done.yaml as they are now."""
    return lambda: (load_params(root, ladder=True), load_done(root))


@pytest.fixture
def params(load: Callable[[], tuple[Params, Done]]) -> Params:
    return load()[0]


@pytest.fixture
def done(load: Callable[[], tuple[Params, Done]]) -> Done:
    return load()[1]


@pytest.fixture
def edit(root: Path) -> Callable[[str, dict[str, Any]], None]:
    """Set dotted keys (`ladder.dummy.estimator`) in one of the root's YAML files."""

    def apply(name: str, changes: dict[str, Any]) -> None:
        path = root / name
        data = yaml.safe_load(path.read_text())
        for dotted, value in changes.items():
            *parents, key = dotted.split(".")
            node = data
            for part in parents:
                node = node[part]
            node[key] = value
        path.write_text(yaml.safe_dump(data, sort_keys=False))

    return apply


def tiny_frame(rows: int, seed: int = 0) -> pd.DataFrame:
    """A frame with this project's columns and a label the features clearly predict."""
    rng = np.random.default_rng(seed)
{%- if cookiecutter.data_kind == "tabular" %}
{%- if cookiecutter.task == "classification" %}
    label = np.arange(rows) % 2  # alternating, so every class is as large as it can be
    size = 2.0 * label + rng.normal(scale=0.5, size=rows)
    target = np.where(label == 1, "yes", "no")
{%- else %}
    size = rng.normal(size=rows)
    target = 3.0 * size + rng.normal(scale=0.3, size=rows)
{%- endif %}
    return pd.DataFrame(
        {
            "size": size,
            "noise": rng.normal(size=rows),
            "colour": rng.choice(["red", "green", "blue"], size=rows),
            "target": target,
        }
    )
{%- else %}
{%- if cookiecutter.task == "classification" %}
    topics = [list(WORDS)[i % 2] for i in range(rows)]
    texts = [
        " ".join([*rng.choice(WORDS[topic], size=3), *rng.choice(FILLER, size=2)])
        for topic in topics
    ]
    return pd.DataFrame({"id": range(rows), "text": texts, "topic": topics})
{%- else %}
    ratings = np.arange(rows) % 5 + 1
    texts = [
        " ".join(["great"] * rating + ["awful"] * (5 - rating) + [*rng.choice(FILLER, size=2)])
        for rating in ratings
    ]
    return pd.DataFrame({"id": range(rows), "text": texts, "rating": ratings})
{%- endif %}
{%- endif %}


@pytest.fixture
def make_frame() -> Callable[..., pd.DataFrame]:
    """`make_frame(rows, seed=0)`: a tiny frame for this project's task and data kind."""
    return tiny_frame


@pytest.fixture
def fitted(params: Params) -> Pipeline:
    """The ladder's first non-dummy rung, fitted on 40 rows."""
    X, y = split_xy(tiny_frame(40), params.data)
    rung = list(params.ladder.values())[1]
    return build_candidate(rung, params.data, params.features).fit(X, y)
