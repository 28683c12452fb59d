"""compute.backend: dask gives the local run's scores on a real cluster; its failures are clear.

One `distributed.LocalCluster` (two worker processes, one thread each, on the loopback) serves
the module; the engine connects to it as it would to a remote cluster's scheduler.
"""

from __future__ import annotations

import math
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.baselines import leaderboard
from {{ cookiecutter.module_name }}.core.config import ComputeParams, Done, Params, Rung, load_params
from {{ cookiecutter.module_name }}.core.settings import ConfigError, ThriftyError
from {{ cookiecutter.module_name }}.core.task import make_cv
from {{ cookiecutter.module_name }}.modeling.compute import CONNECT_SECONDS, EXTRA, engine
from {{ cookiecutter.module_name }}.modeling.crossval import cross_score
from {{ cookiecutter.module_name }}.modeling.forecast import measure_curve
from {{ cookiecutter.module_name }}.modeling.ladder import build_candidate, split_xy
from {{ cookiecutter.module_name }}.modeling.pick import one_se_pick
from {{ cookiecutter.module_name }}.modeling.rounds import run_ladder
from {{ cookiecutter.module_name }}.modeling.search import tune_rungs

distributed = pytest.importorskip("distributed")
Edit = Callable[[str, dict[str, Any]], None]
Frame = Callable[..., pd.DataFrame]
MODULE = "{{ cookiecutter.module_name }}"
{%- if cookiecutter.task == "classification" %}
FOREST = "sklearn.ensemble.RandomForestClassifier"
{%- else %}
FOREST = "sklearn.ensemble.RandomForestRegressor"
{%- endif %}


@pytest.fixture(scope="module")
def cluster() -> Iterator[distributed.LocalCluster]:
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
    ) as running:
        yield running


def transitions(cluster: distributed.LocalCluster) -> int:
    """Task state changes the scheduler has made: it rises only when the cluster works."""
    return cluster.scheduler.transition_counter


def on(cluster: distributed.LocalCluster, params: Params) -> Params:
    """`params` with compute.backend: dask and the module's cluster as the scheduler."""
    compute = ComputeParams(backend="dask", scheduler=cluster.scheduler_address)
    return params.model_copy(update={"compute": compute})


def small(params: Params) -> Params:
    """Three folds, one repeat: the whole ladder in a few seconds."""
    baselines = params.baselines.model_copy(update={"cv_folds": 3, "cv_repeats": 1})
    tune = params.tune.model_copy(update={"cv_folds": 3})
    return params.model_copy(update={"baselines": baselines, "tune": tune})


def test_the_ladder_and_the_pick_on_dask_equal_the_local_run(
    cluster, make_frame: Frame, params: Params, done: Done
) -> None:
    params, frame = small(params), make_frame(60)
    X, y = split_xy(frame, params.data)
    easy = done.model_copy(update={"target": math.inf})  # tune every kept rung
    local = run_ladder(frame, params, done.metric)
    board = leaderboard(local, params)
    local_tuned = tune_rungs(X, y, board, params, easy)
    before = transitions(cluster)
    dask_params = on(cluster, params)
    with engine(dask_params.compute):
        remote = run_ladder(frame, dask_params, done.metric)
        remote_tuned = tune_rungs(X, y, leaderboard(remote, dask_params), dask_params, easy)
    assert transitions(cluster) > before, "the cluster ran nothing"
    assert list(remote) == list(local)
    for name in local:
        assert np.array_equal(remote[name].scores, local[name].scores), name
        assert remote[name].fit_cpu > 0  # measured inside the task, on the worker
    assert leaderboard(remote, dask_params)[["model", "kept", "why"]].equals(
        board[["model", "kept", "why"]]
    )
    assert [(t.name, t.status, t.params) for t in remote_tuned] == [
        (t.name, t.status, t.params) for t in local_tuned
    ]
    assert [t.score for t in remote_tuned] == [t.score for t in local_tuned]
    assert one_se_pick(remote_tuned)[0].name == one_se_pick(local_tuned)[0].name


