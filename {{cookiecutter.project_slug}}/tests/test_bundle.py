"""Model bundles: a round trip keeps predictions; altered bundles are refused before unpickling."""

from __future__ import annotations

import json
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from {{ cookiecutter.module_name }}.bundles import bundle as bundle_module
from {{ cookiecutter.module_name }}.bundles.bundle import (
    MANIFEST,
    METADATA,
    REGISTRY,
    TRUSTED_PREFIXES,
    BundleError,
    load_bundle,
    save_bundle,
    sha256,
    verify_bundle,
)
from {{ cookiecutter.module_name }}.core.config import Params
from {{ cookiecutter.module_name }}.modeling.ladder import split_xy

MODEL = "model.joblib"  # the model file of a bundle saved in the default format


class Marker:
    """Unpickling this creates `path`: proof of whether a pickle was ever loaded."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return open, (str(self.path), "w")


def double(values: Any) -> Any:
    """A function from this test module: not a type the skops allow-list trusts."""
    return values * 2


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


def registered(registry: Path, name: str = "model") -> list[str]:
    """The manifest digests `registry` accepts for the bundle `name`."""
    return json.loads(registry.read_text())["bundles"][name]["manifest_sha256"]


@pytest.fixture
def X(make_frame: Callable[..., pd.DataFrame], params: Params) -> pd.DataFrame:
    return split_xy(make_frame(20, seed=1), params.data)[0]


@pytest.fixture
def crafted(tmp_path: Path) -> tuple[Path, Path]:
    """A valid, registered bundle whose pickle creates a marker file if it is ever loaded."""
    marker = tmp_path / "unpickled"
    bundle = tmp_path / "model"
    save_bundle(
        bundle, {"model": Marker(marker)}, {"model": "crafted"}, registry=tmp_path / REGISTRY
    )
    return bundle, marker


@pytest.mark.parametrize("compress", [0, 3], ids=["plain", "compressed"])
def test_a_bundle_joblib_dump_wrote_still_loads(
    tmp_path: Path,
    fitted: Pipeline,
    X: pd.DataFrame,
    monkeypatch: pytest.MonkeyPatch,
    compress: int,
) -> None:
    """Bundles saved before the C pickler were written by joblib.dump: arrays outside the
    pickle's opcodes, or the whole file compressed. They load as before."""

    def joblib_dump(obj: Any, path: Path, fmt: str) -> None:
        joblib.dump(obj, path, compress=compress)

    monkeypatch.setattr(bundle_module, "dump", joblib_dump)
    path = tmp_path / "model"
    save_bundle(path, {"model": fitted}, {}, registry=tmp_path / REGISTRY)
    monkeypatch.undo()
    assert (b"NumpyArrayWrapper" in (path / MODEL).read_bytes()) == (not compress)
    np.testing.assert_array_equal(load_bundle(path).model.predict(X), fitted.predict(X))


