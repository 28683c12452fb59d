"""Model bundles: one folder with the model, its fitted features, plots, metadata and manifest.

A pickle runs code when it is loaded, so nothing in a bundle is deserialised before every file
is checked against the manifest, and the manifest against a registry kept outside the bundle
(a tampered bundle cannot vouch for itself). Saves are atomic: a save killed at any point
leaves the previous bundle loadable.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import pickle
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..core.settings import ThriftyError

MANIFEST, METADATA, REGISTRY = "manifest.json", "metadata.json", "registry.json"
# skops loads only the types listed here: the allow-list lives in code, never in a bundle.
TRUSTED_PREFIXES = (
    "sklearn.",
    "numpy.",
    "scipy.",
    "builtins.",
    "collections.",
    __name__.split(".")[0] + ".",  # this project's own package
)


# joblib.dump writes each NumPy array after a wrapper of this name, outside the pickle's own
# opcodes: bundles saved before `dump` used the C pickler need joblib.load to read them.
JOBLIB_ARRAYS = b"NumpyArrayWrapper"


class BundleError(ThriftyError):
    """A bundle is missing, incomplete, altered, or from another scikit-learn."""


@dataclass(frozen=True)
class Bundle:
    path: Path
    model: Any
    metadata: dict[str, Any]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    handle = os.open(path, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def dump(obj: Any, path: Path, fmt: str) -> None:
    if fmt == "skops":
        import skops.io

        skops.io.dump(obj, path)
    else:
        # The C pickler, not joblib.dump's (which pickles in Python: six times slower on a
        # text model's vocabulary); joblib.load reads the file as it reads its own.
        with open(path, "wb") as handle:
            pickle.dump(obj, handle, protocol=pickle.HIGHEST_PROTOCOL)


def _load(path: Path, fmt: str) -> Any:
    if fmt != "skops":
        # Mapped, not read: a large model is not held twice, as bytes and as objects.
        with open(path, "rb") as handle:
            if os.fstat(handle.fileno()).st_size:  # mmap refuses an empty file
                with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                    if data[:1] == pickle.PROTO and data.find(JOBLIB_ARRAYS) < 0:
                        return pickle.loads(data)  # the C unpickler; joblib.load's is Python
        import joblib

        return joblib.load(path)  # a file joblib.dump wrote (compressed, or holding arrays)
    import skops.io

    untrusted = skops.io.get_untrusted_types(file=path)
    refused = [name for name in untrusted if not name.startswith(TRUSTED_PREFIXES)]
    if refused:
        raise BundleError(f"{path}: types outside the allow-list: {', '.join(refused)}")
    return skops.io.load(path, trusted=untrusted)


def _registry(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.is_file() else {"bundles": {}}


def _register(registry: Path, name: str, digests: list[str], note: dict[str, Any]) -> None:
    data = _registry(registry)
    data["bundles"][name] = {"manifest_sha256": digests, **note}
    tmp = registry.with_name(f".{registry.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    _fsync(tmp)
    os.replace(tmp, registry)


def recover(path: Path) -> None:
    """Finish the swap of a save that was killed between its two renames."""
    old = path.with_name(f".{path.name}.old")
    if not path.exists() and old.is_dir():
        old.rename(path)


def save_bundle(
    path: Path,
    objects: dict[str, Any],
    metadata: dict[str, Any],
    fmt: str = "joblib",
    files: dict[str, Path] | None = None,
    registry: Path | None = None,
) -> str:
    """Write `objects` (name -> object) and `files` (name -> file to copy) as a bundle.

    Returns the manifest's sha256. With `registry`, that digest is recorded there, and both
    the previous and the new digest are accepted while the folders are being swapped.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    recover(path)
    # A save killed before its renames leaves its temporary folder; DVC runs one save at a time.
    for leftover in path.parent.glob(f".{path.name}.new-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.new-"))
    try:
        for name, obj in objects.items():
            dump(obj, tmp / f"{name}.{fmt}", fmt)
        for name, source in (files or {}).items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, tmp / name)
        meta = {**metadata, "format": fmt, "objects": sorted(objects)}
        (tmp / METADATA).write_text(json.dumps(meta, indent=2, default=str) + "\n")
        listed = sorted(p for p in tmp.rglob("*") if p.is_file())
        manifest = {
            p.relative_to(tmp).as_posix(): {"sha256": sha256(p), "bytes": p.stat().st_size}
            for p in listed
        }
        (tmp / MANIFEST).write_text(json.dumps({"files": manifest}, indent=2) + "\n")
        for p in [*listed, tmp / MANIFEST, *{p.parent for p in listed}]:
            _fsync(p)
        digest = sha256(tmp / MANIFEST)
        note = {"updated_utc": datetime.now(UTC).isoformat(timespec="seconds")}
        if registry is not None:
            previous = _registry(registry)["bundles"].get(path.name, {}).get("manifest_sha256", [])
            _register(registry, path.name, [*previous[-1:], digest], note)
        old = path.with_name(f".{path.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if path.exists():
            path.rename(old)
        tmp.rename(path)
        _fsync(path.parent)
        if registry is not None:
            _register(registry, path.name, [digest], note)
        shutil.rmtree(old, ignore_errors=True)
        return digest
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _manifest(path: Path, registry: Path | None) -> dict[str, Any]:
    """The manifest's file table, after checking the manifest itself against the registry."""
    manifest = path / MANIFEST
    if not manifest.is_file():
        raise BundleError(f"{path}: no {MANIFEST}; not a bundle, or an interrupted save")
    if registry is not None:
        accepted = _registry(registry)["bundles"].get(path.name, {}).get("manifest_sha256", [])
        actual = sha256(manifest)
        if actual not in accepted:
            raise BundleError(
                f"{manifest}: not the manifest recorded in {registry} "
                f"(expected sha256 {' or '.join(accepted) or 'an entry for ' + path.name}, "
                f"got {actual})"
            )
    try:
        listed = json.loads(manifest.read_text())["files"]
        if not all(isinstance(entry, dict) for entry in listed.values()):
            raise TypeError
    except (ValueError, KeyError, TypeError, AttributeError):
        raise BundleError(f"{manifest}: unreadable manifest") from None
    return listed


def verify_bundle(path: Path, registry: Path | None) -> dict[str, Any]:
    """Check the manifest (against `registry`) and every file; return the metadata.

    Deserialises nothing: only JSON is read.
    """
    recover(path)
    listed = _manifest(path, registry)
    root = path.resolve()
    for name, entry in listed.items():
        file = (path / name).resolve()
        if Path(name).is_absolute() or not file.is_relative_to(root):
            raise BundleError(f"{path / MANIFEST}: path {name!r} leaves the bundle")
        if not file.is_file():
            raise BundleError(f"{path}: {name} is listed in the manifest but missing")
        actual = sha256(file)
        if actual != entry.get("sha256"):
            raise BundleError(
                f"{path}: {name} does not match the manifest "
                f"(expected sha256 {entry.get('sha256')}, got {actual})"
            )
    present = {p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file()}
    unlisted = present - {*listed, MANIFEST}
    if unlisted:
        raise BundleError(f"{path}: files not in the manifest: {', '.join(sorted(unlisted))}")
    if METADATA not in listed:
        raise BundleError(f"{path}: the manifest must list {METADATA}")
    return json.loads((path / METADATA).read_text())


def load_bundle(
    path: Path,
    registry: Path | None | bool = True,
    allow_version_mismatch: bool = False,
    name: str = "model",
) -> Bundle:
    """Verify the bundle, then load one of its objects (the model by default).

    `registry=True` uses `registry.json` beside the bundle; `None` skips that check (for a
    stage reading the bundle its own pipeline just wrote).
    """
    if registry is True:
        registry = path.parent / REGISTRY
        if not registry.is_file():
            raise BundleError(f"{path}: no {REGISTRY} beside the bundle to check it against")
    import sklearn

    metadata = verify_bundle(path, registry or None)
    recorded = (metadata.get("versions") or {}).get("scikit-learn")
    if recorded and recorded != sklearn.__version__ and not allow_version_mismatch:
        raise BundleError(
            f"{path}: saved with scikit-learn {recorded}, this is {sklearn.__version__}; "
            "retrain, or pass --allow-version-mismatch if you accept the risk"
        )
    fmt = metadata.get("format", "joblib")
    if f"{name}.{fmt}" not in json.loads((path / MANIFEST).read_text())["files"]:
        raise BundleError(f"{path}: holds no {name}.{fmt}")
    return Bundle(path, _load(path / f"{name}.{fmt}", fmt), metadata)
