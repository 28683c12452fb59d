"""Template updates with cruft: a project baked with plain cookiecutter takes a template change.

The template is this working tree, committed into a temporary git repository (cruft reads
templates from git); the project is baked from it, a user edit and a template change are each
committed, and `cruft check` / `cruft update` bring the change in and keep the edit.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from conftest import TEMPLATE, copy_template, run, shared_setup

SLUG = "{{cookiecutter.project_slug}}"


def template_repo(folder: Path) -> Path:
    """This working tree's files as a one-commit git repository (cruft reads git)."""
    copy_template(folder)
    run(["git", "init", "--quiet", "--initial-branch", "main"], folder)
    run(["git", "add", "--all"], folder)
    run(["git", "commit", "--quiet", "-m", "template"], folder)
    return folder


def test_cruft_update_brings_a_template_change_and_keeps_the_users_edits(tmp_path):
    template = template_repo(tmp_path / "thrifty-ml")
    # A relative template path, as `cookiecutter thrifty-ml` from the parent folder gives.
    run(["cookiecutter", "--no-input", "--output-dir", "out", "thrifty-ml"], tmp_path)
    project = shared_setup(tmp_path / "out" / "thrifty-demo")

    state = json.loads((project / ".cruft.json").read_text())
    head = run(["git", "rev-parse", "HEAD"], template).stdout.strip()
    assert state["template"] == str(template)
    assert state["commit"] == head
    assert state["context"]["cookiecutter"]["task"] == "classification"
    # What cruft skips is in pyproject.toml, once (cruft reads it there).
    skip = tomllib.loads((project / "pyproject.toml").read_text())["tool"]["cruft"]["skip"]
    assert {"data", "artifacts", "labeling/labels", "dvc.lock", ".git", ".dvc"} <= set(skip)
    assert "skip" not in state
    assert "_output_dir" not in state["context"]["cookiecutter"]  # no paths of this machine
    assert run(["git", "status", "--porcelain"], project).stdout == ""  # committed with the bake
    assert "up to date" in run(["cruft", "check"], project).stdout

    params = project / "params.yaml"
    params.write_text(params.read_text().replace("max_rows: 200 ", "max_rows: 300 ", 1))
    run(["git", "commit", "--quiet", "-am", "a user's edit"], project)
    run([".venv/bin/dvc", "repro", "--quiet"], project)
    run(["git", "add", "--all"], project)
    run(["git", "commit", "--quiet", "-m", "the pipeline's results"], project)
    labels = sorted(path.name for path in (project / "labeling" / "labels").iterdir())

    makefile = template / SLUG / "Makefile"
    makefile.write_text(makefile.read_text() + "\n# a template change\n")
    (template / SLUG / "CHANGES.md").write_text("# Changes in {{ cookiecutter.project_name }}\n")
    run(["git", "add", "--all"], template)
    run(["git", "commit", "--quiet", "-m", "a template change"], template)

    behind = run(["cruft", "check"], project, check=False)
    assert behind.returncode == 1, behind.stdout
    assert "out of date" in behind.stdout
    before = (project / ".cruft.json").read_text().splitlines()
    run(["cruft", "update", "--skip-apply-ask"], project)
    # cruft rewrites .cruft.json in the style the bake wrote it: only the commit lines change.
    after = (project / ".cruft.json").read_text().splitlines()
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    assert [old.split(":")[0].strip() for old, _ in changed] == ['"commit"', '"_commit"']
    assert (project / "Makefile").read_text().endswith("# a template change\n")
    assert (project / "CHANGES.md").read_text() == "# Changes in Thrifty Demo\n"
    assert "max_rows: 300 " in params.read_text()  # the user's edit is kept
    assert sorted(path.name for path in (project / "labeling" / "labels").iterdir()) == labels
    new_head = run(["git", "rev-parse", "HEAD"], template).stdout.strip()
    assert json.loads((project / ".cruft.json").read_text())["commit"] == new_head
    run(["git", "add", "--all"], project)
    run(["git", "commit", "--quiet", "-m", "template update"], project)
    assert "up to date" in run(["cruft", "check"], project).stdout
    # The update touched no stage's inputs, data, labels or models: DVC has nothing to rerun.
    assert "up to date" in run([".venv/bin/dvc", "status"], project).stdout


def readme_bake_commands() -> list[str]:
    """The template README's bake commands, as a user copies them (comments dropped)."""
    readme = (TEMPLATE / "README.md").read_text()
    block = readme.split("<!-- bake-commands:", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


def test_the_readmes_bake_commands_from_a_git_url_and_a_clone(tmp_path):
    template = template_repo(tmp_path / "thrifty-ml")
    run(["git", "tag", "v1.0"], template)
    (template / "NEWER.md").write_text("a commit after v1.0\n")
    run(["git", "add", "--all"], template)
    run(["git", "commit", "--quiet", "-m", "after v1.0"], template)
    # Hosted as a git server holds it: a bare repository; file://... is cloned like https://.
    hosted = tmp_path / "hosted" / "thrifty-ml.git"
    run(["git", "clone", "--quiet", "--bare", str(template), str(hosted)], tmp_path)
    url = hosted.as_uri()
    commands = readme_bake_commands()
    install, assignment, *bakes = commands
    assert install.startswith("python3 -m pip install") and "cookiecutter" in install
    assert assignment.startswith("TEMPLATE=")  # the one line a team changes: its URL
    work = tmp_path / "work"
    work.mkdir()
    # The install is this environment's; every other line runs as it stands, in order, with
    # Enter pressed at each prompt (its default).
    script = "set -e\n" + f"TEMPLATE={url}\n" + "\n".join(bakes) + "\n"
    run(["bash", "-c", script], work, input="\n" * 200)

    head = run(["git", "rev-parse", "HEAD"], template).stdout.strip()
    tagged = run(["git", "rev-parse", "v1.0^{commit}"], template).stdout.strip()
    expected = {
        "thrifty-demo": (url, head, "classification", None),
        "churn-model": (str(work / "thrifty-ml"), head, "regression", None),
        "fraud-flags": (url, tagged, "classification", "v1.0"),
    }
    assert {path.name for path in work.iterdir()} == {"thrifty-ml", *expected}
    for name, (source, commit, task, checkout) in expected.items():
        project = work / name
        state = json.loads((project / ".cruft.json").read_text())
        assert (state["template"], state["commit"], state["checkout"]) == (
            source,
            commit,
            checkout,
        )
        assert state["context"]["cookiecutter"]["task"] == task
        assert run(["git", "status", "--porcelain"], project).stdout == ""
    assert (work / "churn-model" / "lexicons").is_dir()  # data_kind=text came through
    assert "up to date" in run(["cruft", "check"], work / "thrifty-demo").stdout
    # The pinned bake is at its tag, and behind the branch: cruft check compares with the
    # template's default branch unless told the tag.
    assert (
        "up to date" in run(["cruft", "check", "--checkout", "v1.0"], work / "fraud-flags").stdout
    )
    behind = run(["cruft", "check"], work / "fraud-flags", check=False)
    assert behind.returncode == 1 and "out of date" in behind.stdout
