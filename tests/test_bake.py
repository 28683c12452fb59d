"""Bake every option value at least once and check the generated files themselves."""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from conftest import TEMPLATE, bake, run
from layout import package_files

COMMON = {
    ".cruft.json",
    ".dvc/.gitignore",
    ".dvc/config",
    ".dvcignore",
    ".github/workflows/ci.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
    "Makefile",
    "README.md",
    "artifacts/.gitkeep",
    "data/raw/.gitkeep",
    "done.yaml",
    "dvc.yaml",
    "labeling/README.md",
    "labeling/gold.jsonl",
    "labeling/guidelines.md",
    "labeling/labels/README.md",
    "labeling/schema.yaml",
    "params.yaml",
    "pyproject.toml",
    "reports/.gitkeep",
    "tests/conftest.py",
    "tests/test_baselines.py",
    "tests/test_bundle.py",
    "tests/test_compute.py",
    "tests/test_config.py",
    "tests/test_done.py",
    "tests/test_pipeline.py",
    "tests/test_predict.py",
    "tests/test_prepare.py",
    "tests/test_race.py",
    "tests/test_sample.py",
    "tests/test_stream.py",
    "tests/test_warm.py",
    "tests/test_search.py",
    "tests/test_folds.py",
    "tests/test_forecast.py",
    "tests/test_plots.py",
    "tests/test_report.py",
    "tests/test_receipts.py",
    "tests/test_release.py",
    "tests/test_labeling.py",
    "tests/test_agreement.py",
    "tests/test_importers.py",
    "tests/test_metrics.py",  # from test_metrics.<task>.py
}
# The package's files come from the template itself (tests/layout.py applies the hook's rule:
# one version of each variant file, text/ only in text bakes); these must be among them.
TOP_LEVEL = {
    *("demo", "labels", "prepare", "sample", "baselines", "tune", "evaluate", "done", "report"),
    *("queue", "cli", "__main__", "predict", "guard"),
}
ROOMS = {"core", "modeling", "bundles", "reporting", "labeling"}
# Pairwise enough: every value of every option appears at least once.
BAKES = {
    "defaults": {},
    "regression-text-bsd-s3": {
        "task": "regression",
        "data_kind": "text",
        "license": "BSD-3-Clause",
        "dvc_remote": "s3",
        "dvc_remote_url": "s3://team-bucket/thrifty",
        "python_version": "3.12",
    },
    "classification-text-apache-gs": {
        "data_kind": "text",
        "license": "Apache-2.0",
        "dvc_remote": "gs",
        "dvc_remote_url": "gs://team-bucket/thrifty",
    },
    "regression-tabular-nolicense-azure": {
        "task": "regression",
        "license": "none",
        "dvc_remote": "azure",
        "dvc_remote_url": "azure://container/thrifty",
    },
    "local-path-and-no-remote": {"dvc_remote": "none"},
    "local-explicit": {"dvc_remote": "local", "dvc_remote_url": "/tmp/thrifty-remote"},
}


def expected_files(context: dict[str, str], module: str) -> set[str]:
    modules = package_files(context)
    assert TOP_LEVEL | {f"{room}/__init__" for room in ROOMS} <= modules
    assert ("text/__init__" in modules) == (context.get("data_kind") == "text")
    assert ("modeling/triage" in modules) == (context.get("data_kind") != "text")
    files = set(COMMON) | {f"src/{module}/{name}.py" for name in modules}
    if context.get("data_kind") == "text":
        files.add("tests/test_text.py")
        files |= {"lexicons/negative.txt", "lexicons/positive.txt"}
    else:
        files |= {"tests/test_tabular.py"}
    if context.get("license") != "none":
        files.add("LICENSE")
    return files


