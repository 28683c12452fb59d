"""Baked projects run their documented commands: make test, dvc repro, done --check, predict."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import bake, run, shared_setup

CONTRACT_COLUMNS = {"model", "score", "score_std", "cpu_seconds", "kept"}


@pytest.fixture(scope="module", params=["default_project", "regression_project"])
def reproduced(request) -> Path:
    project = request.getfixturevalue(request.param)
    run(["make", "repro"], project)
    return project


def test_project_tests_pass(reproduced):
    result = run(["make", "test"], reproduced)
    assert " passed" in result.stdout


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_text_project_tests_pass(task, tmp_path):
    """The text bakes' own tests too: every option combination runs its own suite."""
    project = shared_setup(bake(tmp_path, task=task, data_kind="text"))
    result = run(["make", "test"], project)
    assert " passed" in result.stdout and " failed" not in result.stdout


def test_outputs_of_the_contract(reproduced):
    board = pd.read_csv(reproduced / "reports" / "leaderboard.csv")
    assert set(board.columns) >= CONTRACT_COLUMNS
    assert board["model"].iloc[0] == "dummy"
    assert board["estimator"].iloc[0].startswith("sklearn.dummy.")
    metrics = json.loads((reproduced / "reports" / "metrics.json").read_text())
    done = json.loads((reproduced / "reports" / "done.json").read_text())
    assert {"verdict", "metric", "score", "target", "actions"} <= set(done)
    assert done["verdict"] in {"done", "keep_tuning", "more_data", "fold"}
    assert done["actions"] and all(isinstance(action, str) for action in done["actions"])
    assert metrics["score"] == done["score"]
    # The pick beats the dummy on the demo data, by more than the dummy's noise.
    dummy = board.iloc[0]
    pick = board[board["model"] == metrics["model"]].iloc[0]
    assert pick["score"] > dummy["score"] + 2 * max(pick["score_se"], 1e-3)
    for name in ("model.joblib", "metadata.json", "manifest.json"):
        assert (reproduced / "artifacts" / "model" / name).is_file()


def test_second_repro_runs_nothing(reproduced):
    result = run([".venv/bin/dvc", "repro"], reproduced)
    assert "Running stage" not in result.stdout
    assert run([".venv/bin/dvc", "status"], reproduced).stdout.strip().endswith("up to date.")


def test_done_check_and_predict(reproduced, tmp_path):
    module = next((reproduced / "src").iterdir()).name
    verdict = json.loads((reproduced / "reports" / "done.json").read_text())["verdict"]
    check = run([".venv/bin/python", "-m", module, "done", "--check"], reproduced, check=False)
    assert check.returncode == (0 if verdict == "done" else 1)
    rows = pd.read_parquet(reproduced / "data" / "prepared" / "test.parquet").head(7)
    target = yaml.safe_load((reproduced / "params.yaml").read_text())["data"]["target"]
    rows.drop(columns=[target]).assign(extra="ignored").to_csv(tmp_path / "in.csv", index=False)
    slug = reproduced.name
    run(
        [
            f".venv/bin/{slug}",
            "predict",
            "--bundle",
            "artifacts/model",
            "--input",
            str(tmp_path / "in.csv"),
            "--output",
            str(tmp_path / "out.csv"),
        ],
        reproduced,
    )
    predictions = pd.read_csv(tmp_path / "out.csv")
    assert len(predictions) == 7 and "prediction" in predictions
    rows.drop(columns=[target, rows.columns[0]]).to_csv(tmp_path / "short.csv", index=False)
    short = run(
        [
            ".venv/bin/python",
            "-m",
            module,
            "predict",
            "--input",
            str(tmp_path / "short.csv"),
            "--output",
            str(tmp_path / "never.csv"),
        ],
        reproduced,
        check=False,
    )
    assert short.returncode == 2 and rows.columns[0] in short.stderr
    assert not (tmp_path / "never.csv").exists()


def test_help_lists_every_stage(default_project):
    stages = yaml.safe_load((default_project / "dvc.yaml").read_text())["stages"]
    result = run([".venv/bin/python", "-m", "thrifty_demo", "--help"], default_project)
    for name in [*stages, "predict"]:
        assert name in result.stdout


@pytest.fixture
def editable(tmp_path) -> Path:
    """A private, set-up default project for tests that edit its files."""
    return shared_setup(bake(tmp_path / "bake", project_name="Edited Demo"))


def set_params(project: Path, **data: str) -> None:
    params = yaml.safe_load((project / "params.yaml").read_text())
    params["data"].update(data)
    (project / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))


def test_users_own_data_is_never_deleted(editable):
    run([".venv/bin/dvc", "repro", "demo"], editable)
    frame = pd.read_csv(editable / "data" / "raw" / "demo.csv")
    mine = editable / "data" / "raw" / "mine.csv"
    frame.rename(columns={"target": "diagnosis"}).assign(site="a").to_csv(mine, index=False)
    before = mine.read_bytes()
    set_params(editable, raw="data/raw/mine.csv", target="diagnosis")
    run([".venv/bin/dvc", "repro"], editable)
    run([".venv/bin/dvc", "repro", "--force", "demo"], editable)
    assert mine.read_bytes() == before
    # The demo's pool lacks the user's `site` column: labeling waits, the pipeline does not.
    assert (editable / "labeling" / "queue.jsonl").read_text() == ""
    assert json.loads((editable / "reports" / "done.json").read_text())["verdict"]


def test_missing_raw_file_names_path_and_key(editable):
    set_params(editable, raw="data/raw/nowhere.csv")
    result = run([".venv/bin/python", "-m", "edited_demo", "prepare"], editable, check=False)
    assert result.returncode == 2
    assert "data.raw" in result.stderr and "nowhere.csv" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_target_lists_columns(editable):
    run([".venv/bin/python", "-m", "edited_demo", "demo"], editable)
    set_params(editable, target="diagnosis")
    result = run([".venv/bin/python", "-m", "edited_demo", "prepare"], editable, check=False)
    assert result.returncode == 2
    assert "diagnosis" in result.stderr and "mean radius" in result.stderr
    assert not (editable / "data" / "prepared" / "train.parquet").exists()


def test_pre_commit_passes_offline(editable):
    run([".venv/bin/pre-commit", "install"], editable)
    run(["git", "add", "--all"], editable)
    result = run([".venv/bin/pre-commit", "run", "--all-files"], editable, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    (editable / "data" / "prepared").mkdir(parents=True)
    (editable / "data" / "prepared" / "train.parquet").write_bytes(b"not for git")
    run(["git", "add", "--force", "data/prepared/train.parquet"], editable)
    blocked = run([".venv/bin/pre-commit", "run"], editable, check=False)
    assert blocked.returncode != 0 and "tracked by DVC" in blocked.stdout
