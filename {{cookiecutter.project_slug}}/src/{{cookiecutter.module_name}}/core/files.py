"""Reading and atomically writing the pipeline's files.

Every write goes to a temporary file in the same folder and is renamed into place, so a stage
that is killed half-way never leaves a half-written file for the next stage to trust.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from .settings import ThriftyError

READERS: dict[str, Callable[[Path], pd.DataFrame]] = {
    ".csv": pd.read_csv,
    ".parquet": pd.read_parquet,
    ".pq": pd.read_parquet,
}


def first_bad_line(path: Path) -> int | None:
    """The number (from 1) of the first line of `path` that is not valid UTF-8, if any."""
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return None


def read_table(
    path: Path, key: str | None = None, encoding_errors: str = "strict", hint: str = ""
) -> pd.DataFrame:
    """Read a CSV or Parquet file; `key` names the setting or option that pointed here.

    Without `key` the file is one the pipeline writes, and its absence means a stage has not
    run yet. `encoding_errors` is Python's policy for a CSV's bytes that are not UTF-8:
    "strict" stops at them, "replace" reads each as U+FFFD; `hint` is another way out, added
    to that error. Parquet holds UTF-8 text by definition. Files larger than memory are read
    in chunks by `tables.stream` instead, with the same checks and messages.
    """
    reader = table_reader(path, key)
    options = {"encoding_errors": encoding_errors} if reader is pd.read_csv else {}
    with reading(path, key, hint):
        return reader(path, **options)


def table_reader(path: Path, key: str | None) -> Callable[..., pd.DataFrame]:
    """The reader for `path` by its suffix, once the file is known to exist."""
    if not path.is_file():
        raise ThriftyError(missing(path, key))
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise ThriftyError(f"{key or path.name}: {path.name} is not {', '.join(READERS)}")
    return reader


@contextmanager
def reading(path: Path, key: str | None, hint: str = "") -> Iterator[None]:
    """Turn a reader's errors into one line that names the setting, the file and the line."""
    try:
        yield
    except UnicodeDecodeError as error:
        # pandas reports a position inside its read buffer; the line is what a person can find.
        raise ThriftyError(
            f"{key or path.name}: {path} line {first_bad_line(path)} is not UTF-8 "
            f"({error.reason}); save the file as UTF-8{', ' + hint if hint else ''}"
        ) from None
    except (ValueError, OSError, pd.errors.ParserError) as error:
        raise ThriftyError(f"{key or path.name}: cannot read {path}: {error}") from None


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary sibling of `path` to write; fsynced and renamed into place if the block ends
    without an error, removed if it does not."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(handle)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp's private 0600 would outlive the rename
    try:
        yield Path(tmp)
        with open(tmp, "rb") as written:
            os.fsync(written.fileno())
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def write_atomic(path: Path, write: Callable[[Path], Any]) -> None:
    """Call `write(tmp)` on a temporary sibling of `path`, fsync it, then rename it into place."""
    with replacing(path) as tmp:
        write(tmp)


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write a frame as CSV or Parquet, by the file's suffix."""
    if path.suffix == ".csv":
        write_atomic(path, lambda tmp: frame.to_csv(tmp, index=False))
    else:
        write_atomic(path, lambda tmp: frame.to_parquet(tmp, index=False))


def write_json(data: Any, path: Path) -> None:
    """Write indented, key-ordered JSON that diffs well in git."""
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def missing(path: Path, key: str | None) -> str:
    """Why `path` is not there, and what to do about it."""
    if key is None:
        return f"{path} does not exist; run `dvc repro` first"
    if key.startswith("--"):
        return f"{key}: {path} does not exist"
    return f"{key}: {path} does not exist; set {key} in params.yaml"


def read_json(path: Path) -> Any:
    if not path.is_file():
        raise ThriftyError(missing(path, None))
    return json.loads(path.read_text(encoding="utf-8"))