@pytest.fixture(scope="module", params=list(BAKES))
def baked(request, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    context = BAKES[request.param]
    return bake(tmp_path_factory.mktemp(request.param), **context), context


def tracked(project: Path) -> set[str]:
    return set(run(["git", "ls-files"], project).stdout.split())


def test_exact_file_set_in_one_clean_commit(baked):
    project, context = baked
    assert tracked(project) == expected_files(context, "thrifty_demo")
    assert run(["git", "log", "--oneline"], project).stdout.count("\n") == 1
    assert run(["git", "status", "--porcelain"], project).stdout == ""
    # A folder emptied of another option's files goes too (git would not show it).
    assert (project / "lexicons").is_dir() == (context.get("data_kind") == "text")


def test_no_template_syntax_left(baked):
    project, _ = baked
    for name in tracked(project):
        text = (project / name).read_text(encoding="utf-8")
        if name.startswith(".github/workflows/"):  # GitHub's own expressions: ${{ secrets.X }}
            text = text.replace("${{", "")
        if name == ".cruft.json":  # cruft's copy of the context names cookiecutter's extensions
            state = json.loads(text)
            del state["context"]["cookiecutter"]["_extensions"]
            text = json.dumps(state)
        for marker in ("{{", "{%", "{#", "cookiecutter."):
            assert marker not in text, f"{name} still holds {marker!r}"


def test_every_config_file_parses(baked):
    project, context = baked
    for name in tracked(project):
        path = project / name
        if path.suffix in {".yaml", ".yml"}:
            yaml.safe_load(path.read_text())
        elif path.suffix == ".json":
            json.loads(path.read_text())
        elif path.suffix == ".toml":
            tomllib.loads(path.read_text())
    meta = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    assert meta["requires-python"] == f">={context.get('python_version', '3.11')}"
    assert ("license" in meta) == (context.get("license") != "none")


def test_generated_code_passes_ruff(baked):
    project, _ = baked
    run(["ruff", "check", "--no-cache", "."], project)
    run(["ruff", "format", "--no-cache", "--check", "."], project)


def test_dvc_is_initialised_with_the_chosen_remote(baked):
    project, context = baked
    config = run(["dvc", "config", "--list", "--project"], project).stdout
    assert "core.analytics=false" in config
    remote = context.get("dvc_remote", "local")
    if remote == "none":
        assert "remote." not in config
    else:
        url = next(line for line in config.splitlines() if line.startswith("remote.storage.url="))
        given = context.get("dvc_remote_url")
        if given:
            assert url.endswith(given)
        else:  # the default local remote lives outside the project, in the user's cache
            assert Path(url.split("=", 1)[1]).is_absolute()
            assert project.as_posix() not in url


def test_project_without_git_still_bakes(tmp_path):
    """Without git on PATH the hook skips git and says so; DVC runs without an SCM."""
    bare_path = tmp_path / "bin"
    bare_path.mkdir()
    for tool in ("cookiecutter", "dvc", "python", "python3"):
        found = subprocess.run(["which", tool], capture_output=True, text=True).stdout.strip()
        (bare_path / tool).symlink_to(found)
    result = run(
        [
            "cookiecutter",
            "--no-input",
            "--output-dir",
            str(tmp_path / "out"),
            str(Path(__file__).resolve().parents[1]),
        ],
        tmp_path,
        env={"PATH": str(bare_path), "HOME": str(tmp_path)},
    )
    project = tmp_path / "out" / "thrifty-demo"
    assert "git is not installed" in result.stdout
    assert not (project / ".git").exists()
    assert (project / ".dvc" / "config").is_file()


def test_the_readme_lists_these_bakes():
    """The template README's table of tested options is BAKES, row for row."""
    readme = (TEMPLATE / "README.md").read_text().split("<!-- bake-matrix:", 1)[1]
    rows = [line for line in readme.split("\n\n", 1)[0].splitlines()[1:] if line.startswith("| `")]
    defaults = {
        key: values[0] if isinstance(values, list) else values
        for key, values in json.loads((TEMPLATE / "cookiecutter.json").read_text()).items()
    }
    listed = {}
    for row in rows:
        name, task, data_kind, license_, remote, python_version = (
            cell.strip() for cell in row.strip("|").split("|")
        )
        listed[name.strip("`")] = (task, data_kind, license_, remote, python_version)
    expected = {}
    for name, context in BAKES.items():
        values = defaults | context
        remote = values["dvc_remote"]
        if context.get("dvc_remote_url"):
            remote += f" (`{context['dvc_remote_url']}`)"
        expected[name] = (
            values["task"],
            values["data_kind"],
            values["license"],
            remote,
            values["python_version"],
        )
    assert listed == expected
