"""Serialize everything: the published bundle, the offline report, DVC diffs and experiments."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import bake, run, shared_setup

PLOTS = {
    "classification": {"confusion_matrix", "roc", "precision_recall", "calibration"},
    "regression": {"predicted_vs_actual", "residuals"},
}


# The text project is baked for the read-only checks only: each bake and run costs ~30 s.
KINDS = {
    "classification": {"task": "classification"},
    "regression": {"task": "regression"},
    "text": {"data_kind": "text"},
}
TEXT_FILES = {
    "vocabulary.json",
    "lexicons.json",
    "lexicons/negative.txt",
    "lexicons/positive.txt",
    "top_terms.csv",
}


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Callable[[str], Path]:
    """`published(kind)`: a project of that kind, run and committed once for this module."""
    projects: dict[str, Path] = {}

    def get(kind: str) -> Path:
        if kind not in projects:
            out = tmp_path_factory.mktemp(f"artifacts-{kind}")
            project = shared_setup(bake(out, project_name="Art Demo", **KINDS[kind]))
            run([".venv/bin/dvc", "repro"], project)
            run(["git", "add", "--all"], project)
            run(["git", "commit", "--quiet", "-m", "First run"], project)
            projects[kind] = project
        return projects[kind]

    return get


@pytest.fixture(params=["classification", "regression"])
def project(request, published) -> Path:
    return published(request.param)


def task_of(project: Path) -> str:
    return (
        "classification"
        if "DummyClassifier" in (project / "params.yaml").read_text()
        else "regression"
    )


def is_text(project: Path) -> bool:
    return (project / "lexicons").is_dir()


@pytest.mark.parametrize("kind", list(KINDS))
def test_bundle_holds_model_features_plots_metadata(published, kind):
    project = published(kind)
    bundle = project / "artifacts" / "model"
    manifest = json.loads((bundle / "manifest.json").read_text())["files"]
    explained = "top_terms" if is_text(project) else "permutation_importance"
    expected = PLOTS[task_of(project)] | {"learning_curve", "leaderboard", explained}
    assert {Path(name).stem for name in manifest if name.startswith("plots/")} == expected
    assert set(manifest) & TEXT_FILES == (TEXT_FILES if is_text(project) else set())
    for name in ("model.joblib", "features.joblib", "feature_names.json", "metadata.json"):
        assert name in manifest
    on_disk = {p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()}
    assert on_disk == set(manifest) | {"manifest.json"}
    metadata = json.loads((bundle / "metadata.json").read_text())
    for key in (
        "git",
        "data",
        "params",
        "done",
        "cv_score",
        "test",
        "versions",
        "python",
        "platform",
        "cpu_seconds",
        "created_utc",
        "columns",
    ):
        assert key in metadata, key
    assert metadata["versions"]["scikit-learn"]
    assert metadata["data"], "data digests from dvc.lock"
    registry = json.loads((project / "artifacts" / "registry.json").read_text())
    assert len(registry["bundles"]["model"]["manifest_sha256"]) == 1
    tracked = run(["git", "ls-files", "artifacts"], project).stdout.split()
    assert "artifacts/registry.json" in tracked and "artifacts/model/model.joblib" not in tracked


def test_text_bundle_holds_lexicons_vocabulary_and_top_terms(published):
    project = published("text")
    bundle = project / "artifacts" / "model"
    manifest = json.loads((bundle / "manifest.json").read_text())["files"]
    lexicons = json.loads((bundle / "lexicons.json").read_text())
    assert sorted(lexicons) == ["negative", "positive"]
    for name, entry in lexicons.items():
        shipped = hashlib.sha256((project / "lexicons" / f"{name}.txt").read_bytes()).hexdigest()
        assert entry["sha256"] == manifest[entry["file"]]["sha256"] == shipped
    names = json.loads((bundle / "feature_names.json").read_text())
    assert {entry["feature"] for entry in lexicons.values()} <= set(names)
    vocabulary = json.loads((bundle / "vocabulary.json").read_text())
    assert set(vocabulary) == {"words", "chars"}
    for kind, terms in vocabulary.items():
        assert all(names[column] == f"{kind}__{term}" for term, column in terms.items())
    with (bundle / "top_terms.csv").open(newline="") as handle:
        top = list(csv.reader(handle))
    assert top[0] == ["class", "rank", "direction", "kind", "term", "weight"]
    rows = top[1:]
    assert {row[0] for row in rows} == {"billing", "delivery", "product", "account"}
    # Each class's terms go both ways: some pull towards it, some away, the sign agreeing.
    for row in rows:
        assert row[2] in ("towards", "away") and (float(row[5]) > 0) == (row[2] == "towards")
    # The lexicons are a dependency of the stages that fit features, never an output.
    stages = yaml.safe_load((project / "dvc.yaml").read_text())["stages"]
    for stage in ("baselines", "tune", "evaluate"):
        assert "lexicons" in stages[stage]["deps"], stage
    assert not any("lexicons" in str(stage.get("outs", [])) for stage in stages.values())


@pytest.mark.parametrize("kind", list(KINDS))
def test_report_is_one_offline_page(published, kind):
    project = published(kind)
    page = (project / "reports" / "report.html").read_text()
    assert "http" not in page
    images = re.findall(r'<img[^>]+src="data:image/png;base64,', page)
    plots = list((project / "artifacts" / "model" / "plots").glob("*.png"))
    assert len(images) == len(plots) > 0
    verdict = json.loads((project / "reports" / "done.json").read_text())["verdict"]
    assert verdict in page


@pytest.mark.parametrize("kind", list(KINDS))
def test_predict_refuses_a_tampered_bundle(published, kind, tmp_path):
    project = published(kind)
    copy = tmp_path / "artifacts" / "model"
    shutil.copytree(project / "artifacts" / "model", copy)
    shutil.copy(project / "artifacts" / "registry.json", tmp_path / "artifacts")
    test = project / "data" / "prepared" / "test.parquet"
    command = [
        ".venv/bin/python",
        "-m",
        "art_demo",
        "predict",
        "--bundle",
        str(copy),
        "--input",
        str(test),
        "--output",
        str(tmp_path / "out.csv"),
    ]
    run(command, project)
    model = copy / "model.joblib"
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model.write_bytes(bytes(data))
    refused = run(command, project, check=False)
    assert refused.returncode == 2 and "model.joblib does not match" in refused.stderr


def edit_params(project: Path, section: str, key: str, value) -> None:
    path = project / "params.yaml"
    params = yaml.safe_load(path.read_text())
    params[section][key] = value
    path.write_text(yaml.safe_dump(params, sort_keys=False))


def test_metrics_params_and_plots_diff_between_commits(project):
    edit_params(project, "prepare", "seed", 7)
    run([".venv/bin/dvc", "repro"], project)
    run(["git", "add", "--all"], project)
    run(["git", "commit", "--quiet", "-m", "Another split"], project)
    params = json.loads(
        run([".venv/bin/dvc", "params", "diff", "HEAD~1", "--json"], project).stdout
    )
    change = params["params.yaml"]["prepare.seed"]
    assert (change["old"], change["new"]) == (42, 7)
    metrics = json.loads(
        run([".venv/bin/dvc", "metrics", "diff", "HEAD~1", "--json"], project).stdout
    )
    assert "reports/metrics.json" in metrics and metrics["reports/metrics.json"]
    plots = json.loads(run([".venv/bin/dvc", "plots", "diff", "HEAD~1", "--json"], project).stdout)
    shown = set(plots["data"])
    # The bundle's images only: DVC's CSV renderer loads its scripts from a CDN.
    assert shown and all(name.startswith("artifacts/model/plots/") for name in shown)
    assert "artifacts/model/plots/learning_curve.png" in shown
    assert not plots.get("errors")


def test_experiment_with_a_done_yaml_value(project):
    run([".venv/bin/dvc", "exp", "run", "-S", "done.yaml:target=0.9"], project)
    shown = json.loads(run([".venv/bin/dvc", "exp", "show", "--json"], project).stdout)
    assert "0.9" in json.dumps(shown)
    # Both tables a team reads in a terminal fit 120 columns, whole: no column elided.
    terminal = {**os.environ, "COLUMNS": "120"}
    table = run(["make", "--no-print-directory", "exps"], project, env=terminal).stdout
    lines = table.splitlines()[1:]  # after make's echo of the command
    (header,) = [line.split() for line in lines if "Experiment" in line]
    assert {"Experiment", "model", "score", "cv", "target"} <= set(header), header
    assert not any("/" in name for name in header)  # no dependency hashes
    assert max(map(len, lines)) <= 120 and "…" not in table, table
    metrics = run([".venv/bin/dvc", "metrics", "show"], project, env=terminal).stdout
    assert max(map(len, metrics.splitlines())) <= 120, metrics
    assert ("test.rmse" if task_of(project) == "regression" else "test.accuracy") in metrics
