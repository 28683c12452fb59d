"""The shared test environment must hold everything a baked project depends on."""

from __future__ import annotations

import re
import tomllib

from conftest import TEMPLATE, bake


def names(requirements: list[str]) -> set[str]:
    return {
        re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0].lower()
        for requirement in requirements
    }


def test_template_environment_covers_the_generated_project(tmp_path):
    project = bake(tmp_path)
    generated = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    template = tomllib.loads((TEMPLATE / "pyproject.toml").read_text())["project"]
    extras = generated["optional-dependencies"]
    assert set(extras) == {"dev", "dask"}
    needed = names(generated["dependencies"]).union(*(names(extra) for extra in extras.values()))
    assert needed <= names(template["dependencies"])
