"""Label your own data, end to end in a baked project: label, `dvc repro`, and nothing lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import bake, run, shared_setup


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    project = shared_setup(bake(tmp_path_factory.mktemp("labeling"), project_name="Labeling"))
    run([".venv/bin/dvc", "repro"], project)
    run(["git", "add", "-A"], project)
    run(["git", "commit", "-q", "-m", "First run"], project)
    return project


def label(project: Path, annotator: str, answers: list[str], *options: str):
    command = [".venv/bin/labeling", "label", "--annotator", annotator, *options]
    return run(command, project, input="".join(f"{answer}\n" for answer in answers))


def test_label_then_repro_changes_queue_and_leaderboard_and_keeps_labels(project: Path):
    queue = (project / "labeling" / "queue.jsonl").read_text()
    board = (project / "reports" / "leaderboard.csv").read_text()
    served = [json.loads(line)["item"] for line in queue.splitlines()]

    output = label(project, "newcomer", ["1", "2"] * 5, "--n", "10").stdout
    assert output.count("saved: label") == 10
    log = project / "labeling" / "labels" / "newcomer.jsonl"
    labels = log.read_bytes()
    events = [json.loads(line) for line in labels.splitlines()]
    assert [event["item"] for event in events] == served[:10]  # the queue's order, served

    ran = run([".venv/bin/dvc", "repro"], project).stdout
    for stage in ("labels", "prepare", "baselines", "tune", "evaluate", "queue"):
        assert f"Running stage '{stage}'" in ran
    assert log.read_bytes() == labels  # dvc repro read the labels and left them alone
    assert (project / "labeling" / "queue.jsonl").read_text() != queue
    assert not {
        json.loads(line)["item"]
        for line in (project / "labeling" / "queue.jsonl").read_text().splitlines()
    } & set(served[:10])
    assert (project / "reports" / "leaderboard.csv").read_text() != board
    figures = json.loads((project / "reports" / "labeling.json").read_text())
    assert figures["labelled_items"] == 10 and figures["annotators"] == 1
    assert figures["training_rows"] + figures["test_rows"] == 10

    # The logs are the user's, for git: not ignored, not a DVC output, still there after repro.
    status = run(["git", "status", "--porcelain", "labeling/labels"], project).stdout
    assert "newcomer.jsonl" in status and "lock" not in status
    assert "Running stage" not in run([".venv/bin/dvc", "repro"], project).stdout
    figures = json.loads((project / "reports" / "labeling.json").read_text())
    assert (figures["labelled_items"], figures["pool_left"]) == (10, 190)


def test_export_and_import_through_the_command_line(project: Path, tmp_path: Path):
    label(project, "second", ["1", "q"])
    export = tmp_path / "labels.csv"
    run([".venv/bin/labeling", "export-labels", str(export)], project)
    lines = export.read_text().splitlines()
    assert lines[0].startswith("id,label") and len(lines) >= 2

    doccano = tmp_path / "doccano.jsonl"
    item = lines[1].split(",")[0]
    doccano.write_text(json.dumps({"id": 1, "text": "x", "label": ["benign"]}) + "\n")
    bad = run(
        [".venv/bin/labeling", "import-labels", str(doccano), "--annotator", "cy"],
        project,
        check=False,
    )
    assert bad.returncode == 2 and "id" in bad.stderr  # no pool id: named, nothing written
    assert not (project / "labeling" / "labels" / "cy.jsonl").exists()
    doccano.write_text(json.dumps({"id": item, "text": "x", "label": ["benign"]}) + "\n")
    run([".venv/bin/labeling", "import-labels", str(doccano), "--annotator", "cy"], project)
    assert (project / "labeling" / "labels" / "cy.jsonl").is_file()


def test_bad_key_and_refused_second_session_through_the_command_line(project: Path):
    before = sorted((project / "labeling" / "labels").glob("*.jsonl"))
    output = label(project, "third", ["banana", "q"]).stdout
    assert "'banana' is not an answer here; nothing was saved." in output
    assert sorted((project / "labeling" / "labels").glob("*.jsonl")) == before
