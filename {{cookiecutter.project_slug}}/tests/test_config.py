"""params.yaml and done.yaml: the shipped files load; every mistake is named by its key path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from {{ cookiecutter.module_name }}.core.config import Done, Params, load_done, load_params
from {{ cookiecutter.module_name }}.core.settings import ConfigError
from {{ cookiecutter.module_name }}.core.task import TASK

Edit = Callable[[str, dict[str, Any]], None]
{%- if cookiecutter.task == "classification" %}
RIVAL = "logistic"
SEARCHED = "C"
OTHER_TASK_METRIC = "r2"
OTHER_TASK_ESTIMATOR = "sklearn.linear_model.Ridge"
ERROR_METRIC = "neg_log_loss"
{%- else %}
RIVAL = "ridge"
SEARCHED = "alpha"
OTHER_TASK_METRIC = "accuracy"
OTHER_TASK_ESTIMATOR = "sklearn.linear_model.LogisticRegression"
ERROR_METRIC = "neg_mean_absolute_error"
{%- endif %}


def test_shipped_files_load(load: Callable[[], tuple[Params, Done]]) -> None:
    params, done = load()
    assert next(iter(params.ladder.values())).estimator.startswith("sklearn.dummy.")
    assert RIVAL in params.ladder
    assert done.floor <= done.target


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"colour": "blue"}, "colour: Extra inputs are not permitted"),
        ({"metric": OTHER_TASK_METRIC}, f"'{OTHER_TASK_METRIC}' is not a {TASK} scorer"),
        ({"target": 1.5}, "target=1.5 is outside"),
        ({"target": 0.5, "floor": 0.6}, "floor=0.6 is above target=0.5"),
        ({"metric": ERROR_METRIC, "target": 0.3, "floor": 0.1}, "error metrics are negative"),
        ({"budget_cpu_seconds": 0}, "budget_cpu_seconds: Input should be greater than 0"),
    ],
    ids=[
        "unknown-key",
        "other-task-metric",
        "out-of-range",
        "floor-above-target",
        "error-metric",
        "no-budget",
    ],
)
def test_done_errors(root: Path, edit: Edit, changes: dict[str, Any], expected: str) -> None:
    edit("done.yaml", changes)
    with pytest.raises(ConfigError) as error:
        load_done(root)
    assert str(error.value).startswith("done.yaml has")
    assert expected in str(error.value)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"sample.colour": 1}, "sample.colour: Extra inputs are not permitted"),
        ({"ladder.dummy.estimator": "sklearn.dummy.DummyWizard"}, "ladder.dummy.estimator:"),
        ({f"ladder.{RIVAL}.estimator": OTHER_TASK_ESTIMATOR}, "does not fit this project's task"),
        ({"ladder.dummy.params": dict(colour=1)}, "has no parameter(s) colour"),
        ({"ladder.dummy.estimator": "sklearn.metrics.accuracy_score"}, "is not an estimator"),
        ({f"ladder.{RIVAL}.search.{SEARCHED}": []}, f"ladder.{RIVAL}.search.{SEARCHED}: List"),
        ({f"ladder.{RIVAL}.max_rows": 0}, f"ladder.{RIVAL}.max_rows: Input should be greater"),
        ({"tune.factor": 1}, "tune.factor: Input should be greater than or equal to 2"),
        ({"tune.curve_points": 2}, "tune.curve_points: Input should be greater than or equal"),
        ({"tune.max_candidates": 0}, "tune.max_candidates: Input should be greater than or"),
    ],
    ids=[
        "unknown-key",
        "unknown-estimator",
        "wrong-task",
        "unknown-parameter",
        "not-a-class",
        "empty-search-list",
        "max-rows-not-positive",
        "halving-factor-below-2",
        "too-few-curve-points",
        "no-candidates",
    ],
)
def test_params_errors(root: Path, edit: Edit, changes: dict[str, Any], expected: str) -> None:
    edit("params.yaml", changes)
    with pytest.raises(ConfigError) as error:
        load_params(root, ladder=True)
    assert expected in str(error.value)


def test_first_rung_must_be_a_dummy(root: Path, edit: Edit, params: Params) -> None:
    ladder = params.model_dump(mode="json")["ladder"]
    edit("params.yaml", {"ladder": dict(reversed(ladder.items()))})
    with pytest.raises(ConfigError, match="first rung must be a sklearn.dummy"):
        load_params(root)


def test_one_error_lists_every_problem(root: Path, edit: Edit) -> None:
    edit(
        "params.yaml",
        {
            "sample.colour": 1,
            "baselines.cv_folds": 1,
            "ladder.dummy.estimator": "sklearn.dummy.DummyWizard",
        },
    )
    with pytest.raises(ConfigError) as error:
        load_params(root, ladder=True)
    assert str(error.value).startswith("params.yaml has 3 problem(s)")
    for path in ("sample.colour:", "baselines.cv_folds:", "ladder.dummy.estimator:"):
        assert path in str(error.value)


def test_missing_file_is_named(root: Path) -> None:
    (root / "done.yaml").unlink()
    with pytest.raises(ConfigError, match="done.yaml: file not found"):
        load_done(root)


def test_broken_yaml_is_shown_at_its_line(root: Path) -> None:
    """libyaml reads the files; a text it refuses is read again for the fuller message."""
    path = root / "done.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "extra: [1, 2\n", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_done(root)
    message = str(error.value)
    assert message.startswith("done.yaml: not valid YAML: while parsing a flow sequence")
    assert "extra: [1, 2\n" in message and "^" in message  # the line, and a caret under it
