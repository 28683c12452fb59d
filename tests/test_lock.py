"""Locked installs: the first `make setup` writes requirements.lock, and every later one installs
exactly those versions: with uv offline from its cache, or with venv and pip when there is no uv.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import bake, run
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

LOCK = "requirements.lock"
ENVIRONMENT = (
    "import json; from packaging.markers import default_environment as e; print(json.dumps(e()))"
)
INSTALLED = (
    "import json, importlib.metadata as m; "
    "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))"
)


def python(project: Path) -> str:
    return str(project / ".venv" / "bin" / "python")


def pins(project: Path) -> dict[str, str]:
    """name -> version of the lock's entries whose markers hold for the project's .venv."""
    environment = json.loads(run([python(project), "-c", ENVIRONMENT], project).stdout)
    found = {}
    for line in (project / LOCK).read_text().splitlines():
        if line and line[0] not in "# ":
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate(environment):
                (spec,) = requirement.specifier
                assert spec.operator == "==", line
                found[canonicalize_name(requirement.name)] = spec.version
    return found


def installed(project: Path) -> dict[str, str]:
    """name -> version of every distribution in .venv but the project and pip itself."""
    listed = json.loads(run([python(project), "-c", INSTALLED], project).stdout)
    skip = {"thrifty-demo", "pip"}
    return {
        canonicalize_name(name): v
        for name, v in listed.items()
        if canonicalize_name(name) not in skip
    }


def assert_within_the_lock(project: Path) -> dict[str, str]:
    have, pinned = installed(project), pins(project)
    assert {"scikit-learn", "dvc", "pandas", "pytest"} <= set(have)
    assert {name: v for name, v in have.items() if pinned.get(name) != v} == {}
    return have


@pytest.mark.slow
def test_the_lock_is_written_once_then_installed_exactly(tmp_path):
    project = bake(tmp_path / "bake")
    first = run(["make", "setup"], project)
    assert f"lock: wrote {LOCK}" in first.stdout
    text = (project / LOCK).read_text()
    assert "make lock" in text.splitlines()[1]  # how to write it again, in its header
    assert "\ndask==" in text  # every extra is locked, installed or not
    assert "dask" not in installed(project)  # ... and only the chosen extras are installed
    versions = assert_within_the_lock(project)

    # A second setup from nothing, offline: uv's cache holds every locked wheel.
    shutil.rmtree(project / ".venv")
    second = run(["make", "setup"], project, env=os.environ | {"UV_OFFLINE": "1"})
    assert "lock: wrote" not in second.stdout
    assert (project / LOCK).read_text() == text
    assert installed(project) == versions

    # No uv (`UV=` empties the Makefile's probe): venv and pip, within the same lock.
    shutil.rmtree(project / ".venv")
    run(["make", "setup", "UV="], project)
    assert not (project / ".venv" / "bin" / "uv").exists()
    assert (project / LOCK).read_text() == text
    assert installed(project) == versions
