"""Model bundles: a folder holding the model and its metadata, with a manifest of digests.

A pickle runs code when it is loaded, so `load_bundle` checks every file against the manifest
before anything is deserialised, and refuses paths that leave the bundle.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import joblib

from .config import ThriftyError

MODEL = "model.joblib"
METADATA = "metadata.json"
MANIFEST = "manifest.json"


class BundleError(ThriftyError):
    """A bundle is missing, incomplete or altered."""


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


def save_bundle(path: Path, model: Any, metadata: dict[str, Any]) -> None:
    """Write the bundle into a temporary sibling folder, fsync it, then swap it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.new-"))
    try:
        joblib.dump(model, tmp / MODEL)
        (tmp / METADATA).write_text(json.dumps(metadata, indent=2, default=str) + "\n")
        files = sorted(p for p in tmp.rglob("*") if p.is_file())
        manifest = {
            p.relative_to(tmp).as_posix(): {"sha256": sha256(p), "bytes": p.stat().st_size}
            for p in files
        }
        (tmp / MANIFEST).write_text(json.dumps({"files": manifest}, indent=2) + "\n")
        for p in [*files, tmp / MANIFEST, tmp]:
            _fsync(p)
        old = path.parent / f".{path.name}.old"
        shutil.rmtree(old, ignore_errors=True)
        if path.exists():
            path.rename(old)
        tmp.rename(path)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def verify_bundle(path: Path) -> dict[str, Any]:
    """Check every file against the manifest; return the metadata. Deserialises nothing."""
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        raise BundleError(f"{path}: no {MANIFEST}; not a bundle, or an interrupted save")
    try:
        listed = json.loads(manifest_path.read_text())["files"]
        if not all(isinstance(entry, dict) for entry in listed.values()):
            raise TypeError("every manifest entry must be an object")
    except (ValueError, KeyError, TypeError, AttributeError):
        raise BundleError(f"{manifest_path}: unreadable manifest") from None
    root = path.resolve()
    for name, entry in listed.items():
        file = (path / name).resolve()
        if Path(name).is_absolute() or not file.is_relative_to(root):
            raise BundleError(f"{manifest_path}: path {name!r} leaves the bundle")
        if not file.is_file():
            raise BundleError(f"{path}: {name} is listed in the manifest but missing")
        actual = sha256(file)
        if actual != entry.get("sha256"):
            raise BundleError(
                f"{path}: {name} does not match the manifest "
                f"(expected sha256 {entry.get('sha256')}, got {actual})"
            )
    unlisted = {p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file()}
    unlisted -= {*listed, MANIFEST}
    if unlisted:
        raise BundleError(f"{path}: files not in the manifest: {', '.join(sorted(unlisted))}")
    if MODEL not in listed or METADATA not in listed:
        raise BundleError(f"{path}: the manifest must list {MODEL} and {METADATA}")
    return json.loads((path / METADATA).read_text())


def load_bundle(path: Path) -> tuple[Any, dict[str, Any]]:
    """Verify the bundle, then load its model. Returns (model, metadata)."""
    metadata = verify_bundle(path)
    return joblib.load(path / MODEL), metadata
