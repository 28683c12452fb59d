"""`predict` on what users hand it: missing, extra and mistyped columns, no rows, a million rows.

The session's regression bake (the diabetes demo, ten number columns) is run once; its bundle
then predicts files written here, through the command a user types, as a whole process.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import run

CLI = ".venv/bin/thrifty-demo"


@pytest.fixture(scope="module")
def project(regression_project) -> Path:
    """The session's regression bake (conftest), its pipeline run; predict only reads it."""
    run([".venv/bin/dvc", "repro"], regression_project)
    return regression_project


@pytest.fixture(scope="module")
def features(project) -> pd.DataFrame:
    """The held-out rows without their target: what a user would send to predict."""
    test = pd.read_parquet(project / "data" / "prepared" / "test.parquet")
    return test.drop(columns=["target"])


def predict(project: Path, source: Path, output: Path) -> tuple[int, str, float]:
    """(exit code, stderr, peak RSS in MB) of `predict` as one cold process."""
    command = [CLI, "predict", "--input", str(source), "--output", str(output)]
    cold = {**os.environ, "THRIFTY_WARM": "0"}  # a warm fork's memory is not the child's
    process = subprocess.Popen(
        command, cwd=project, env=cold, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    stderr = process.stderr.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    return os.waitstatus_to_exitcode(status), stderr, usage.ru_maxrss / 1024


def test_bad_input_gets_one_message_and_no_output(project, features, tmp_path):
    typed = features.reset_index(drop=True).astype({"bmi": object})
    typed.loc[2, "bmi"] = "thirty"
    cases = {
        "missing.csv": (features.drop(columns=["bmi", "age"]), "needs: age, bmi"),
        "typed.csv": (typed, "column 'bmi' holds 'thirty' (data row 3) where the model was"),
    }
    for name, (frame, message) in cases.items():
        source, output = tmp_path / name, tmp_path / f"out-{name}"
        frame.reset_index(drop=True).to_csv(source, index=False)
        code, stderr, _ = predict(project, source, output)
        assert code == 2 and message in stderr and "Traceback" not in stderr, stderr
        assert not output.exists() and not list(tmp_path.glob(".out-*"))  # nothing half-written


def test_extra_columns_and_no_rows_give_correct_output(project, features, tmp_path):
    extra = tmp_path / "extra.csv"
    features.assign(comment="not a feature").to_csv(extra, index=False)
    code, stderr, _ = predict(project, extra, tmp_path / "extra-out.csv")
    assert code == 0 and "ignoring column(s) the model does not use: comment" in stderr
    plain = tmp_path / "plain.csv"
    features.to_csv(plain, index=False)
    assert predict(project, plain, tmp_path / "plain-out.csv")[0] == 0
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "extra-out.csv"), pd.read_csv(tmp_path / "plain-out.csv")
    )
    empty = tmp_path / "empty.csv"
    features.iloc[:0].to_csv(empty, index=False)
    for suffix in (".csv", ".parquet"):
        output = tmp_path / f"empty-out{suffix}"
        code, stderr, _ = predict(project, empty, output)
        assert code == 0, stderr
        written = pd.read_csv(output) if suffix == ".csv" else pd.read_parquet(output)
        assert written.empty and list(written.columns) == ["prediction"]


def write_rows(features: pd.DataFrame, path: Path, rows: int) -> None:
    """`rows` rows drawn from `features`, written a block at a time."""
    rng = np.random.default_rng(0)
    block = 100_000
    for start in range(0, rows, block):
        drawn = features.iloc[rng.integers(0, len(features), min(block, rows - start))]
        drawn.to_csv(path, mode="a" if start else "w", header=not start, index=False)


def test_a_million_rows_stream_in_flat_memory(project, features, tmp_path):
    peaks = {}
    for rows in (100_000, 1_000_000):
        source, output = tmp_path / f"rows{rows}.csv", tmp_path / f"predicted{rows}.parquet"
        write_rows(features, source, rows)
        code, stderr, peaks[rows] = predict(project, source, output)
        assert code == 0, stderr
        assert pd.read_parquet(output, columns=["prediction"]).shape == (rows, 1)
        source.unlink()
    # Ten times the rows, the same batches: the peak is the libraries and one batch.
    print(f"predict's peak RSS, MB: {peaks}")  # shown with pytest -rP
    assert peaks[1_000_000] < 1.25 * peaks[100_000], peaks
