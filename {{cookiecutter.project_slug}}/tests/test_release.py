"""Model versions: what `release` and `fetch` accept, and what they refuse before touching git.

The whole path (two releases, `dvc artifacts get`, `predict`) runs in the template's tests on a
real pipeline; here the checks that come first.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from {{ cookiecutter.module_name }}.core.paths import Paths
from {{ cookiecutter.module_name }}.core.records import Verdict, write_record
from {{ cookiecutter.module_name }}.core.settings import ThriftyError
from {{ cookiecutter.module_name }}.release import fetch, release, tag_version


@pytest.mark.parametrize(("given", "tag"), [("0.2.0", "v0.2.0"), ("v1.10.3", "v1.10.3")])
def test_versions_take_gto_form(given: str, tag: str) -> None:
    assert tag_version(given) == tag


@pytest.mark.parametrize("bad", ["", "2", "1.2", "v1.2.3.4", "01.2.3", "1.2.3-rc1", "latest"])
def test_a_malformed_version_names_the_form(bad: str) -> None:
    with pytest.raises(ThriftyError, match=r"VERSION .*MAJOR\.MINOR\.PATCH"):
        tag_version(bad)


def verdict(root: Path, name: str) -> None:
    record = Verdict(
        verdict=name,
        metric="f1_macro",
        score=0.71,
        target=0.95,
        floor=0.5,
        model="logistic",
        actions=["Widen ladder.logistic.search in params.yaml."],
    )
    write_record(record, Paths(root).done)


@pytest.mark.parametrize("name", ["keep_tuning", "more_data", "fold"])
def test_only_a_done_model_is_released(root: Path, name: str) -> None:
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    verdict(root, name)
    with pytest.raises(ThriftyError, match=f"verdict .* is {name}, not done.*Next: Widen"):
        release(root, "0.1.0")
    tags = subprocess.run(["git", "tag"], cwd=root, capture_output=True, text=True, check=True)
    assert tags.stdout == ""


def test_without_a_pipeline_run_release_says_what_to_run(root: Path) -> None:
    with pytest.raises(ThriftyError, match="dvc repro"):
        release(root, "0.1.0")


def test_fetch_of_an_unknown_version_lists_the_released_ones(root: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    with pytest.raises(ThriftyError, match=r"no release model@v0\.3\.0; released: none yet"):
        fetch(root, "0.3.0", root / "old")
    assert not (root / "old").exists()