def test_a_bundle_is_read_by_the_c_unpickler(
    tmp_path: Path, fitted: Pipeline, X: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "model"
    save_bundle(path, {"model": fitted}, {}, registry=tmp_path / REGISTRY)

    def python_unpickler(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("joblib.load unpickles in Python: slower on every stage's load")

    monkeypatch.setattr(joblib, "load", python_unpickler)
    np.testing.assert_array_equal(load_bundle(path).model.predict(X), fitted.predict(X))


def test_round_trip_keeps_predictions(tmp_path: Path, fitted: Pipeline, X: pd.DataFrame) -> None:
    path, registry = tmp_path / "artifacts" / "model", tmp_path / "artifacts" / REGISTRY
    plot = tmp_path / "plot.png"
    plot.write_bytes(b"not really a png")
    objects = {"model": fitted, "features": fitted.named_steps["features"]}
    digest = save_bundle(
        path, objects, {"model": "rival"}, files={"plots/a.png": plot}, registry=registry
    )
    assert digest == sha256(path / MANIFEST)
    bundle = load_bundle(path)
    assert bundle.path == path
    assert bundle.metadata == {
        "model": "rival",
        "format": "joblib",
        "objects": ["features", "model"],
    }
    np.testing.assert_array_equal(bundle.model.predict(X), fitted.predict(X))
    # Written by the C pickler; a user's own joblib.load reads it all the same.
    np.testing.assert_array_equal(joblib.load(path / MODEL).predict(X), fitted.predict(X))
    assert (path / "plots" / "a.png").read_bytes() == plot.read_bytes()
    listed = json.loads((path / MANIFEST).read_text())["files"]
    assert set(listed) == {MODEL, "features.joblib", METADATA, "plots/a.png"}
    assert verify_bundle(path, registry) == bundle.metadata
    features = load_bundle(path, name="features").model
    expected = fitted.named_steps["features"].get_feature_names_out()
    np.testing.assert_array_equal(features.get_feature_names_out(), expected)
    with pytest.raises(BundleError, match="holds no tuned.joblib"):
        load_bundle(path, name="tuned")
    # no temporary folder left behind
    assert sorted(p.name for p in path.parent.iterdir()) == ["model", REGISTRY]


def test_registry_keeps_one_digest_after_a_save(tmp_path: Path, fitted: Pipeline) -> None:
    path, registry = tmp_path / "model", tmp_path / REGISTRY
    first = save_bundle(path, {"model": fitted}, {"model": "first"}, registry=registry)
    assert registered(registry) == [first]
    second = save_bundle(path, {"model": fitted}, {"model": "second"}, registry=registry)
    assert second != first
    assert registered(registry) == [second]
    assert load_bundle(path).metadata["model"] == "second"


def test_missing_registry_is_refused(tmp_path: Path, fitted: Pipeline) -> None:
    path = tmp_path / "model"
    save_bundle(path, {"model": fitted}, {"model": "rival"})
    with pytest.raises(BundleError, match=REGISTRY):
        load_bundle(path)
    assert load_bundle(path, registry=None).metadata["model"] == "rival"


def test_crafted_pickle_runs_when_loaded(crafted: tuple[Path, Path]) -> None:
    bundle, marker = crafted
    assert not marker.exists()
    load_bundle(bundle).model.close()
    assert marker.exists()  # so its absence below proves nothing was unpickled


@pytest.mark.parametrize(
    ("tamper", "registry", "reason"),
    [
        pytest.param(flip_byte, True, "does not match the manifest", id="flipped-byte"),
        pytest.param(truncate, True, "does not match the manifest", id="truncated"),
        pytest.param(add_unlisted, True, "not in the manifest", id="unlisted-file"),
        pytest.param(remove_manifest, True, "no manifest", id="no-manifest"),
        pytest.param(garble_manifest, None, "unreadable manifest", id="garbled-manifest"),
        pytest.param(garble_manifest, True, "not the manifest recorded", id="garbled-registered"),
        pytest.param(list_outside("../model.joblib"), None, "leaves the bundle", id="dot-dot"),
        pytest.param(
            list_outside("/tmp/elsewhere/model.joblib"), None, "leaves the bundle", id="absolute"
        ),
    ],
)
def test_altered_bundle_is_refused_before_unpickling(
    crafted: tuple[Path, Path], tamper: Callable[[Path], str], registry: bool | None, reason: str
) -> None:
    bundle, marker = crafted
    name = tamper(bundle)
    with pytest.raises(BundleError, match=reason) as error:
        load_bundle(bundle, registry=registry)
    assert name in str(error.value)
    assert not marker.exists()


def test_file_swapped_in_from_another_bundle_is_refused(
    crafted: tuple[Path, Path], fitted: Pipeline
) -> None:
    bundle, marker = crafted
    other = bundle.with_name("other")
    save_bundle(other, {"model": fitted}, {"model": "rival"}, registry=bundle.parent / REGISTRY)
    shutil.copyfile(bundle / MODEL, other / MODEL)  # both files are valid in their own bundle
    with pytest.raises(BundleError, match=f"{MODEL} does not match the manifest"):
        load_bundle(other)
    assert not marker.exists()


def test_edited_manifest_is_refused_by_the_registry(
    crafted: tuple[Path, Path], fitted: Pipeline
) -> None:
    bundle, marker = crafted
    other = bundle.with_name("other")
    digest = save_bundle(
        other, {"model": fitted}, {"model": "rival"}, registry=bundle.parent / REGISTRY
    )
    # Swap the crafted pickle in and update the manifest to match: only the registry can tell.
    shutil.copyfile(bundle / MODEL, other / MODEL)
    manifest = json.loads((other / MANIFEST).read_text())
    manifest["files"][MODEL] = {
        "sha256": sha256(other / MODEL),
        "bytes": (other / MODEL).stat().st_size,
    }
    (other / MANIFEST).write_text(json.dumps(manifest))
    edited = sha256(other / MANIFEST)
    with pytest.raises(BundleError, match="not the manifest recorded") as error:
        load_bundle(other)
    assert digest in str(error.value) and edited in str(error.value)
    assert not marker.exists()
    # Without the registry the edit is consistent, so the registry alone refused it.
    load_bundle(other, registry=None).model.close()
    assert marker.exists()


def test_failed_save_keeps_previous_bundle(tmp_path: Path, fitted: Pipeline) -> None:
    path, registry = tmp_path / "artifacts" / "model", tmp_path / "artifacts" / REGISTRY
    first = save_bundle(path, {"model": fitted}, {"model": "first"}, registry=registry)
    # The C pickler says AttributeError for a local object, Python's PicklingError.
    with pytest.raises((pickle.PicklingError, AttributeError), match="pickle"):
        save_bundle(path, {"model": lambda: None}, {"model": "second"}, registry=registry)
    assert load_bundle(path).metadata["model"] == "first"
    assert registered(registry) == [first]
    assert sorted(p.name for p in path.parent.iterdir()) == ["model", REGISTRY]


def test_save_killed_between_renames_is_recovered(
    tmp_path: Path, fitted: Pipeline, X: pd.DataFrame
) -> None:
    path = tmp_path / "model"
    save_bundle(path, {"model": fitted}, {"model": "first"}, registry=tmp_path / REGISTRY)
    old = path.with_name(f".{path.name}.old")
    path.rename(old)  # the first rename done, the second never happened
    bundle = load_bundle(path)
    assert bundle.metadata["model"] == "first"
    np.testing.assert_array_equal(bundle.model.predict(X), fitted.predict(X))
    assert path.is_dir() and not old.exists()


def test_version_mismatch_is_refused_unless_allowed(
    crafted: tuple[Path, Path], fitted: Pipeline, X: pd.DataFrame
) -> None:
    folder, marker = crafted[0].parent, crafted[1]
    versions = {"scikit-learn": "0.0.1"}
    old = {"versions": versions}
    save_bundle(folder / "old", {"model": Marker(marker)}, old, registry=folder / REGISTRY)
    with pytest.raises(BundleError, match="scikit-learn 0.0.1"):
        load_bundle(folder / "old")
    assert not marker.exists()
    save_bundle(folder / "old", {"model": fitted}, old, registry=folder / REGISTRY)
    with pytest.raises(BundleError, match="allow-version-mismatch"):
        load_bundle(folder / "old")
    bundle = load_bundle(folder / "old", allow_version_mismatch=True)
    assert bundle.metadata["versions"] == old["versions"]
    np.testing.assert_array_equal(bundle.model.predict(X), fitted.predict(X))


def test_skops_round_trip_keeps_predictions(
    tmp_path: Path, fitted: Pipeline, X: pd.DataFrame
) -> None:
    pytest.importorskip("skops")
    path = tmp_path / "model"
    save_bundle(
        path, {"model": fitted}, {"model": "rival"}, fmt="skops", registry=tmp_path / REGISTRY
    )
    assert "model.skops" in json.loads((path / MANIFEST).read_text())["files"]
    bundle = load_bundle(path)
    assert bundle.metadata["format"] == "skops"
    np.testing.assert_array_equal(bundle.model.predict(X), fitted.predict(X))


def test_skops_refuses_types_outside_the_allow_list(tmp_path: Path) -> None:
    skops_io = pytest.importorskip("skops.io")
    transformer = FunctionTransformer(double).fit(np.ones((3, 2)))
    path = tmp_path / "model"
    save_bundle(
        path,
        {"model": transformer},
        {"model": "custom"},
        fmt="skops",
        registry=tmp_path / REGISTRY,
    )
    untrusted = skops_io.get_untrusted_types(file=path / "model.skops")
    outside = [name for name in untrusted if not name.startswith(TRUSTED_PREFIXES)]
    if not outside:
        pytest.skip(f"skops flags no type outside the allow-list here (it flags {untrusted})")
    with pytest.raises(BundleError, match="outside the allow-list") as error:
        load_bundle(path)
    assert all(name in str(error.value) for name in outside)
    assert any(name.endswith(".double") for name in outside)
