"""A corpus of hostile data files, written on demand (never committed): each case is a file a
real team could hand to `use-data`, with the target column it names.

Every writer takes the folder to write into and returns the file's path; the base data is a
small, learnable two-class table (two numeric features, one category), so that whatever
breaks is the hostile part, not the learning.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ROWS = 120


def base(rows: int = ROWS, seed: int = 0) -> pd.DataFrame:
    """Two classes that two numbers and a colour separate well enough."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, rows)
    return pd.DataFrame(
        {
            "x1": (rng.normal(size=rows) + 1.5 * y).round(3),
            "x2": (rng.normal(size=rows) - y).round(3),
            "colour": rng.choice(["red", "green", "blue"], rows),
            "y": np.where(y == 1, "yes", "no"),
        }
    )


def csv_text(frame: pd.DataFrame, **options) -> str:
    return frame.to_csv(index=False, **options)


@dataclass(frozen=True)
class Case:
    """One hostile file: how to write it, the target to name, and extra use-data arguments."""

    name: str
    write: Callable[[Path], Path]
    target: str = "y"
    args: list[str] = field(default_factory=list)


def text_file(name: str, body: str | bytes) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        path = folder / name
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(body, encoding="utf-8", newline="")
        return path

    return write


def frame_file(name: str, frame: pd.DataFrame, **options) -> Callable[[Path], Path]:
    return text_file(name, csv_text(frame, **options))


def _with(column: str, values) -> pd.DataFrame:
    frame = base()
    frame[column] = values
    return frame


def _mixed() -> pd.DataFrame:
    frame = base()
    frame["x2"] = frame["x2"].astype(object)
    frame.loc[::7, "x2"] = "n/a?"
    return frame


def _infinite() -> pd.DataFrame:
    frame = base()
    frame.loc[3, "x1"], frame.loc[5, "x1"] = np.inf, -np.inf
    return frame


def _quoted_newlines() -> pd.DataFrame:
    frame = base()
    frame["note"] = [f'line one\nline "two", {i}\r\nthree' for i in range(ROWS)]
    return frame


def _case_labels() -> pd.DataFrame:
    frame = base()
    frame.loc[::5, "y"] = frame.loc[::5, "y"].str.upper()
    frame.loc[1::6, "y"] = frame.loc[1::6, "y"] + " "
    return frame


def _many_categories() -> pd.DataFrame:
    frame = base(rows=50_000)
    frame["code"] = [f"c{i:05d}x" for i in range(50_000)]
    return frame


def _latin1() -> bytes:
    frame = base()
    frame["colour"] = frame["colour"].replace({"red": "rosé", "blue": "café"})
    return csv_text(frame).encode("latin-1")


def _gzipped() -> bytes:
    return gzip.compress(csv_text(base()).encode())


def _excel() -> bytes:
    """A minimal .xlsx (a zip of SpreadsheetML parts), as a spreadsheet program saves one."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    return buffer.getvalue()


def _nested_parquet(folder: Path) -> Path:
    frame = base()
    table = pa.Table.from_pandas(frame, preserve_index=False).append_column(
        "tags", pa.array([[f"t{i % 3}", "u"] for i in range(ROWS)], pa.list_(pa.string()))
    )
    path = folder / "nested.parquet"
    pq.write_table(table, path)
    return path


def _truncated_parquet(folder: Path) -> Path:
    path = folder / "truncated.parquet"
    base().to_parquet(path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return path


def _duplicate_columns() -> str:
    body = csv_text(base())
    header, rest = body.split("\n", 1)
    return header.replace("x2", "x1") + "\n" + rest


def _ragged() -> str:
    lines = csv_text(base()).splitlines()
    lines[40] += ",surplus"
    return "\n".join(lines) + "\n"


def _huge_field() -> pd.DataFrame:
    frame = base()
    frame["blob"] = ""
    frame.loc[7, "blob"] = "z" * 1_000_000
    return frame


CASES = [
    Case("empty file", text_file("empty.csv", "")),
    Case("header only", text_file("header.csv", "x1,x2,colour,y\n")),
    Case("one row", frame_file("one_row.csv", base().iloc[:1])),
    Case("one class", frame_file("one_class.csv", _with("y", "yes"))),
    Case("target all blank", frame_file("blank.csv", _with("y", ""))),
    Case("a constant column", frame_file("constant.csv", _with("same", 1))),
    Case("an all-blank column", frame_file("all_blank.csv", _with("empty", np.nan))),
    Case("duplicate column names", text_file("duplicate.csv", _duplicate_columns())),
    Case("mixed types in a column", frame_file("mixed.csv", _mixed())),
    Case("semicolon-delimited", frame_file("semicolon.csv", base(), sep=";")),
    Case("UTF-8 with BOM", text_file("bom.csv", "\ufeff" + csv_text(base()[["y", "x1", "x2"]]))),
    Case("CRLF line ends", frame_file("crlf.csv", base(), lineterminator="\r\n")),
    Case("quoted newlines inside fields", frame_file("newlines.csv", _quoted_newlines())),
    Case("Latin-1 bytes", text_file("latin1.csv", _latin1())),
    Case("a 1 MB field", frame_file("huge_field.csv", _huge_field())),
    Case("inf and -inf", frame_file("infinite.csv", _infinite())),
    Case("a gzipped CSV", text_file("gzipped.csv.gz", _gzipped())),
    Case("gzip bytes named .csv", text_file("gzip_inside.csv", _gzipped())),
    Case("an Excel file", text_file("sheet.xlsx", _excel())),
    Case("Parquet with a nested column", _nested_parquet),
    Case("a truncated Parquet file", _truncated_parquet),
    Case("labels differing by case or spaces", frame_file("case.csv", _case_labels())),
    Case("50,000 distinct categories", frame_file("categories.csv", _many_categories())),
    Case("a column named like the row id", frame_file("row_id.csv", _with("_row", "r"))),
    Case("a column named like the split", frame_file("split.csv", _with("_split", "train"))),
    Case("target also in --drop", frame_file("drop.csv", base()), args=["--drop", "y", "colour"]),
    Case("a ragged row", text_file("ragged.csv", _ragged())),
    Case("random bytes", text_file("noise.csv", np.random.default_rng(1).bytes(4096))),
    Case(
        "odd column names",
        frame_file(
            "names.csv",
            base().rename(columns={"x1": "größe (cm)", "x2": 'a "quoted", name', "colour": " "}),
        ),
    ),
    Case("numeric class labels", frame_file("numeric_y.csv", _with("y", base()["y"] == "yes"))),
]
