"""What a bundle records about the run that made it: code, data, settings, scores, machine.

Enough to answer, months later, "which data, which settings, which library versions?"
without the repository at hand.
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
import sys
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pandas as pd

from ..core.config import Done, Params
from ..core.paths import Paths
from ..core.settings import parse_yaml

PACKAGES = (
    "scikit-learn",
    "numpy",
    "scipy",
    "pandas",
    "joblib",
    "{{ cookiecutter.project_slug }}",
)


def _git(root: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    except OSError:
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def data_digests(root: Path) -> dict[str, str]:
    """The md5 digests DVC recorded for every stage's data dependencies (dvc.lock)."""
    lock = root / "dvc.lock"
    stages = (parse_yaml(lock.read_text()) or {}).get("stages", {}) if lock.is_file() else {}
    return {
        dep["path"]: dep.get("md5", "")
        for stage in stages.values()
        for dep in stage.get("deps", [])
        if dep["path"].startswith("data/")
    }


def lock_digest(root: Path) -> dict[str, str] | None:
    """The sha256 of the environment's lock (requirements.lock), or None without one."""
    lock = Paths(root).lock
    if not lock.is_file():
        return None
    return {"file": lock.name, "sha256": hashlib.sha256(lock.read_bytes()).hexdigest()}


def _version(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def describe_run(
    root: Path, params: Params, done: Done, X: pd.DataFrame, scores: dict[str, Any]
) -> dict[str, Any]:
    """The metadata.json of a bundle."""
    return {
        **scores,
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "git": {
            "commit": _git(root, "rev-parse", "HEAD"),
            "dirty": bool(_git(root, "status", "--porcelain", "--untracked-files=no")),
        },
        "data": data_digests(root),
        "rows": len(X),
        "columns": {str(column): str(dtype) for column, dtype in X.dtypes.items()},
        "params": params.model_dump(mode="json"),
        "done": done.model_dump(mode="json"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "versions": {package: _version(package) for package in PACKAGES},
        "lock": lock_digest(root),
    }
