"""Model versions: `make release` tags the bundle in GTO's form, `dvc artifacts get` brings back
any release byte for byte, `predict` verifies it, and a model that is not done is not released.
"""

from __future__ import annotations

import json
import re

import pandas as pd
from conftest import bake, run, shared_setup


def files(folder) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def commit(project, message: str) -> None:
    run(["git", "add", "-A"], project)
    run(["git", "commit", "-q", "-m", message], project)


def release(project, version: str, check: bool = True):
    return run(["make", "release", f"VERSION={version}"], project, check=check)


def test_two_releases_then_the_first_back_verified(tmp_path):
    project = shared_setup(bake(tmp_path / "bake"))
    dvc = str(project / ".venv" / "bin" / "dvc")
    cli = [str(project / ".venv" / "bin" / "python"), "-m", "thrifty_demo"]
    run([dvc, "repro", "-q"], project)
    # Not committed yet: a tag on the bake's commit would point at no bundle.
    refused = release(project, "0.1.0", check=False)
    assert refused.returncode != 0 and "commit first" in refused.stderr
    assert "dvc.lock" in refused.stderr
    commit(project, "First model")
    first = release(project, "0.1.0")
    assert "released model@v0.1.0" in first.stdout
    message = run(["git", "tag", "-l", "--format=%(contents)", "model@v0.1.0"], project).stdout
    verdict = json.loads((project / "reports" / "done.json").read_text())
    assert f"{verdict['metric']} {verdict['score']:.4f}" in message and "verdict done" in message
    manifest = project / "artifacts" / "model" / "manifest.json"
    assert (
        re.search(r"manifest sha256 ([0-9a-f]{64})", message)[1]
        in run(["sha256sum", str(manifest)], project).stdout
    )
    v1 = files(project / "artifacts" / "model")

    # A second model: another held-out split (prepare.seed), still done.
    params = project / "params.yaml"
    text = params.read_text()
    head, tail = text.split("prepare:", 1)
    params.write_text(head + "prepare:" + tail.replace("seed: 42", "seed: 7", 1))
    stale = release(project, "0.2.0", check=False)
    assert stale.returncode != 0 and "not up to date" in stale.stderr
    run([dvc, "repro", "-q"], project)
    commit(project, "Second model")
    release(project, "0.2.0")
    assert files(project / "artifacts" / "model") != v1
    # GTO, DVC's registry tool, sees both versions, newest first.
    gto = run([str(project / ".venv" / "bin" / "gto"), "show", "model", "--json"], project)
    assert [entry["version"] for entry in json.loads(gto.stdout)] == ["v0.2.0", "v0.1.0"]

    # DVC's own command brings back the first release, byte for byte ...
    got = tmp_path / "got"
    run(
        [dvc, "artifacts", "get", ".", "model", "--rev", "v0.1.0", "-o", str(got / "model")],
        project,
    )
    assert files(got / "model") == v1
    # ... and `predict` verifies it against the registry it was published with.
    registry = run(["git", "show", "model@v0.1.0:artifacts/registry.json"], project).stdout
    (got / "registry.json").write_text(registry)
    data = project / "data" / "raw" / "demo.csv"
    out = tmp_path / "predictions.csv"
    predict = [*cli, "predict", "--bundle", str(got / "model"), "--input", str(data)]
    run([*predict, "--output", str(out)], project)
    assert len(pd.read_csv(out)) == len(pd.read_csv(data))
    # Without that registry (the current one lists the second bundle) it is refused.
    (got / "registry.json").write_text((project / "artifacts" / "registry.json").read_text())
    mismatch = run([*predict, "--output", str(out)], project, check=False)
    assert mismatch.returncode != 0 and "not the manifest recorded" in mismatch.stderr

    # `fetch` does both steps, into a new folder, and verifies before saying so.
    fetched = run([*cli, "fetch", "0.1.0", "--out", str(tmp_path / "fetched")], project)
    assert "verified" in fetched.stdout
    assert files(tmp_path / "fetched" / "model") == v1
    unknown = run([*cli, "fetch", "0.9.0", "--out", str(tmp_path / "none")], project, check=False)
    assert unknown.returncode != 0 and "released: v0.1.0, v0.2.0" in unknown.stderr
    assert not (tmp_path / "none").exists()

    # The same version twice, or a malformed one, is refused and tags nothing.
    again = release(project, "0.2.0", check=False)
    assert again.returncode != 0 and "exists already" in again.stderr
    bad = release(project, "2", check=False)
    assert (
        bad.returncode != 0 and "VERSION '2'" in bad.stderr and "MAJOR.MINOR.PATCH" in bad.stderr
    )

    # A target out of reach: the verdict is not done, so there is no release.
    done = project / "done.yaml"
    done.write_text(re.sub(r"(?m)^target: [0-9.]+", "target: 0.999", done.read_text()))
    run([dvc, "repro", "-q"], project)
    commit(project, "A target out of reach")
    assert json.loads((project / "reports" / "done.json").read_text())["verdict"] != "done"
    refused = release(project, "0.3.0", check=False)
    assert refused.returncode != 0 and "not done" in refused.stderr
    tags = run(["git", "tag", "--list", "model@*"], project).stdout.split()
    assert tags == ["model@v0.1.0", "model@v0.2.0"]
