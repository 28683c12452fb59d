"""Predict with a verified bundle: the input is checked against the schema it was trained on."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from .bundles.bundle import load_bundle
from .core.files import read_table, write_table
from .core.settings import ThriftyError

log = logging.getLogger(__name__)


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
    X = frame[list(columns)]
    result = frame[keep].reset_index(drop=True)
    result["prediction"] = model.predict(X)
    if probabilities:
        result[outputs[1:]] = model.predict_proba(X)
    return result


def main(
    bundle: Path,
    input: Path,
    output: Path,
    registry: Path | None = None,
    allow: bool = False,
    keep: Sequence[str] = (),
) -> None:
    loaded = load_bundle(bundle, registry or True, allow_version_mismatch=allow)
    frame = read_table(input, "--input")
    result = predict(loaded.model, frame, loaded.metadata["columns"], keep)
    write_table(result, output)
    log.info("wrote %d predictions to %s", len(result), output)
