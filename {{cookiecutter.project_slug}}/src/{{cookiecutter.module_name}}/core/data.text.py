"""What text data means here: its settings, which columns hold the text, how it is cleaned.

The tabular project has its own version of this module; everything else reads the data through
these names, so no other module needs to know which kind of data it serves. Hand lexicons, the
text features beside the TF-IDF n-grams, live in `text/lexicons.py`.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationInfo, field_validator

from .settings import Section, ThriftyError

log = logging.getLogger(__name__)


class DataParams(Section):
    raw: Path = Field(description="raw CSV or Parquet file, relative to the project root")
    target: str = Field(min_length=1, description="the label column")
    text: Annotated[str, Field(min_length=1)] | Annotated[list[str], Field(min_length=1)] = Field(
        description="the text column, or a list of columns joined into one text per row"
    )
    encoding_errors: Literal["strict", "replace"] = Field(
        default="strict", description="bytes that are not UTF-8: an error, or replaced by U+FFFD"
    )
    max_chars: int = Field(default=5000, ge=1, description="longer texts are truncated")
    drop: list[str] = Field(default_factory=list, description="columns never used as features")

    @field_validator("text")
    @classmethod
    def _distinct_columns(cls, text: str | list[str]) -> str | list[str]:
        if isinstance(text, list) and (len(set(text)) < len(text) or not all(text)):
            raise ValueError(f"{text} must list distinct, non-empty column names")
        return text


class DemoParams(Section):
    rows: int = Field(default=1200, ge=20)
    seed: int = 0


class NgramParams(Section):
    """One TF-IDF vectorizer: the n-gram lengths, and which terms it keeps."""

    ngram_range: tuple[int, int]
    min_df: int = Field(default=1, ge=1, description="drop terms seen in fewer documents")
    max_features: int | None = Field(default=None, gt=0, description="keep the most frequent")

    @field_validator("ngram_range")
    @classmethod
    def _ordered(cls, value: tuple[int, int]) -> tuple[int, int]:
        if not 1 <= value[0] <= value[1]:
            raise ValueError(f"{list(value)} must be [low, high] with 1 <= low <= high")
        return value


class FeaturesParams(Section):
    words: NgramParams = NgramParams(ngram_range=(1, 2))
    chars: NgramParams | None = Field(default=None, description="n-grams of characters; null: off")
    sublinear_tf: bool = True
    lowercase: bool = True
    lexicons: Path | None = Field(
        default=Path("lexicons"), description="folder of *.txt word lists; null: none"
    )

    @field_validator("lexicons")
    @classmethod
    def _under_root(cls, folder: Path | None, info: ValidationInfo) -> Path | None:
        """Resolve against the project root (load_yaml's context), as stages may run anywhere."""
        root = (info.context or {}).get("root")
        return root / folder if folder is not None and root is not None else folder


def read_options(data: DataParams) -> dict[str, str]:
    """How the raw file is read, whole or in chunks (`tables.stream`): its bytes decoded under
    the data.encoding_errors policy, and the way out that a decoding error mentions."""
    hint = "or set data.encoding_errors: replace (allowed: strict, replace)"
    return {"encoding_errors": data.encoding_errors, "hint": hint}


def needed_columns(data: DataParams) -> list[str]:
    """Columns the raw file must have."""
    return [data.target, *text_columns(data)]


def usable(frame: pd.DataFrame, data: DataParams, tally: Counter) -> pd.DataFrame:
    """The text column(s) and the label, cleaned (counted in `tally`): other columns go."""
    return clean_texts(frame[[*text_columns(data), data.target]], data, tally)


def clean_rows(frame: pd.DataFrame, data: DataParams) -> pd.DataFrame:
    """Labelled pool rows get the same cleaning as the raw file's."""
    tally: Counter = Counter()
    rows = clean_texts(frame, data, tally)
    report_cleaning(tally, data)
    return rows


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


def clean_texts(frame: pd.DataFrame, data: DataParams, tally: Counter) -> pd.DataFrame:
    """Decode, fill and truncate the text columns, then drop rows whose every text is empty.

    Every change is counted in `tally`, and `report_cleaning` logs the counts once for the
    whole file however many chunks it was read in.
    """
    frame, columns = frame.copy(), text_columns(data)
    for column in columns:
        values = [
            _decode(value, data.encoding_errors, f"data.text: column {column!r}, row {row}")
            for row, value in zip(frame.index, frame[column], strict=True)
        ]
        texts = pd.Series(values, index=frame.index, dtype=object).fillna("").astype(str)
        if data.encoding_errors == "replace":
            tally[f"replaced {column}"] += int(texts.str.contains("\ufffd", regex=False).sum())
        tally[f"truncated {column}"] += int(texts.str.len().gt(data.max_chars).sum())
        frame[column] = texts.str.slice(0, data.max_chars)
    empty = frame[columns].apply(lambda texts: texts.str.strip().eq("")).all(axis=1)
    tally["rows"] += len(frame)
    tally["empty"] += int(empty.sum())
    return frame[~empty]


def report_cleaning(tally: Counter, data: DataParams) -> None:
    """Log what `clean_texts` changed; a column set with no text at all is an error, since it
    almost always means data.text names the wrong column."""
    columns = text_columns(data)
    for column in columns:
        if tally[f"replaced {column}"]:
            log.warning(
                "%d text(s) in column %r held bytes that are not UTF-8, "
                "replaced by U+FFFD (data.encoding_errors: replace)",
                tally[f"replaced {column}"],
                column,
            )
        if tally[f"truncated {column}"]:
            log.warning(
                "truncated %d text(s) in column %r to data.max_chars=%d characters",
                tally[f"truncated {column}"],
                column,
                data.max_chars,
            )
    if tally["rows"] and tally["empty"] == tally["rows"]:
        raise ThriftyError(
            f"data.text: column(s) {', '.join(map(repr, columns))} hold no text in any row; "
            "data.text must name the column(s) with the text"
        )
    if tally["empty"]:
        log.warning(
            "dropped %d row(s) with empty or missing text in %s",
            tally["empty"],
            ", ".join(map(repr, columns)),
        )


def data_section(raw: str, target: str, text: list[str], drop: list[str]) -> dict[str, object]:
    """params.yaml's `data` for `use-data`: the text column(s) feed the features."""
    if not text:
        raise ThriftyError("--text: a text project needs the column(s) holding the text")
    return {
        "raw": raw,
        "target": target,
        "text": text[0] if len(text) == 1 else text,
        "drop": drop,
    }


def shown_columns(frame: pd.DataFrame, data: DataParams) -> list[str]:
    """The columns the labeler shows: the text."""
    return text_columns(data)
