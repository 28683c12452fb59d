"""The cost receipt: what each stage's process cost, imports included, and the search's CPU."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
from test_done import tuning  # reports/tuning.json as `tune` writes it

from {{ cookiecutter.module_name }}.core.config import load_done
from {{ cookiecutter.module_name }}.core.paths import Paths
from {{ cookiecutter.module_name }}.core.receipts import SUMMING_STAGE, process_cost, write_receipt
from {{ cookiecutter.module_name }}.core.records import Metrics, StageCost, write_record
from {{ cookiecutter.module_name }}.report import receipt, receipts

BUSY = "import time\nend = time.process_time() + {seconds}\nwhile time.process_time() < end: pass"


def stage(name: str, wall: float, cpu: float, model: float) -> StageCost:
    return StageCost(
        stage=name,
        finished_utc="2026-01-01T00:00:00+00:00",
        wall_seconds=wall,
        cpu_seconds=cpu,
        model_cpu_seconds=model,
        other_cpu_seconds=cpu - model,
    )


def test_receipt_adds_up_the_search_and_every_stage() -> None:
    board = pd.DataFrame({"model": ["dummy", "rival", "costly"], "cpu_seconds": [1.0, 2.0, None]})
    stages = [stage("baselines", 4.0, 4.5, 3.0), stage("tune", 2.0, 2.5, 1.0)]
    cost = receipt(board, tuning(cpu_seconds=3.0), stages)
    search = cost.model_dump(exclude={"pipeline", "stages"})
    assert search == {
        "baselines_cpu_seconds": 3.0,  # the skipped rung cost nothing
        "tune_cpu_seconds": 3.0,
        "forecast_cpu_seconds": 1.0,  # the learning curve's share of tune
        "total_cpu_seconds": 6.0,
        "grid_estimate_cpu_seconds": 40.0,
        "grid_to_ours": 6.67,
    }
    assert cost.pipeline.model_dump() == {
        "wall_seconds": 6.0,
        "cpu_seconds": 7.0,
        "model_cpu_seconds": 4.0,
        "other_cpu_seconds": 3.0,
    }
    assert [s.stage for s in cost.stages] == ["baselines", "tune"]


def test_receipt_of_a_free_run_has_no_ratio() -> None:
    free = receipt(pd.DataFrame({"cpu_seconds": [0.0]}), tuning(cpu_seconds=0.0), [])
    assert free.total_cpu_seconds == 0 and free.grid_to_ours is None
    assert free.pipeline.cpu_seconds == 0


def test_process_cost_counts_the_whole_process_and_its_children() -> None:
    wall, cpu = process_cost()
    assert wall > 0 and cpu > 0  # this test process has been running since pytest started
    subprocess.run([sys.executable, "-c", BUSY.format(seconds=0.3)], check=True)
    waits = BUSY.format(seconds=0.3) + "\ninput()"
    worker = subprocess.Popen([sys.executable, "-c", waits], stdin=subprocess.PIPE)
    try:
        time.sleep(1.0)  # the live child has burnt its 0.3 CPU s and waits for input
        later_wall, later_cpu = process_cost()
    finally:
        worker.communicate(b"\n", timeout=30)
    assert later_cpu - cpu >= 0.55  # the exited child and the live one, 0.3 CPU s each
    assert later_wall - wall >= 1.0


def test_a_stage_writes_its_receipt_last_and_only_on_success(tmp_path: Path) -> None:
    project = Path(__file__).parents[1]
    for name in ("params.yaml", "done.yaml"):
        (tmp_path / name).write_text((project / name).read_text())
    command = [sys.executable, "-m", "{{ cookiecutter.module_name }}.done"]
    cold = {**os.environ, "THRIFTY_WARM": "0"}  # a fresh process's imports (test_warm: warm)
    failed = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=cold)
    assert failed.returncode == 2 and "run `dvc repro` first" in failed.stderr
    assert not (tmp_path / "reports" / "stages").exists()  # no receipt for a failed run
    metric = load_done(tmp_path).metric
    write_record(
        Metrics(model="rival", metric=metric, score=0.5, cv=0.5, test={}, rows=9),
        tmp_path / "reports" / "metrics.json",
    )
    write_record(tuning(cpu_seconds=1.0), tmp_path / "reports" / "tuning.json")
    start = time.time()
    subprocess.run(command, cwd=tmp_path, check=True, capture_output=True, env=cold)
    took = time.time() - start
    written = StageCost.model_validate_json((tmp_path / "reports/stages/done.json").read_text())
    assert written.stage == "done"
    assert 0 < written.wall_seconds <= took + 0.05  # from the process's start to its last act
    assert written.cpu_seconds > 0.1  # the imports count: Python, pandas, pydantic at least
    assert written.model_cpu_seconds == 0  # the verdict fits nothing
    assert written.other_cpu_seconds == written.cpu_seconds
    assert json.loads((tmp_path / "reports" / "done.json").read_text())["verdict"]


def test_the_summing_stage_writes_no_receipt_file(tmp_path: Path) -> None:
    write_receipt(tmp_path, SUMMING_STAGE)  # its own is a line of cost.json: no file to read
    assert not (tmp_path / "reports").exists()
    write_receipt(tmp_path, "queue")
    assert StageCost.model_validate_json((tmp_path / "reports/stages/queue.json").read_text())


def test_a_receipt_killed_before_its_rename_is_not_read(tmp_path: Path) -> None:
    write_receipt(tmp_path, "queue")
    folder = Paths(tmp_path).stage_receipts
    (folder / ".evaluate.json.k1ll3d.json").write_text("")  # a SIGKILL between write and rename
    assert [r.stage for r in receipts(Paths(tmp_path))] == ["queue"]
