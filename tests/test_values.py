"""What the hooks do with bad and with hostile values."""

from __future__ import annotations

import ast
import json
import tomllib
from pathlib import Path

import pytest
import yaml
from conftest import TEMPLATE, run

INVALID = [
    ("project_slug", "Has Spaces"),
    ("project_slug", "a/b"),
    ("project_slug", "..\\up"),
    ("project_slug", "x" * 65),
    ("project_slug", "-leading"),
    ("module_name", "sklearn"),
    ("module_name", "json"),
    ("module_name", "test"),
    ("module_name", "class"),
    ("module_name", "2fast"),
    ("author_email", "not-an-email"),
    ("task", "clustering"),
    ("data_kind", "images"),
    ("license", "GPL-3.0"),
    ("dvc_remote", "ftp"),
    ("python_version", "3.9"),
    ("python_version", "three"),
    ("dvc_remote_url", "gs://wrong-scheme-for-s3"),
    ("dvc_remote_url", "s3://bücket/data"),  # DVC writes its config as ASCII
]


@pytest.mark.parametrize(("key", "value"), INVALID, ids=[f"{k}={v[:12]}" for k, v in INVALID])
def test_invalid_value_is_named_and_leaves_nothing(tmp_path, key, value):
    context = {key: value}
    if key == "dvc_remote_url":
        context["dvc_remote"] = "s3"
    out = tmp_path / "out"
    out.mkdir()
    pairs = [f"{k}={v}" for k, v in context.items()]
    result = run(
        ["cookiecutter", "--no-input", "--output-dir", str(out), str(TEMPLATE), *pairs],
        tmp_path,
        check=False,
    )
    assert result.returncode != 0
    # Our hooks say `key=value: what is allowed`; cookiecutter itself refuses a value outside a
    # choice list before any hook runs, naming the variable and its choices.
    assert f"{key}=" in result.stderr or f"choice variable {key}" in result.stderr, result.stderr
    assert list(out.iterdir()) == [], "a rejected bake left files behind"


# Quotes, apostrophes, backslashes, YAML and TOML syntax, Jinja syntax, emoji, non-Latin
# letters, and characters YAML would read as line breaks.
HOSTILE = {
    "project_name": 'Zoë\'s "ML" {{ project }} — 日本語 🚀',
    "project_slug": "hostile-values",
    "module_name": "hostile_values",
    "description": "A: b # no comment \\ back\\slash 'single' \"double\" {% raw %} ✓ Ω\u2028end",
    "author_name": 'O\'Brien "Bob" \\ 张伟 {{ cookiecutter.task }}',
    "author_email": "o.brien+ml@example.com",
}


def bake_from_replay(tmp_path: Path, answers: dict[str, str], check: bool = True):
    """Bake with a replay file: cookiecutter passes replayed (and typed) values on verbatim,
    while `--no-input key=value` would render them as Jinja before any hook sees them."""
    defaults = json.loads((TEMPLATE / "cookiecutter.json").read_text())
    replayed = {
        key: value[0] if isinstance(value, list) and not key.startswith("_") else value
        for key, value in defaults.items()
    }
    replayed.update(answers, _template=str(TEMPLATE), _output_dir=str(tmp_path / "out"))
    replayed["__slug_is_a_safe_folder"] = "yes"  # as cookiecutter's own replay files have it
    replay = tmp_path / "replay" / "answers.json"
    replay.parent.mkdir()
    replay.write_text(json.dumps({"cookiecutter": replayed}))
    (tmp_path / "out").mkdir()
    command = ["cookiecutter", "--replay-file", str(replay), "--output-dir", str(tmp_path / "out")]
    return run([*command, str(TEMPLATE)], tmp_path, check=check)


@pytest.mark.parametrize("slug", ["", ".", "../up", "a/b", "x" * 300, "nul\x00"])
def test_a_replayed_slug_that_is_no_folder_name_leaves_nothing(tmp_path, slug):
    """Replayed answers skip the prompts' early check; the project folder's own name runs it."""
    result = bake_from_replay(tmp_path, {"project_slug": slug, "module_name": "ok"}, check=False)
    assert result.returncode != 0 and "project_slug=" in result.stderr, result.stderr
    assert list((tmp_path / "out").iterdir()) == []
    assert not (tmp_path / "up").exists()


def test_hostile_values_survive_exactly(tmp_path):
    bake_from_replay(tmp_path, HOSTILE)
    project = tmp_path / "out" / "hostile-values"
    meta = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert meta["description"] == HOSTILE["description"]
    assert meta["authors"] == [{"name": HOSTILE["author_name"], "email": HOSTILE["author_email"]}]
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert HOSTILE["project_name"] in readme
    assert HOSTILE["author_name"] in (project / "LICENSE").read_text(encoding="utf-8")
    for path in project.rglob("*"):
        if ".git" in path.parts or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix in {".yaml", ".yml"}:
            yaml.safe_load(text)
        elif path.suffix == ".toml":
            tomllib.loads(text)
        elif path.suffix == ".json":
            json.loads(text)
        elif path.suffix == ".py":
            ast.parse(text, filename=str(path))
    assert run(["git", "status", "--porcelain"], project).stdout == ""
