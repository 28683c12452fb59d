"""`make demo`, exactly as the README says, in a fresh copy of the template."""

from __future__ import annotations

import json

import pytest
from conftest import copy_template, run


@pytest.mark.slow
def test_make_demo_from_a_fresh_copy(tmp_path):
    copy = copy_template(tmp_path / "thrifty-ml")
    readme = (copy / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
    result = run(["make", "demo"], copy)
    assert "Leaderboard" in result.stdout and "dummy" in result.stdout
    assert "Verdict" in result.stdout
    project = copy / "build" / "thrifty-demo"
    assert (project / ".venv" / "bin" / "dvc").is_file()
    assert (project / "reports" / "done.json").is_file()
    assert (project / ".git" / "hooks" / "pre-commit").is_file()
    # The user's path, not the tests' shared environment: bytecode compiled by `make setup`
    # (every stage would otherwise compile scikit-learn again where PYTHONDONTWRITEBYTECODE
    # is set), and a receipt of what each stage's process cost.
    assert "bytecode compiled" in result.stdout
    sklearn = next((project / ".venv" / "lib").glob("python*/site-packages/sklearn"))
    assert list((sklearn / "__pycache__").glob("base.*.pyc"))
    cost = json.loads((project / "reports" / "cost.json").read_text())
    stages = {line["stage"]: line for line in cost["stages"]}
    assert {"demo", "baselines", "tune", "evaluate", "report"} <= set(stages)
    assert all(line["wall_seconds"] > 0 for line in stages.values())
    assert cost["pipeline"]["cpu_seconds"] >= cost["pipeline"]["model_cpu_seconds"] > 0
