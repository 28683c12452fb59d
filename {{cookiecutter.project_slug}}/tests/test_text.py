"""Text features: sparse TF-IDF of the text column, with gaps read as empty messages."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from {{ cookiecutter.module_name }}.config import Params, ThriftyError
from {{ cookiecutter.module_name }}.ladder import build_candidate, build_features, split_xy
from {{ cookiecutter.module_name }}.prepare import tidy

Frame = Callable[..., pd.DataFrame]


def test_features_are_sparse(make_frame: Frame, params: Params) -> None:
    X, _ = split_xy(make_frame(20), params.data)
    matrix = build_features(params.data, params.features).fit_transform(X)
    assert sparse.issparse(matrix)
    assert matrix.shape[0] == 20


def test_missing_texts_become_empty(make_frame: Frame, params: Params) -> None:
    frame = make_frame(20)
    frame[params.data.text] = frame[params.data.text].astype(object)
    frame.loc[0, params.data.text] = None
    frame.loc[1, params.data.text] = np.nan
    frame.loc[2, params.data.text] = ""
    tidied = tidy(frame, params.data)
    assert tidied[params.data.text].head(3).tolist() == ["", "", ""]
    assert list(tidied.columns) == [params.data.text, params.data.target]
    X, y = split_xy(tidied, params.data)
    rung = list(params.ladder.values())[1]
    model = build_candidate(rung, params.data, params.features).fit(X, y)
    assert len(model.predict(X)) == 20


def test_missing_text_column_lists_columns(make_frame: Frame, params: Params) -> None:
    frame = make_frame(10).rename(columns={params.data.text: "body"})
    with pytest.raises(ThriftyError) as error:
        tidy(frame, params.data)
    assert params.data.text in str(error.value)
    for column in frame.columns:
        assert column in str(error.value)
