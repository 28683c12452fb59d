"""The thrift benchmark's datasets: bundled scikit-learn sets, a seeded 50k-row set, the text demo.

Each entry is (task, data kind, loader); the text demo's loader is None because its corpus comes
from the baked project itself.
"""

from __future__ import annotations

import pandas as pd
from sklearn import datasets


def tabular(loader):
    def load():
        bunch = loader(as_frame=True)
        frame = bunch.frame.rename(columns={bunch.frame.columns[-1]: "target"})
        frame.columns = [str(c) for c in frame.columns]
        return frame

    return load


def synthetic():
    X, y = datasets.make_classification(
        n_samples=50_000, n_features=20, n_informative=8, flip_y=0.05, random_state=0
    )
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(20)])
    frame["target"] = y
    return frame


DATASETS = {
    "breast_cancer": ("classification", "tabular", tabular(datasets.load_breast_cancer)),
    "wine": ("classification", "tabular", tabular(datasets.load_wine)),
    "digits": ("classification", "tabular", tabular(datasets.load_digits)),
    "diabetes": ("regression", "tabular", tabular(datasets.load_diabetes)),
    "classification_50k": ("classification", "tabular", synthetic),
    "text_demo": ("classification", "text", None),
}
