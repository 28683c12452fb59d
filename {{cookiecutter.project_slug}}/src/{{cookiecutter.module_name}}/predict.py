"""Predict with a verified bundle: the input is checked against the schema it was trained on."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from .bundles.bundle import load_bundle
from .core.files import read_table, write_table
from .core.settings import ThriftyError

log = logging.getLogger(__name__)


def predict(model, frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Predictions (and class probabilities) for the rows of `frame`."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ThriftyError(f"--input lacks the column(s) the model needs: {', '.join(missing)}")
    extra = [column for column in frame.columns if column not in columns]
    if extra:
        log.info("ignoring column(s) the model does not use: %s", ", ".join(map(str, extra)))
    X = frame[list(columns)]
    result = pd.DataFrame({"prediction": model.predict(X)})
    if hasattr(model, "predict_proba"):
        probabilities = model.predict_proba(X)
        for index, label in enumerate(model.classes_):
            result[f"proba_{label}"] = probabilities[:, index]
    return result


def main(
    bundle: Path, input: Path, output: Path, registry: Path | None = None, allow: bool = False
) -> None:
    loaded = load_bundle(bundle, registry or True, allow_version_mismatch=allow)
    frame = read_table(input, "--input")
    result = predict(loaded.model, frame, loaded.metadata["columns"])
    write_table(result, output)
    log.info("wrote %d predictions to %s", len(result), output)