def test_nested_parallel_calls_stay_inside_their_task(
    cluster, make_frame: Frame, params: Params, done: Done
) -> None:
    """A forest's trees are not tasks of their own: one task per fold, whatever the model."""
    X, y = split_xy(make_frame(60), params.data)
    rung = Rung(estimator=FOREST, params={"n_estimators": 50, "random_state": 0})
    model = build_candidate(rung, params.data, params.features)
    cv = make_cv(3, 1, 0)
    local = cross_score(model, X, y, cv, done.metric)
    before = transitions(cluster)
    with engine(on(cluster, params).compute):
        remote = cross_score(model, X, y, cv, done.metric)
    assert np.array_equal(remote.scores, local.scores)
    # A handful of transitions per fold; the 150 trees as tasks would make hundreds.
    assert 0 < transitions(cluster) - before < 60


def test_the_learning_curve_on_dask_equals_the_local_one(
    cluster, make_frame: Frame, params: Params, done: Done
) -> None:
    X, y = split_xy(make_frame(60), params.data)
    model = build_candidate(list(params.ladder.values())[1], params.data, params.features)
    args = (model, X, y, make_cv(3, 1, 0), done.metric, 20, 3, 1)
    local = measure_curve(*args)
    with engine(on(cluster, params).compute):
        remote = measure_curve(*args)
    assert remote[["rows", "score", "score_std"]].equals(local[["rows", "score", "score_std"]])
    assert (remote["cpu_seconds"] > 0).all()


def test_a_local_cluster_is_started_and_stopped_for_the_block(
    make_frame: Frame, params: Params, done: Done
) -> None:
    X, y = split_xy(make_frame(40), params.data)
    model = build_candidate(list(params.ladder.values())[1], params.data, params.features)
    cv = make_cv(3, 1, 0)
    local = cross_score(model, X, y, cv, done.metric)
    with engine(ComputeParams(backend="dask", n_jobs=2)):
        client = distributed.get_client()
        assert len(client.scheduler_info()["workers"]) == 2
        remote = cross_score(model, X, y, cv, done.metric)
    assert client.status == "closed"
    assert np.array_equal(remote.scores, local.scores)


def test_a_scheduler_that_does_not_answer_fails_quickly_and_names_it() -> None:
    with socket.socket() as probe:  # a port nothing listens on: bound, then closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    start = time.monotonic()
    with (
        pytest.raises(ThriftyError) as error,
        engine(ComputeParams(backend="dask", scheduler=address)),
    ):
        pytest.fail("connected to a closed port")
    assert time.monotonic() - start < CONNECT_SECONDS + 5
    assert f"no Dask scheduler answered at {address}" in str(error.value)
    assert "compute.scheduler: null" in str(error.value)


def test_the_missing_extra_is_named_with_the_command_that_installs_it() -> None:
    """Without distributed (blocked in a fresh interpreter), the error says what to do."""
    code = (
        "import sys; sys.modules['distributed'] = None\n"
        f"from {MODULE}.modeling.compute import engine\n"
        f"from {MODULE}.core.config import ComputeParams\n"
        f"from {MODULE}.core.settings import ThriftyError\n"
        "try:\n"
        "    with engine(ComputeParams(backend='dask')):\n"
        "        pass\n"
        "except ThriftyError as error:\n"
        "    print(error)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == EXTRA
    assert "make setup EXTRAS=dask" in EXTRA


def test_a_local_run_imports_no_dask() -> None:
    """Dask is imported where it is used: the stages start as fast as before without it."""
    code = (
        f"import sys, {MODULE}.baselines, {MODULE}.tune\n"
        "print(sorted(name for name in ('dask', 'distributed') if name in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("compute", "expected"),
    [
        ({"compute.backend": "ray"}, "compute.backend: Input should be 'local' or 'dask'"),
        ({"compute.scheduler": "localhost:8786"}, "'localhost:8786' is not a scheduler address"),
        ({"compute.scheduler": "tcp://10.0.0.5"}, "allowed: tcp://HOST:PORT"),
    ],
    ids=["backend", "no-protocol", "no-port"],
)
def test_compute_errors_name_the_key_and_what_is_allowed(
    root: Path, edit: Edit, compute: dict[str, str], expected: str
) -> None:
    edit("params.yaml", compute)
    with pytest.raises(ConfigError) as error:
        load_params(root)
    assert expected in str(error.value)
    assert "compute." in str(error.value)


def test_an_existing_scheduler_address_is_accepted(root: Path, edit: Edit) -> None:
    edit("params.yaml", {"compute.backend": "dask", "compute.scheduler": "tcp://[::1]:8786"})
    assert load_params(root).compute.scheduler == "tcp://[::1]:8786"
