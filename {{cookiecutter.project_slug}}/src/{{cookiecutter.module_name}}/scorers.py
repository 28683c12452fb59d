"""The scikit-learn scorers a done.yaml may name, by task, with the range of their values.

scikit-learn scorers are all "greater is better": error metrics are negative, and so must be
the thresholds written for them.
"""

from __future__ import annotations

import math

CLASSIFICATION_METRICS = {
    **dict.fromkeys(
        ["accuracy", "balanced_accuracy", "average_precision", "top_k_accuracy"]
        + [
            f"{m}{a}"
            for m in ("f1", "precision", "recall", "jaccard")
            for a in ("", "_macro", "_micro", "_weighted")
        ]
        + [
            "roc_auc",
            "roc_auc_ovr",
            "roc_auc_ovo",
            "roc_auc_ovr_weighted",
            "roc_auc_ovo_weighted",
        ],
        (0.0, 1.0),
    ),
    "matthews_corrcoef": (-1.0, 1.0),
    "neg_log_loss": (-math.inf, 0.0),
    "neg_brier_score": (-2.0, 0.0),
}
REGRESSION_METRICS = {
    "r2": (-math.inf, 1.0),
    "explained_variance": (-math.inf, 1.0),
    "d2_absolute_error_score": (-math.inf, 1.0),
    **dict.fromkeys(
        [
            f"neg_{m}"
            for m in (
                "mean_absolute_error",
                "mean_squared_error",
                "root_mean_squared_error",
                "median_absolute_error",
                "mean_absolute_percentage_error",
                "max_error",
            )
        ],
        (-math.inf, 0.0),
    ),
}


def metrics_for(task: str) -> dict[str, tuple[float, float]]:
    """Scorer name -> (lowest, highest) value, for `task`."""
    return CLASSIFICATION_METRICS if task == "classification" else REGRESSION_METRICS
