"""Predict with a verified bundle: the input is checked against the schema it was trained on.

The input streams through in batches, so memory depends on the batch, never on the file, and
the output is written whole or not at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pandas as pd

from .bundles.bundle import load_bundle
from .core.files import replacing
from .core.settings import ThriftyError
from .tables.stream import chunks, write_parquet

log = logging.getLogger(__name__)

BATCH_ROWS = 50_000  # rows predicted at a time: tens of MB for tables of tens of columns


def as_trained(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """The model's columns of `frame`, read as the types it was trained on.

    A number column that holds text stops with the column, the row and the value; a text
    column that the input file happens to hold as numbers is read as the text it stands for.
    """
    X = frame[list(columns)].copy()
    for column, trained in columns.items():
        values = X[column]
        numeric = trained.startswith(("int", "float", "uint", "Int", "Float", "UInt"))
        if numeric and not pd.api.types.is_numeric_dtype(values):
            numbers = pd.to_numeric(values, errors="coerce")
            wrong = values.notna() & numbers.isna()
            if wrong.any():
                row = wrong.idxmax()
                raise ThriftyError(
                    f"--input: column {column!r} holds {values[row]!r} (data row {row + 1}) "
                    f"where the model was trained on numbers ({trained})"
                )
            X[column] = numbers
        elif trained in ("object", "str", "string") and pd.api.types.is_numeric_dtype(values):
            X[column] = values.astype(object).where(values.isna(), values.astype(str))
    return X


def predict(
    model, frame: pd.DataFrame, columns: dict[str, str], keep: Sequence[str] = ()
) -> pd.DataFrame:
    """Predictions (and class probabilities) for the rows of `frame`.

    The `keep` columns of `frame` (ids, say) come first, copied as they are; a kept column may
    also be one the model uses.
    """
    keep = list(dict.fromkeys(keep))
    absent = [column for column in keep if column not in frame.columns]
    if absent:
        raise ThriftyError(
            f"--keep: column(s) {', '.join(map(repr, absent))} not in --input; "
            f"its columns are: {', '.join(map(str, frame.columns))}"
        )
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ThriftyError(f"--input lacks the column(s) the model needs: {', '.join(missing)}")
    extra = [column for column in frame.columns if column not in columns and column not in keep]
    if extra:
        log.info("ignoring column(s) the model does not use: %s", ", ".join(map(str, extra)))
    probabilities = hasattr(model, "predict_proba")
    labels = list(model.classes_) if probabilities else []
    outputs = ["prediction", *(f"proba_{label}" for label in labels)]
    clash = [column for column in keep if column in outputs]
    if clash:
        raise ThriftyError(
            f"--keep: column(s) {', '.join(map(repr, clash))} would clash with the output's "
            f"own column(s) {', '.join(outputs)}; rename it in --input"
        )
    result = frame[keep].reset_index(drop=True)
    if frame.empty:  # no rows: the output's columns and no rows, not scikit-learn's error
        return result.assign(**{column: pd.Series(dtype="float64") for column in outputs})
    X = as_trained(frame, columns)
    result["prediction"] = model.predict(X)
    if probabilities:
        result[outputs[1:]] = model.predict_proba(X)
    return result


def write_predictions(
    produce: Callable[[Mapping[str, str]], Iterator[pd.DataFrame]], output: Path
) -> int:
    """Write the batches `produce(dtype)` yields to `output` (CSV or Parquet, by its suffix),
    all or nothing; the number of rows written.

    For Parquet, a later batch whose kept column does not fit the first batch's type restarts
    the stream with that column read wider (`dtype`, see `stream.write_parquet`).
    """
    rows = 0

    def counted(dtype: Mapping[str, str]) -> Iterator[tuple[int, pd.DataFrame]]:
        nonlocal rows
        rows = 0
        for batch in produce(dtype):
            rows += len(batch)
            yield 0, batch

    if output.suffix.lower() == ".csv":
        with replacing(output) as tmp:
            for number, (_, batch) in enumerate(counted({})):
                batch.to_csv(tmp, mode="a" if number else "w", header=not number, index=False)
    else:
        write_parquet([output], counted)
    return rows


def main(
    bundle: Path,
    input: Path,
    output: Path,
    registry: Path | None = None,
    allow: bool = False,
    keep: Sequence[str] = (),
) -> None:
    if output.suffix.lower() not in (".csv", ".parquet", ".pq"):
        raise ThriftyError(f"--output: {output.name} is not .csv, .parquet or .pq")
    loaded = load_bundle(bundle, registry or True, allow_version_mismatch=allow)
    columns = loaded.metadata["columns"]

    def produce(dtype: Mapping[str, str]) -> Iterator[pd.DataFrame]:
        wider = {column: kind for column, kind in dtype.items() if column in keep}
        for batch in chunks(input, "--input", rows=BATCH_ROWS, dtype=wider):
            yield predict(loaded.model, batch, columns, keep)

    rows = write_predictions(produce, output)
    log.info("wrote %d predictions to %s", rows, output)
