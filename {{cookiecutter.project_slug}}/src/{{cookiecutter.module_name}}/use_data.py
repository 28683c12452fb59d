"""`use-data FILE --target COL`: the one step from the demo to your own data, all or nothing.

It checks the file before anything changes, then tracks it with DVC, points `data.*` and
`labels.pool` at it, removes the `demo` stage and its outputs, writes the labeling schema from
the target, and proposes a done.yaml metric. Rows whose target is blank become the pool the
labeler serves. On any error it names the problem and every file is left as it was.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from .core import edits
from .core.config import Done, Params
from .core.data import DataParams, data_section, read_options, shown_columns
from .core.paths import Paths
from .core.records import SPLIT
from .core.settings import ThriftyError, validate
from .core.task import check_target, describe_target, propose_metric
from .labeling import answers
from .labeling.schema import ROW_ID, Schema
from .tables.stream import chunks


def project_file(root: Path, file: Path) -> Path:
    """`file` relative to the project root; it must exist inside the project."""
    path = (Path.cwd() / file).resolve()
    if not path.is_file():
        raise ThriftyError(f"{file}: no such file")
    if not path.is_relative_to(root):
        raise ThriftyError(
            f"{file}: outside the project ({root}); copy it under data/raw/ and run use-data "
            "on the copy, so that DVC can track it"
        )
    return path.relative_to(root)


def check_columns(frame: pd.DataFrame, target: str, text: list[str], drop: list[str]) -> None:
    """Every named column exists; the target is neither a text nor a dropped column."""
    for option, columns in {"--target": [target], "--text": text, "--drop": drop}.items():
        missing = [column for column in columns if column not in frame.columns]
        if missing:
            # One column whose name holds the others: another separator than the comma.
            first = str(frame.columns[0]) if len(frame.columns) == 1 else ""
            separator = next((mark for mark in ";\t|" if mark in first), None)
            hint = f" (it looks {separator!r}-separated: save it with commas)" if separator else ""
            raise ThriftyError(
                f"{option}: column(s) {', '.join(map(repr, missing))} not in the file; "
                f"it has: {', '.join(map(str, frame.columns))}{hint}"
            )
    if target in {*text, *drop}:
        raise ThriftyError(f"--target {target!r} cannot also be a --text or --drop column")


RESERVED = {SPLIT: "the train/test side of each row", ROW_ID: "the digest that names a row"}


def check_header(path: Path, frame: pd.DataFrame, key: str) -> None:
    """No column named twice, none with a name the pipeline adds, none holding nested values.

    pandas renames a repeated CSV header (`x`, `x.1`), so the names come from the header
    itself; Parquet keeps repeats in its schema.
    """
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8", errors="replace") as handle:
            names = next(csv.reader(handle), [])
    else:
        names = pq.read_schema(path).names
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ThriftyError(
            f"{key}: {path.name} names column(s) {', '.join(map(repr, repeated))} more than "
            "once; give every column its own name"
        )
    for column, meaning in RESERVED.items():
        if column in frame.columns:
            raise ThriftyError(
                f"{key}: {path.name} has a column {column!r}, the name the pipeline gives "
                f"{meaning}; rename that column"
            )
    for column in frame.columns:
        values = frame[column].dropna()
        if values.dtype == object and values.map(lambda v: isinstance(v, NESTED)).any():
            raise ThriftyError(
                f"{key}: column {column!r} of {path.name} holds lists or records, not single "
                "values; flatten it into columns of its own, or remove it"
            )


NESTED = (list, tuple, dict, set, np.ndarray)  # what Parquet's list and struct columns read as
PROFILE_ROWS = 200_000  # a larger file's columns and labeler view come from its first rows


def profile(
    path: Path, data: DataParams, target: str, text: list[str], drop: list[str]
) -> tuple[pd.DataFrame, pd.Series, bool]:
    """(the first PROFILE_ROWS rows, the whole target column, whether those rows are the file).

    Read in chunks, so a file larger than memory is checked in the memory of its target column.
    """
    options = read_options(data)
    head = next(chunks(path, "data.raw", rows=PROFILE_ROWS, **options))
    check_header(path, head, "data.raw")
    check_columns(head, target, text, drop)
    whole = len(head) < PROFILE_ROWS
    if whole:
        return head, head[target], True
    column = chunks(path, "data.raw", columns=[target], **options)
    return head, pd.concat([part[target] for part in column], ignore_index=True), False


def id_column(frame: pd.DataFrame, target: str) -> str:
    """A column naming each row (unique, never blank, not a float), else `_row`: a digest."""
    for column in frame.columns:
        values = frame[column]
        if column == target or pd.api.types.is_float_dtype(values) or values.isna().any():
            continue
        if values.is_unique:
            return str(column)
    return ROW_ID


def dvc(root: Path, *args: str) -> None:
    """Run DVC from this environment; its own message on failure."""
    done = subprocess.run(
        [sys.executable, "-m", "dvc", *args], cwd=root, capture_output=True, text=True
    )
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines()
        raise ThriftyError(f"dvc {' '.join(args)} failed: {' '.join(message[-3:])}")


def remove_demo(root: Path, pipeline: str, outs: list[str]) -> None:
    """Drop the demo stage from dvc.yaml and dvc.lock, and its outputs from data/raw's ignores.

    Edited as text, so that every other line of dvc.yaml stays as you wrote it.
    """
    edits.write(root / "dvc.yaml", edits.drop_stage(pipeline, "demo"))
    lock = root / "dvc.lock"
    if lock.is_file():
        edits.write(lock, edits.drop_stage(lock.read_text(encoding="utf-8"), "demo"))
    ignore = Paths(root).demo.parent / ".gitignore"
    if ignore.is_file():
        kept = [line for line in ignore.read_text().splitlines() if line.lstrip("/") not in outs]
        edits.write(ignore, "".join(f"{line}\n" for line in kept))


def main(root: Path, file: Path, target: str, text: list[str], drop: list[str]) -> int:
    paths = Paths(root)
    relative = project_file(root, file)
    raw = relative.as_posix()
    params = edits.load(root / "params.yaml")
    data = validate(
        {**params["data"], **data_section(raw, target, text, drop)}, DataParams, "data", root
    )
    frame, y, whole = profile(root / relative, data, target, text, drop)
    if y.empty:
        raise ThriftyError(f"data.raw: {raw} has a header but no rows")
    labelled = y[y.notna()]
    if labelled.empty:
        raise ThriftyError(f"--target {target!r}: every row is blank; label some rows first")
    check_target(labelled, target)
    row_id = id_column(frame, target)
    if row_id != ROW_ID and row_id not in drop and row_id not in text:
        drop = [*drop, row_id]  # an id names a row; as a feature it would only leak its order
    if not whole:
        row_id = ROW_ID  # unique in the first rows is not unique in the file: use a digest
    section = data_section(raw, target, text, drop)
    data = validate({**params["data"], **section}, DataParams, "data", root)

    params["data"].update({key: edits.flow(value) for key, value in section.items()})
    params["labels"]["pool"] = edits.flow(raw)  # its blank-target rows are the labeling pool
    schema = edits.load(paths.schema)
    schema["id"] = edits.flow(row_id)
    schema["show"] = edits.flow(shown_columns(frame, data))
    for key, value in answers.propose(labelled).items():
        if value is None:
            schema.pop(key, None)
        else:
            schema[key] = edits.flow(value)
    done = edits.load(root / "done.yaml")
    metric, why = propose_metric(labelled, str(done["metric"]))
    changed = metric != done["metric"]
    done["metric"] = metric
    documents = {root / "params.yaml": params, paths.schema: schema, root / "done.yaml": done}
    for (path, document), model in zip(documents.items(), (Params, Schema, Done), strict=True):
        validate(edits.plain(document), model, f"{path.name} (as use-data would write it)", root)
    texts = {path: edits.dumps(document) for path, document in documents.items()}

    pipeline = (root / "dvc.yaml").read_text(encoding="utf-8")
    has_demo = "demo" in (edits.plain(edits.load(root / "dvc.yaml")).get("stages") or {})
    # The demo's receipt goes with it: the cost receipt adds up the stages that still run.
    demo_outs = [paths.demo, paths.demo_pool, paths.stage_receipt("demo")] if has_demo else []
    demo_outs = [out for out in demo_outs if out.resolve() != (root / relative).resolve()]
    touched = [
        *texts,
        root / "dvc.yaml",
        root / "dvc.lock",
        root / f"{raw}.dvc",
        (root / relative).parent / ".gitignore",
        paths.demo.parent / ".gitignore",
        *demo_outs,
    ]
    with edits.all_or_nothing(touched):
        if has_demo:
            remove_demo(root, pipeline, [out.name for out in demo_outs])
        dvc(root, "add", raw)
        for path, content in texts.items():
            edits.write(path, content)
        for out in demo_outs:
            out.unlink(missing_ok=True)

    pool = int(y.isna().sum())
    print(f"use-data: {raw}: {len(labelled):,} labelled rows, {pool:,} with a blank target")
    if not whole:
        print(
            f"  more than {PROFILE_ROWS:,} rows: the target was checked in every row; the "
            f"columns were read from the first {PROFILE_ROWS:,}, and items are named by a "
            f"digest of their values ({ROW_ID})"
        )
    print(f"  target {target!r}: {describe_target(labelled)}")
    print(
        f"  params.yaml: data.raw, data.target{', data.text' if text else ''}, "
        f"data.drop = [{', '.join(drop)}]; "
        f"labels.pool = {raw} (its blank-target rows are the labeling pool)"
    )
    print(f"  labeling/schema.yaml: id {schema['id']}, shows {', '.join(schema['show'])}")
    print(f"  done.yaml: metric {metric}{' (changed)' if changed else ''}: {why}")
    if has_demo:
        print("  dvc.yaml: removed the demo stage and its outputs")
    print(f"Next: git add -A && git commit -m 'Use {relative.name}' && .venv/bin/dvc repro")
    return 0
