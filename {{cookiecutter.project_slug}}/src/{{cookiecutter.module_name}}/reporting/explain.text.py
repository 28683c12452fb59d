"""What a text model uses: the terms with the largest weights, towards or away from each class."""

from __future__ import annotations

from pathlib import Path

from matplotlib.patches import Patch

from ..modeling.features import top_terms
from .figure import TOP, figure


def _term_label(kind: str, term: str) -> str:
    """How a feature reads on the plot: character n-grams quoted, lexicons named as such."""
    return {"chars": f"'{term}'", "lexicons": f"lexicon: {term}"}.get(kind, term)


COLOURS = {"towards": "tab:blue", "away": "tab:red"}


def draw_terms(ax, name: str, rows) -> None:
    """One class's terms as bars, largest weight on top, coloured by direction, with a legend
    of the directions drawn."""
    rows = rows.sort_values("weight")  # barh draws bottom-up
    labels = [_term_label(kind, term) for kind, term in rows[["kind", "term"]].to_numpy()]
    colours = [COLOURS["towards" if weight > 0 else "away"] for weight in rows["weight"]]
    ax.barh(range(len(rows)), rows["weight"], color=colours, tick_label=labels)
    ax.axvline(0, color="grey", linewidth=1)
    shown = [way for way in COLOURS if way in set(rows["direction"])]
    handles = [Patch(color=COLOURS[way], label=f"{way} {name}") for way in shown]
    ax.legend(handles=handles, loc="lower right", fontsize=8)
    ax.set(title=name, xlabel="weight", ylabel="term")


def explain(model, X, y, metric: str, seed: int, folder: Path) -> Path | None:
    """One panel per class: its terms with the largest weights, towards (blue) or away (red)."""
    path = folder / "top_terms.png"
    terms = top_terms(model, TOP)
    if terms is None:
        return None  # trees, neighbours, the dummy: no one weight per term to show
    panels = list(terms.groupby("class", sort=False))
    columns = min(len(panels), 2)
    grid = {"nrows": -(-len(panels) // columns), "ncols": columns, "squeeze": False}
    title = "Terms with the largest weights, towards and away from each class"
    with figure(path, title, figsize=(6 * columns, 4.5 * grid["nrows"]), **grid) as axes:
        for ax, (name, rows) in zip(axes.flat, panels, strict=False):
            draw_terms(ax, str(name), rows)
        for ax in axes.flat[len(panels) :]:
            ax.set_axis_off()
    return path
