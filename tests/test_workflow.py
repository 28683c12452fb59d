"""The CI workflow every project gets: GitHub Actions syntax, and each `run:` step works.

The `uses:` steps (checkout, Python, uv) are GitHub's; here the checkout is the bake, Python
is this interpreter and uv is on PATH, so every `run:` step runs as the runner would run it
(`bash -e -o pipefail`, `CI=true`, a `GITHUB_STEP_SUMMARY` file), in order, on a project set
up by its own `make setup`.
"""

from __future__ import annotations

import hashlib
import json
import os

import pytest
import yaml
from conftest import bake, run

WORKFLOW = ".github/workflows/ci.yml"


def load(project) -> dict:
    workflow = yaml.safe_load((project / WORKFLOW).read_text())
    # PyYAML reads the key `on` as True (YAML 1.1); GitHub reads it as the triggers.
    workflow["on"] = workflow.pop(True)
    return workflow


@pytest.mark.parametrize("remote", ["local", "s3", "gs", "azure"])
def test_the_workflow_is_github_actions_syntax(remote, tmp_path):
    url = {"local": "", "s3": "s3://b/p", "gs": "gs://b/p", "azure": "azure://c/p"}[remote]
    project = bake(tmp_path, dvc_remote=remote, dvc_remote_url=url, python_version="3.12")
    workflow = load(project)
    assert {"push", "pull_request"} <= set(workflow["on"])
    (job,) = workflow["jobs"].values()
    assert job["runs-on"] == "ubuntu-latest" and job["timeout-minutes"] > 0
    steps = job["steps"]
    assert all(("uses" in step) != ("run" in step) for step in steps)  # one or the other
    uses = [step["uses"].split("@")[0] for step in steps if "uses" in step]
    assert uses[:3] == ["actions/checkout", "actions/setup-python", "astral-sh/setup-uv"]
    assert all("@v" in step["uses"] for step in steps if "uses" in step)  # pinned majors
    assert steps[1]["with"]["python-version"] == "3.12"
    names = [step["name"] for step in steps if "run" in step]
    assert names == ["Set up", "Lint", "Tests", "Data", "Pipeline", "Job summary", "Done?"]
    by_name = {step["name"]: step for step in steps if "run" in step}
    assert by_name["Set up"]["run"] == "make setup"
    assert by_name["Job summary"]["if"] == "always()"  # the verdict shows when a step failed
    assert by_name["Done?"]["run"].endswith("done --check")  # the gate is the last step
    secrets = {
        "local": set(),
        "s3": {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"},
        "gs": set(),
        "azure": {"AZURE_STORAGE_CONNECTION_STRING"},
    }[remote]
    env = by_name["Data"].get("env", {})
    assert set(env) == secrets
    assert all(value == f"${{{{ secrets.{key} }}}}" for key, value in env.items())
    assert ("google-github-actions/auth" in uses) == (remote == "gs")


def test_every_run_step_passes_in_order(tmp_path):
    project = bake(tmp_path / "bake")
    summary = tmp_path / "summary.md"
    env = os.environ | {"CI": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    steps = [step for step in load(project)["jobs"]["pipeline"]["steps"] if "run" in step]
    for step in steps:
        result = run(["bash", "-e", "-o", "pipefail", "-c", step["run"]], project, env=env)
        if step["name"] == "Set up":  # the user's path: a real environment, not the shared one
            assert "bytecode compiled" in result.stdout
            assert not list((project / ".venv").glob("lib/python*/site-packages/*shared_env.pth"))
        if step["name"] == "Tests":
            assert " passed" in result.stdout and " failed" not in result.stdout
        if step["name"] == "Data":
            assert "the demo stage writes its own" in result.stdout
    # The bundle names the environment it was made in: the lock `make setup` wrote.
    metadata = json.loads((project / "artifacts" / "model" / "metadata.json").read_text())
    lock = (project / "requirements.lock").read_bytes()
    assert metadata["lock"] == {
        "file": "requirements.lock",
        "sha256": hashlib.sha256(lock).hexdigest(),
    }
    page = summary.read_text()
    assert page.startswith("## Verdict: done\n")
    assert "## Leaderboard" in page and "| dummy |" in page
    assert "| model | score | score_se | rows | cpu_seconds | kept | why |" in page
