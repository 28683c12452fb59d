"""A corpus of hostile data files through `use-data` and the pipeline (issue 17's corpus).

Each file (tests/hostile.py writes them; none is committed) either runs, through use-data and
`dvc repro prepare` (the whole pipeline where the hostile part reaches the models), or gets
one clear message from use-data naming the file, column or line, with every file of the
project left as it was.
"""

from __future__ import annotations

import subprocess

import pandas as pd
import pytest
from conftest import bake, run, shared_setup
from hostile import CASES
from test_own_data import CLI, snapshot

# What use-data says of each file it refuses (exit 2, no traceback, nothing changed).
REFUSED = {
    "empty file": "empty.csv: No columns to parse from file",
    "header only": "data/raw/header.csv has a header but no rows",
    "one row": "holds one class only",
    "one class": "column 'y' holds one class only",
    "target all blank": "--target 'y': every row is blank",
    "duplicate column names": "names column(s) 'x1' more than once",
    "semicolon-delimited": "it looks ';'-separated: save it with commas",
    "Latin-1 bytes": "latin1.csv line 2 is not UTF-8",
    "a gzipped CSV": "gzipped.csv.gz is not .csv",
    "gzip bytes named .csv": "gzip_inside.csv line 1 is not UTF-8",
    "an Excel file": "sheet.xlsx is not .csv",
    "Parquet with a nested column": "column 'tags' of nested.parquet holds lists or records",
    "a truncated Parquet file": "truncated.parquet: Parquet magic bytes not found",
    "labels differing by case or spaces": "column 'y' spells one label several ways",
    "a column named like the row id": "row_id.csv has a column '_row'",
    "a column named like the split": "split.csv has a column '_split'",
    "target also in --drop": "--target 'y' cannot also be a --text or --drop column",
    "a ragged row": "Expected 4 fields in line 41, saw 5",
    "random bytes": "noise.csv line 1 is not UTF-8",
}
# The files that run; these go on through the whole pipeline, where the models meet them.
WHOLE_PIPELINE = {
    "inf and -inf",
    "mixed types in a column",
    "a constant column",
    "odd column names",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    project = shared_setup(bake(tmp_path_factory.mktemp("hostile")))
    run(["git", "add", "--all"], project)
    run(["git", "commit", "--quiet", "--allow-empty", "-m", "Baked"], project)
    return project


def test_the_corpus_is_large_and_each_case_has_an_outcome():
    assert len(CASES) >= 25
    assert set(REFUSED) | WHOLE_PIPELINE <= {case.name for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_file_runs_or_is_refused_by_name(project, case):
    path = case.write(project / "data" / "raw")
    raw = path.relative_to(project).as_posix()
    before = snapshot(project)
    try:
        command = [CLI, "use-data", raw, "--target", case.target, *case.args]
        result = run(command, project, check=False)
        if case.name in REFUSED:
            assert result.returncode == 2, result.stdout + result.stderr
            assert REFUSED[case.name] in result.stderr, result.stderr
            assert "Traceback" not in result.stderr
            assert snapshot(project) == before, "a refused file changed the project"
            return
        assert result.returncode == 0, result.stderr
        stage = [] if case.name in WHOLE_PIPELINE else ["prepare"]
        repro = run([".venv/bin/dvc", "repro", *stage], project, check=False)
        assert repro.returncode == 0, repro.stdout[-3000:] + repro.stderr[-3000:]
        assert "Traceback" not in repro.stderr
        prepared = project / "data" / "prepared"
        sides = [pd.read_parquet(prepared / f"{side}.parquet") for side in ("train", "test")]
        assert sum(map(len, sides)) > 0 and all(case.target in side for side in sides)
        if case.name in WHOLE_PIPELINE:
            run([".venv/bin/dvc", "status"], project)
            assert (project / "reports" / "done.json").is_file()
    finally:
        run(["git", "reset", "--quiet", "--hard"], project)
        run(["git", "clean", "-fdqx", "-e", ".venv", "-e", ".dvc/cache"], project)


def test_a_file_that_changes_between_two_stages(project):
    """The raw file grows while `dvc repro` runs, after `labels` read it and before `prepare`
    does: the run ends cleanly, and after the next repro every stage holds the grown file's
    rows, each once. (DVC records a dependency's hash after its stage ran, so it may call the
    first run up to date: the second repro is the one to trust.)"""
    raw = project / "data" / "raw" / "growing.csv"
    try:
        frame = pd.DataFrame(
            {"x1": range(60), "x2": [i % 7 for i in range(60)], "y": ["no", "yes"] * 30}
        )
        frame.to_csv(raw, index=False)
        run([CLI, "use-data", "data/raw/growing.csv", "--target", "y"], project)
        repro = subprocess.Popen(
            [".venv/bin/dvc", "repro", "prepare"],
            cwd=project,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        said = ""
        for line in repro.stdout:  # the moment DVC moves on from labels to prepare
            said += line
            if "Running stage 'prepare'" in line:
                pd.concat([frame, frame.assign(x1=frame["x1"] + 100)]).to_csv(raw, index=False)
                break
        said += repro.stdout.read()
        assert repro.wait() == 0, said
        run([".venv/bin/dvc", "repro", "prepare"], project)
        status = run([".venv/bin/dvc", "status", "prepare"], project).stdout
        assert status.strip().endswith("up to date."), status
        prepared = project / "data" / "prepared"
        rows = sum(
            len(pd.read_parquet(prepared / f"{side}.parquet")) for side in ("train", "test")
        )
        assert rows == 120  # every row of the grown file, once
    finally:
        run(["git", "reset", "--quiet", "--hard"], project)
        run(["git", "clean", "-fdqx", "-e", ".venv", "-e", ".dvc/cache"], project)
