"""What a text model uses: the terms with the largest weights, towards or away from each class."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..modeling.features import top_terms
from .figure import TOP, figure


def _term_label(kind: str, term: str) -> str:
    """How a feature reads on the plot: character n-grams quoted, lexicons named as such."""
    return {"chars": f"'{term}'", "lexicons": f"lexicon: {term}"}.get(kind, term)


def explain(model, X, y, metric: str, seed: int, folder: Path) -> Path | None:
    """One panel per class: its terms with the largest weights, towards (blue) or away (red)."""
    path = folder / "top_terms.png"
    terms = top_terms(model, TOP)
    if terms is None:
        return None  # trees, neighbours, the dummy: no one weight per term to show
    panels = list(terms.groupby("class", sort=False))
    columns = min(len(panels), 2)
    grid = {"nrows": -(-len(panels) // columns), "ncols": columns, "squeeze": False}
    title = "Terms with the largest weights (blue: towards, red: away)"
    with figure(path, title, figsize=(6 * columns, 4.5 * grid["nrows"]), **grid) as axes:
        for ax, (name, rows) in zip(axes.flat, panels, strict=False):
            rows = rows.iloc[::-1]  # barh draws bottom-up: the largest weight on top
            labels = [_term_label(kind, term) for kind, term in rows[["kind", "term"]].to_numpy()]
            colours = np.where(rows["weight"] > 0, "tab:blue", "tab:red")
            ax.barh(labels, rows["weight"], color=colours)
            ax.axvline(0, color="grey", linewidth=1)
            ax.set(title=name, xlabel="weight", ylabel="term")
        for ax in axes.flat[len(panels) :]:
            ax.set_axis_off()
    return path
