"""The whole DAG on the demo data, stage by stage in dvc.yaml order, and the command line."""

from __future__ import annotations

import importlib
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from {{ cookiecutter.module_name }} import cli

PROJECT = Path(__file__).parents[1]
STAGES = list(yaml.safe_load((PROJECT / "dvc.yaml").read_text())["stages"])


def test_stages_match_the_cli() -> None:
    dag = ["demo", "labels", "prepare", "sample", "baselines", "tune", "evaluate", "done"]
    dag += ["report", "queue"]
    assert dag == STAGES
    assert list(cli.STAGES) == STAGES


def test_dag_on_demo_data(root: Path) -> None:
    (root / "labeling" / "labels").mkdir(parents=True)
    for name in ("schema.yaml", "guidelines.md", "gold.jsonl"):
        shutil.copy(PROJECT / "labeling" / name, root / "labeling" / name)
    for stage in STAGES:
        importlib.import_module(f"{{ cookiecutter.module_name }}.{stage}").main(root)

    board = pd.read_csv(root / "reports" / "leaderboard.csv")
    assert board["model"].iloc[0] == "dummy"
    assert board["kept"].iloc[1:].any()
    assert {"rows", "fits"} <= set(board.columns)
    metrics = json.loads((root / "reports" / "metrics.json").read_text())
    assert {"model", "metric", "score", "cv", "test", "rows"} <= set(metrics)
    dummy_score = board["score"].iloc[0]
    picked = board.set_index("model").loc[metrics["model"]]
    assert picked["kept"] and picked["score"] > dummy_score
    done = json.loads((root / "reports" / "done.json").read_text())
    assert {"verdict", "metric", "score", "target", "actions"} <= set(done)
    queue = [json.loads(line) for line in (root / "labeling" / "queue.jsonl").open()]
    assert queue and {entry["why"] for entry in queue} <= {"uncertain", "random", "cold_start"}
    assert json.loads((root / "reports" / "labeling.json").read_text())["pool_left"] > 0
    assert done["verdict"] != "fold" and done["actions"]  # the demo is never a dead end

    tuning = pd.read_csv(root / "reports" / "tuning.csv")
    assert tuning["model"].tolist() == board.loc[board["kept"], "model"].tolist()
    assert tuning.loc[tuning["picked"], "model"].tolist() == [metrics["model"]]
    summary = json.loads((root / "reports" / "tuning.json").read_text())
    assert (summary["model"], summary["cv_score"]) == (metrics["model"], metrics["cv"])
    assert {"cpu_seconds", "grid_cpu_seconds", "forecast"} <= set(summary)
    curve = pd.read_csv(root / "reports" / "learning_curve.csv")
    assert list(curve.columns) == ["rows", "score", "score_std"]
    assert curve["rows"].is_monotonic_increasing and len(curve) >= 3
    cost = json.loads((root / "reports" / "cost.json").read_text())
    spent = cost["baselines_cpu_seconds"] + cost["tune_cpu_seconds"]
    assert cost["total_cpu_seconds"] == pytest.approx(spent, abs=0.002)  # each rounded to ms

    bundle = root / "artifacts" / "model"
    assert (root / "artifacts" / "registry.json").is_file()
    assert sorted(p.name for p in (bundle / "plots").glob("*.png"))
    page = (root / "reports" / "report.html").read_text(encoding="utf-8")
    assert "http" not in page.lower()
    assert page.count("<img ") == len(list((bundle / "plots").glob("*.png")))

    output = root / "predictions.csv"
    test = root / "data" / "prepared" / "test.parquet"
    argv = ["predict", "--bundle", str(bundle), "--input", str(test), "--output", str(output)]
    assert cli.main(argv) == 0
    assert len(pd.read_csv(output)) == metrics["rows"]


def test_help_lists_every_stage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main(["--help"])
    assert stopped.value.code == 0
    shown = capsys.readouterr().out
    for command in [*STAGES, "predict"]:
        assert re.search(rf"^ +{command} ", shown, re.MULTILINE), command


def test_user_error_exits_2_with_the_message(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(root)
    assert cli.main(["prepare"]) == 2
    assert capsys.readouterr().err.startswith("error: data.raw: ")
