"""Tables larger than memory: read in chunks, written to Parquet as they stream.

The data stages read the raw file and the prepared splits through here, so their memory
depends on the chunk, never on the file. Each chunk of a CSV is parsed by pandas exactly as a
whole-file read parses it, so every stage reads the same values; the types the first chunk
sets hold for the file, and a later value that does not fit (a word in a column of numbers, a
fraction in a column of whole numbers) restarts the write with that column read wider.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..core.files import reading, replacing, table_reader

log = logging.getLogger(__name__)

CHUNK_ROWS = 100_000  # rows per chunk: about 10-50 MB for tables of tens of columns


def chunks(
    path: Path,
    key: str | None = None,
    *,
    columns: list[str] | None = None,
    dtype: Mapping[str, str] | None = None,
    rows: int | None = None,
    encoding_errors: str = "strict",
    hint: str = "",
) -> Iterator[pd.DataFrame]:
    """The table at `path` (CSV or Parquet), `rows` at a time, indexed by row number in the file.

    `key`, `encoding_errors` and `hint` mean what they mean for `files.read_table`; `columns`
    reads only those, `dtype` reads columns as the given pandas types. `rows` defaults to
    CHUNK_ROWS.
    """
    rows = rows or CHUNK_ROWS
    csv = table_reader(path, key) is pd.read_csv
    start = 0
    with reading(path, key, hint):
        if csv:
            reader = pd.read_csv(
                path,
                chunksize=rows,
                usecols=columns,
                dtype=dict(dtype or {}) or None,
                encoding_errors=encoding_errors,
            )
            batches: Iterable[pd.DataFrame] = reader
        else:
            # Pre-buffering would keep the file's pages in memory as the batches go by.
            parquet = pq.ParquetFile(path, pre_buffer=False)
            batches = (
                conform(b.to_pandas(), dtype or {})
                for b in parquet.iter_batches(rows, columns=columns)
            )
        for frame in batches:
            frame.index = pd.RangeIndex(start, start + len(frame))
            start += len(frame)
            yield frame.rename(columns=str)
    if start == 0 and not csv:
        # A Parquet file without row groups still has its columns.
        yield pq.read_schema(path).empty_table().to_pandas().rename(columns=str)


def conform(frame: pd.DataFrame, dtype: Mapping[str, str]) -> pd.DataFrame:
    """`frame` with each of its columns that `dtype` names read as that type."""
    return frame.astype({c: t for c, t in dtype.items() if c in frame.columns})


def count_rows(path: Path) -> int:
    """The rows of a Parquet file this pipeline wrote, from its footer: nothing else is read."""
    return pq.ParquetFile(path).metadata.num_rows


class Widen(Exception):
    """A chunk's column does not fit the type the first chunks set: read it as `dtype`."""

    def __init__(self, column: str, dtype: str, example: object):
        super().__init__(column, dtype)
        self.column, self.dtype, self.example = column, dtype, example


class Schema:
    """The Arrow schema the first chunk sets, shared by every file one pass writes."""

    def __init__(self) -> None:
        self.arrow: pa.Schema | None = None

    def table(self, frame: pd.DataFrame) -> pa.Table:
        """`frame` as Arrow in the shared schema, or Widen when a column does not fit it."""
        if self.arrow is None:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            self.arrow = table.schema
            return table
        if list(frame.columns) != self.arrow.names:
            raise ValueError(f"columns {list(frame.columns)} differ from {self.arrow.names}")
        arrays = []
        for field in self.arrow:
            values = frame[field.name]
            try:
                arrays.append(pa.array(values, type=field.type, from_pandas=True))
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                raise Widen(field.name, wider(field.type, values), first_misfit(values)) from None
        return pa.Table.from_arrays(arrays, schema=self.arrow)


def wider(current: pa.DataType, values: pd.Series) -> str:
    """The pandas type that holds both: numbers with numbers are floats, anything else text."""
    numeric = pa.types.is_integer(current) or pa.types.is_floating(current)
    both_numbers = numeric and pd.api.types.is_numeric_dtype(values)
    return "float64" if both_numbers and not pd.api.types.is_bool_dtype(values) else "str"


def first_misfit(values: pd.Series) -> object:
    """A value of the chunk to show in the log line: its first non-missing one."""
    present = values.dropna()
    return present.iloc[0] if len(present) else None


def write_parquet(
    outputs: list[Path],
    produce: Callable[[Mapping[str, str]], Iterable[tuple[int, pd.DataFrame]]],
) -> None:
    """Write what `produce(dtype)` yields, (output number, chunk), to the Parquet `outputs`.

    All or nothing: the files are replaced only when the whole stream is written. A chunk that
    does not fit the schema restarts the stream with its column read wider (`dtype`, to pass
    on to `chunks`); each column widens at most twice, so the stream always ends.
    """
    dtype: dict[str, str] = {}
    while True:
        try:
            _write_once(outputs, produce(dtype))
            return
        except Widen as widen:
            if dtype.get(widen.column) == widen.dtype:
                raise  # reading it wider did not help: a bug, not the data
            log.info(
                "column %r: a later row holds %r, which does not fit the type of the first "
                "rows; reading the column as %s",
                widen.column,
                widen.example,
                widen.dtype,
            )
            dtype[widen.column] = widen.dtype


def _write_once(outputs: list[Path], frames: Iterable[tuple[int, pd.DataFrame]]) -> None:
    schema = Schema()
    with ExitStack() as stack:
        temporaries = [stack.enter_context(replacing(path)) for path in outputs]
        writers: list[pq.ParquetWriter | None] = [None] * len(outputs)
        for number, frame in frames:
            table = schema.table(frame)
            if writers[number] is None:
                writer = pq.ParquetWriter(temporaries[number], schema.arrow)
                writers[number] = stack.enter_context(writer)
            writers[number].write_table(table)
        if schema.arrow is None:
            raise ValueError("nothing to write: the stream held no chunk")
        for number, writer in enumerate(writers):
            if writer is None:  # an output no chunk went to: its columns, no rows
                pq.write_table(schema.arrow.empty_table(), temporaries[number])
            else:
                writer.close()
