"""Serialize everything: the published bundle, the offline report, DVC diffs and experiments."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import bake, run, shared_setup

PLOTS = {
    "classification": {"confusion_matrix", "roc", "precision_recall", "calibration"},
    "regression": {"predicted_vs_actual", "residuals"},
}


@pytest.fixture(scope="module", params=["classification", "regression"])
def project(request, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp(f"artifacts-{request.param}")
    project = shared_setup(bake(out, project_name="Art Demo", task=request.param))
    run([".venv/bin/dvc", "repro"], project)
    run(["git", "add", "--all"], project)
    run(["git", "commit", "--quiet", "-m", "First run"], project)
    return project


def task_of(project: Path) -> str:
    return (
        "classification"
        if "DummyClassifier" in (project / "params.yaml").read_text()
        else "regression"
    )


def test_bundle_holds_model_features_plots_metadata(project):
    bundle = project / "artifacts" / "model"
    manifest = json.loads((bundle / "manifest.json").read_text())["files"]
    expected = PLOTS[task_of(project)] | {
        "learning_curve",
        "leaderboard",
        "permutation_importance",
    }
    assert {Path(name).stem for name in manifest if name.startswith("plots/")} == expected
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


def test_report_is_one_offline_page(project):
    page = (project / "reports" / "report.html").read_text()
    assert "http" not in page
    images = re.findall(r'<img[^>]+src="data:image/png;base64,', page)
    plots = list((project / "artifacts" / "model" / "plots").glob("*.png"))
    assert len(images) == len(plots) > 0
    verdict = json.loads((project / "reports" / "done.json").read_text())["verdict"]
    assert verdict in page


def test_predict_refuses_a_tampered_bundle(project, tmp_path):
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
    assert "reports/learning_curve.csv" in shown
    assert any(name.startswith("artifacts/model/plots/") for name in shown)
    assert not plots.get("errors")


def test_experiment_with_a_done_yaml_value(project):
    run([".venv/bin/dvc", "exp", "run", "-S", "done.yaml:target=0.9"], project)
    shown = json.loads(run([".venv/bin/dvc", "exp", "show", "--json"], project).stdout)
    assert "0.9" in json.dumps(shown)
