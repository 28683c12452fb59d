"""Text columns: which ones feed the features, how they are joined, and how raw text is cleaned.

Hand lexicons, the other text features beside the TF-IDF n-grams, live in `lexicons.py`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .config import DataParams, ThriftyError

log = logging.getLogger(__name__)


def text_columns(data: DataParams) -> list[str]:
    """The column(s) data.text names, always as a list."""
    return [data.text] if isinstance(data.text, str) else list(data.text)


def join_texts(frame: pd.DataFrame) -> np.ndarray:
    """One string per row: the text columns joined by a line break, gaps read as empty."""
    columns = [frame[column].fillna("").astype(str) for column in frame.columns]
    joined = columns[0]
    for column in columns[1:]:
        joined = joined + "\n" + column
    return joined.to_numpy(dtype=object)


def joined_name(transformer: object, names: Iterable[str]) -> np.ndarray:
    """The one output name of `join_texts`, for FunctionTransformer's get_feature_names_out."""
    return np.array(["text"], dtype=object)


def _decode(value: object, errors: str, where: str) -> object:
    """Bytes (from a Parquet binary column) as str under the data.encoding_errors policy."""
    if not isinstance(value, bytes | bytearray):
        return value
    try:
        return bytes(value).decode("utf-8", errors=errors)
    except UnicodeDecodeError as error:
        raise ThriftyError(
            f"{where} is not UTF-8 ({error.reason} at byte {error.start}); fix the file, or set "
            "data.encoding_errors to 'replace' (allowed: strict, replace)"
        ) from None


def clean_texts(frame: pd.DataFrame, data: DataParams) -> pd.DataFrame:
    """Decode, fill and truncate the text columns, then drop rows whose every text is empty.

    Every change is counted in the log; a column set with no text at all is an error, since
    it almost always means data.text names the wrong column.
    """
    frame, columns = frame.copy(), text_columns(data)
    for column in columns:
        values = [
            _decode(value, data.encoding_errors, f"data.text: column {column!r}, row {row}")
            for row, value in zip(frame.index, frame[column], strict=True)
        ]
        texts = pd.Series(values, index=frame.index, dtype=object).fillna("").astype(str)
        if data.encoding_errors == "replace":
            replaced = int(texts.str.contains("\ufffd", regex=False).sum())
            if replaced:
                log.warning(
                    "%d text(s) in column %r held bytes that are not UTF-8, "
                    "replaced by U+FFFD (data.encoding_errors: replace)",
                    replaced,
                    column,
                )
        long = int(texts.str.len().gt(data.max_chars).sum())
        if long:
            log.warning(
                "truncated %d text(s) in column %r to data.max_chars=%d characters",
                long,
                column,
                data.max_chars,
            )
        frame[column] = texts.str.slice(0, data.max_chars)
    empty = frame[columns].apply(lambda texts: texts.str.strip().eq("")).all(axis=1)
    if empty.all():
        raise ThriftyError(
            f"data.text: column(s) {', '.join(map(repr, columns))} hold no text in any row; "
            "data.text must name the column(s) with the text"
        )
    if empty.any():
        log.warning(
            "dropped %d row(s) with empty or missing text in %s",
            int(empty.sum()),
            ", ".join(map(repr, columns)),
        )
    return frame[~empty]
