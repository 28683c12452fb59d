"""Model bundles: a round trip keeps predictions; altered bundles are refused before unpickling."""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import Pipeline

from {{ cookiecutter.module_name }}.bundle import (
    MANIFEST,
    METADATA,
    MODEL,
    BundleError,
    load_bundle,
    save_bundle,
)
from {{ cookiecutter.module_name }}.config import Params
from {{ cookiecutter.module_name }}.ladder import split_xy


class Marker:
    """Unpickling this creates `path`: proof of whether a pickle was ever loaded."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return open, (str(self.path), "w")


def flip_byte(bundle: Path) -> str:
    data = bytearray((bundle / MODEL).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (bundle / MODEL).write_bytes(bytes(data))
    return MODEL


def truncate(bundle: Path) -> str:
    data = (bundle / METADATA).read_bytes()
    (bundle / METADATA).write_bytes(data[: len(data) // 2])
    return METADATA


def add_unlisted(bundle: Path) -> str:
    (bundle / "notes.txt").write_text("not in the manifest")
    return "notes.txt"


def remove_manifest(bundle: Path) -> str:
    (bundle / MANIFEST).unlink()
    return MANIFEST


def garble_manifest(bundle: Path) -> str:
    (bundle / MANIFEST).write_text(json.dumps(dict(files=[MODEL, METADATA])))
    return MANIFEST


def list_outside(name: str) -> Callable[[Path], str]:
    """A tamper that lists a path outside the bundle in the manifest."""

    def tamper(bundle: Path) -> str:
        manifest = json.loads((bundle / MANIFEST).read_text())
        manifest["files"][name] = dict(sha256="0" * 64, bytes=1)
        (bundle / MANIFEST).write_text(json.dumps(manifest))
        return name

    return tamper


@pytest.fixture
def crafted(tmp_path: Path) -> tuple[Path, Path]:
    """A valid bundle whose pickle creates a marker file if it is ever loaded."""
    marker = tmp_path / "unpickled"
    save_bundle(tmp_path / "model", Marker(marker), {"model": "crafted"})
    return tmp_path / "model", marker


def test_round_trip_keeps_predictions(
    tmp_path: Path, fitted: Pipeline, make_frame: Callable[..., pd.DataFrame], params: Params
) -> None:
    X, _ = split_xy(make_frame(20, seed=1), params.data)
    path = tmp_path / "artifacts" / "model"
    save_bundle(path, fitted, {"model": "rival"})
    model, metadata = load_bundle(path)
    assert metadata == {"model": "rival"}
    np.testing.assert_array_equal(model.predict(X), fitted.predict(X))
    assert list(path.parent.iterdir()) == [path]  # no temporary folder left behind


def test_crafted_pickle_runs_when_loaded(crafted: tuple[Path, Path]) -> None:
    bundle, marker = crafted
    assert not marker.exists()
    handle, _ = load_bundle(bundle)
    handle.close()
    assert marker.exists()  # so its absence below proves nothing was unpickled


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(flip_byte, id="flipped-byte"),
        pytest.param(truncate, id="truncated"),
        pytest.param(add_unlisted, id="unlisted-file"),
        pytest.param(remove_manifest, id="no-manifest"),
        pytest.param(garble_manifest, id="garbled-manifest"),
        pytest.param(list_outside("../model.joblib"), id="dot-dot"),
        pytest.param(list_outside("/tmp/elsewhere/model.joblib"), id="absolute"),
    ],
)
def test_altered_bundle_is_refused_before_unpickling(
    crafted: tuple[Path, Path], tamper: Callable[[Path], str]
) -> None:
    bundle, marker = crafted
    name = tamper(bundle)
    with pytest.raises(BundleError) as error:
        load_bundle(bundle)
    assert name in str(error.value)
    assert not marker.exists()


def test_failed_save_keeps_previous_bundle(tmp_path: Path, fitted: Pipeline) -> None:
    path = tmp_path / "artifacts" / "model"
    save_bundle(path, fitted, {"model": "first"})
    with pytest.raises(pickle.PicklingError):
        save_bundle(path, lambda: None, {"model": "second"})
    _, metadata = load_bundle(path)
    assert metadata == {"model": "first"}
    assert list(path.parent.iterdir()) == [path]
