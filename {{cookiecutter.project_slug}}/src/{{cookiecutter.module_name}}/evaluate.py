"""The evaluate stage: score the tuned model once on the held-out test set, then publish it.

The whole test split is scored, streamed in chunks (`modeling.replay`); the plots draw on a
seeded sample of it (`PLOT_ROWS`), which is every row of all but large splits.

The published bundle (artifacts/model) holds everything a later reader needs: the model, its
fitted features on their own with their names, the diagnostic plots, and metadata with both
the cross-validated and the test scores.
"""

from __future__ import annotations

import logging
import tempfile
from functools import partial
from pathlib import Path

from .bundles.bundle import load_bundle, save_bundle
from .core.config import load_done, load_params
from .core.console import run_stage
from .core.files import read_table
from .core.paths import Paths
from .core.receipts import model_work
from .core.records import Metrics, Tuning, read_record, write_record
from .core.task import STANDARD
from .modeling.features import feature_files
from .modeling.ladder import split_xy
from .modeling.replay import score_chunks
from .reporting.plots import diagnostic_plots
from .reporting.task_plots import plot_data
from .tables.draws import draw_rows
from .tables.stream import chunks

log = logging.getLogger(__name__)


PLOT_ROWS = 20_000  # the plots and their data draw on a seeded sample of this many test rows


def main(root: Path) -> None:
    params, done = load_params(root), load_done(root)
    paths = Paths(root, params)
    tuned = load_bundle(paths.tuned, registry=None)  # written by this pipeline's tune stage
    read = partial(chunks, paths.test)
    with model_work():
        test, rows = score_chunks(tuned.model, read(), params.data, [done.metric, *STANDARD])
        shown = draw_rows(read, params.data.target, PLOT_ROWS, seed=0)
        X, y = split_xy(shown, params.data)
        plot_data(tuned.model, X, y, paths.plot_data)
    with tempfile.TemporaryDirectory() as tmp:
        curve, board = read_table(paths.learning_curve), read_table(paths.leaderboard)
        folder = Path(tmp) / "plots"
        forecast = read_record(paths.tuning_summary, Tuning).forecast
        images = diagnostic_plots(tuned.model, X, y, folder, curve, board, done.metric, forecast)
        files = {f"plots/{image.name}": image for image in images}
        files |= feature_files(tuned.model, Path(tmp), params.features)
        metadata = {**tuned.metadata, "test": test, "test_rows": rows}
        objects = {"model": tuned.model, "features": tuned.model.named_steps["features"]}
        save_bundle(
            paths.bundle, objects, metadata, params.artifacts.format, files, paths.registry
        )
    metrics = Metrics(
        model=tuned.metadata["model"],
        metric=done.metric,
        score=test[done.metric],
        cv=tuned.metadata["cv_score"],
        test=_shown(test, done.metric),
        rows=rows,
    )
    write_record(metrics, paths.metrics)
    log.info("test %s = %.4f (%s)", done.metric, metrics.score, metrics.model)


def _shown(test: dict[str, float], metric: str) -> dict[str, float]:
    """The familiar scores beside done.yaml's `metric`, under their short names; a scorer that
    negates an error (neg_*) is turned back into the error."""
    return {
        short: -test[name] if name.startswith("neg_") else test[name]
        for name, short in STANDARD.items()
        if name != metric
    }


if __name__ == "__main__":
    run_stage(main)
