"""Files larger than memory: prepare and sample stream the raw file in chunks, with flat memory.

The memory test runs the stages in a subprocess on two generated files, one eight times the
other, and compares their peak resident memory (`resource`), which must not grow with the file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from {{ cookiecutter.module_name }} import prepare
from {{ cookiecutter.module_name }}.core.config import Params
from {{ cookiecutter.module_name }}.tables import stream

Frame = Callable[..., pd.DataFrame]


def prepared(root: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    folder = root / "data" / "prepared"
    return pd.read_parquet(folder / "train.parquet"), pd.read_parquet(folder / "test.parquet")


def write_raw(root: Path, params: Params, frame: pd.DataFrame) -> Path:
    path = root / params.data.raw
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
    return path


def test_chunks_give_what_one_read_gives(
    root: Path, make_frame: Frame, params: Params, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_raw(root, params, make_frame(500))
    prepare.main(root)
    whole = prepared(root)
    monkeypatch.setattr(stream, "CHUNK_ROWS", 37)  # 14 chunks, one of them short
    prepare.main(root)
    for expected, got in zip(whole, prepared(root), strict=True):
        pd.testing.assert_frame_equal(expected, got)


def test_a_late_value_that_does_not_fit_widens_its_column(
    root: Path,
    make_frame: Frame,
    params: Params,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    frame = make_frame(300).assign(code=range(300), amount=range(300))
    frame["code"] = frame["code"].astype(object)
    frame.loc[250, "code"] = "X7"  # text after 250 whole numbers
    frame["amount"] = frame["amount"].astype(float)
    frame.loc[260, "amount"] = 2.5  # a fraction after whole numbers
    write_raw(root, params, frame)
    monkeypatch.setattr(stream, "CHUNK_ROWS", 100)
    caplog.set_level("INFO")
    prepare.main(root)
    train, test = prepared(root)
    both = pd.concat([train, test])
{%- if cookiecutter.data_kind == "tabular" %}
    assert pd.api.types.is_string_dtype(both["code"])
    assert "X7" in set(both["code"]) and "12" in set(both["code"])
    assert both["amount"].dtype == float and 2.5 in set(both["amount"])
    messages = [r.getMessage() for r in caplog.records]
    assert any("column 'code'" in m and "reading the column as str" in m for m in messages)
{%- else %}
    assert len(both) == 300  # the text project keeps only its text and label columns
{%- endif %}


def test_rows_appended_to_the_raw_file_keep_their_side(
    root: Path, make_frame: Frame, params: Params
) -> None:
    frame = make_frame(900)
    key = "text" if "text" in frame.columns else "size"  # a column prepare keeps
    frame[key] = [f"row {i}" for i in range(900)] if key == "text" else range(900)
    write_raw(root, params, frame.iloc[:400])
    prepare.main(root)
    train, test = prepared(root)
    write_raw(root, params, frame)
    prepare.main(root)
    more_train, more_test = prepared(root)
    assert set(train[key]) <= set(more_train[key])
    assert set(test[key]) <= set(more_test[key])
    assert len(more_train) + len(more_test) == 900


MEASURE = """
import json, resource, sys
from pathlib import Path
from {{ cookiecutter.module_name }} import prepare, sample
root = Path(sys.argv[1])
prepare.main(root)
sample.main(root)
print(json.dumps({"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def peak_mb(root: Path) -> float:
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(root)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])["peak_mb"]


def test_memory_does_not_grow_with_the_file(root: Path, make_frame: Frame, params: Params) -> None:
    block = make_frame(20_000)
    write_raw(root, params, pd.concat([block] * 5, ignore_index=True))  # 100,000 rows
    small = peak_mb(root)
    write_raw(root, params, pd.concat([block] * 40, ignore_index=True))  # 800,000 rows
    large = peak_mb(root)
    train, test = prepared(root)
    assert len(train) + len(test) == 800_000
    assert len(pd.read_parquet(root / "data" / "sample" / "train.parquet")) >= 200
    # A whole-file read of the large file alone would need about 100 MB more than the small.
    assert large <= small * 1.15 + 10, f"peak {large:.0f} MB at 800k rows, {small:.0f} at 100k"
