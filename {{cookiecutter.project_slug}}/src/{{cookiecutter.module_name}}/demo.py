{%- if cookiecutter.data_kind == "text" -%}
"""The demo stage: writes the project's own labelled text corpus to data/raw/demo.csv.

No package ships a labelled text corpus and the pipeline must run offline, so `corpus.py`
composes one. The stage owns this one file, never the folder: your own data beside it is safe.
"""
{%- else -%}
"""The demo stage: writes scikit-learn's bundled {{ "breast-cancer" if cookiecutter.task == "classification" else "diabetes" }} data to data/raw/demo.csv.

The data ships inside scikit-learn, so the pipeline runs offline. The stage owns this one file,
never the folder: your own data beside it is safe.
"""
{%- endif %}

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from .config import {% if cookiecutter.data_kind == "text" %}DemoParams, {% endif %}Paths, load_params
from .files import write_table

log = logging.getLogger(__name__)


def make_demo({% if cookiecutter.data_kind == "text" %}params: DemoParams{% endif %}) -> pd.DataFrame:
    """Return the demo data set as one frame, the label in its last column."""
{%- if cookiecutter.data_kind == "text" %}
    from .corpus import make_corpus

    return make_corpus(n_rows=params.rows, seed=params.seed)
{%- elif cookiecutter.task == "classification" %}
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer(as_frame=True)
    frame = bunch.frame
    # Readable class names instead of 0/1: predictions and reports then speak for themselves.
    frame["target"] = bunch.target_names[bunch.target]
    return frame
{%- else %}
    from sklearn.datasets import load_diabetes

    # Unscaled, so the columns look like the measurements a user would bring.
    return load_diabetes(as_frame=True, scaled=False).frame
{%- endif %}


def main(root: Path) -> None:
    params = load_params(root)
    frame = make_demo({% if cookiecutter.data_kind == "text" %}params.demo{% endif %})
    path = Paths(root, params).demo
    write_table(frame, path)
    log.info("wrote %d demo rows to %s", len(frame), path.relative_to(root))
