"""The plots of a regressor on the test set: predicted against actual, and the residuals.

scikit-learn's PredictionErrorDisplay draws both; `plot_data` writes the rows behind them as
CSV for `dvc plots`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.ticker import AutoLocator, ScalarFormatter
from sklearn.metrics import PredictionErrorDisplay

from ..core.files import write_table
from .figure import figure


def task_plots(model, X: pd.DataFrame, y: pd.Series, folder: Path, seed: int) -> list[Path]:
    kinds = {
        "predicted_vs_actual": ("actual_vs_predicted", "Predicted against actual (test set)"),
        "residuals": ("residual_vs_predicted", "Residuals against predicted (test set)"),
    }
    paths = []
    for stem, (kind, title) in kinds.items():
        paths.append(folder / f"{stem}.png")
        with figure(paths[-1], title, figsize=(7, 6)) as ax:
            PredictionErrorDisplay.from_estimator(model, X, y, kind=kind, ax=ax, random_state=seed)
            # The display puts five ticks at exact fifths of the range (0.368, 1.695, ...):
            # round ones read better.
            for axis in (ax.xaxis, ax.yaxis):
                axis.set_major_locator(AutoLocator())
                axis.set_major_formatter(ScalarFormatter())
    return paths


def plot_data(model, X_test: pd.DataFrame, y_test: pd.Series, folder: Path) -> list[Path]:
    """Actual, predicted and residual per test row, for `dvc plots`."""
    predicted = model.predict(X_test)
    frame = pd.DataFrame({"actual": y_test.to_numpy(), "predicted": predicted})
    tables = {"predictions.csv": frame.assign(residual=frame["actual"] - frame["predicted"])}
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        write_table(table, folder / name)
    return [folder / name for name in tables]
