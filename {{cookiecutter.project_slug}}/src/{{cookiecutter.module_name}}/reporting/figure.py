"""One way to draw a figure: matplotlib without a display, saved, always closed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display is needed, or available on a server
import matplotlib.pyplot as plt  # noqa: E402

TOP = 15  # features or terms shown: more make the labels unreadable


@contextmanager
def figure(path: Path, title: str, **subplots) -> Iterator:
    """The axes of a new figure, saved to `path` with a tight layout, and always closed."""
    fig, ax = plt.subplots(**subplots)
    try:
        yield ax
        fig.suptitle(title)
        fig.tight_layout()
        # tight_layout leaves a placeholder layout engine behind, and for any engine savefig
        # draws the whole figure once more before drawing it: without one, the same PNG in
        # one pass (a tenth of a four-panel figure's time).
        fig.set_layout_engine(None)
        fig.savefig(path, dpi=100)
    finally:
        plt.close(fig)
