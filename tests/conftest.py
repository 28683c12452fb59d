"""Shared machinery: an isolated HOME, real cookiecutter bakes, and one shared environment.

Every baked project gets a thin `.venv` that sees this test run's environment through a .pth
file and holds only the project itself (installed editable, no dependencies), so the stack is
installed once per test session, not once per bake, while `.venv/bin/...` commands, `make`
targets and `dvc repro` run exactly as a user runs them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

TEMPLATE = Path(__file__).resolve().parents[1]
ENV_BIN = Path(sys.executable).parent


def run(
    args: list[str] | str, cwd: Path, check: bool = True, **kwargs
) -> subprocess.CompletedProcess:
    """Run a command, capturing output; on an unexpected exit code show everything it printed."""
    result = subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, shell=isinstance(args, str), **kwargs
    )
    if check and result.returncode != 0:
        pytest.fail(
            f"`{args}` exited {result.returncode} in {cwd}\n"
            f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
        )
    return result


@pytest.fixture(scope="session", autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory):
    """HOME, caches, DVC's site cache and cookiecutter's replay folder in temp folders."""
    home = tmp_path_factory.mktemp("home")
    runtime = tempfile.mkdtemp(prefix="thrifty-run-")
    uv_cache = run([str(ENV_BIN / "uv"), "cache", "dir"], TEMPLATE).stdout.strip()
    config = home / "cookiecutterrc.yaml"
    config.write_text(
        json.dumps(
            {"replay_dir": str(home / "replay"), "cookiecutters_dir": str(home / "cookiecutters")}
        )
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(home))
        patch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
        patch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
        patch.setenv("DVC_SITE_CACHE_DIR", str(home / "dvc-site"))
        patch.setenv("DVC_NO_ANALYTICS", "1")
        patch.setenv("COOKIECUTTER_CONFIG", str(config))
        patch.setenv("PRE_COMMIT_HOME", str(home / "pre-commit"))
        # The package cache stays shared: `make demo` installs real environments from it.
        patch.setenv("UV_CACHE_DIR", uv_cache)
        patch.setenv("PATH", f"{ENV_BIN}{os.pathsep}{os.environ['PATH']}")
        # Warm servers (core/warm.py) of this run's bakes listen here, briefly idle, and leave
        # once the folder goes (the path stays short: a socket's must be under 108 bytes).
        patch.setenv("XDG_RUNTIME_DIR", runtime)
        patch.setenv("THRIFTY_WARM_IDLE", "120")
        for key in ("VIRTUAL_ENV", "PYTHONPATH"):
            patch.delenv(key, raising=False)
        run(["git", "config", "--global", "user.name", "Thrifty Tester"], home)
        run(["git", "config", "--global", "user.email", "tester@example.com"], home)
        yield home
    shutil.rmtree(runtime, ignore_errors=True)


def bake(output: Path, **context: str) -> Path:
    """Bake the template with cookiecutter's CLI (`--no-input key=value`); return the project."""
    output.mkdir(parents=True, exist_ok=True)
    pairs = [f"{key}={value}" for key, value in context.items()]
    run(["cookiecutter", "--no-input", "--output-dir", str(output), str(TEMPLATE), *pairs], output)
    (project,) = [path for path in output.iterdir() if path.is_dir()]
    return project


def copy_template(folder: Path) -> Path:
    """This working tree's files (tracked, or new and not ignored) copied into `folder`."""
    listed = run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], TEMPLATE
    ).stdout
    for name in filter(None, listed.split("\0")):
        if (TEMPLATE / name).is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(TEMPLATE / name, folder / name)
    return folder


def shared_setup(project: Path) -> Path:
    """A thin .venv for `project` on top of this session's environment; returns the project."""
    venv = project / ".venv"
    run([str(ENV_BIN / "uv"), "venv", "--quiet", "--python", sys.executable, str(venv)], project)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    (site / "_thrifty_shared_env.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run(
        [
            str(ENV_BIN / "uv"),
            "pip",
            "install",
            "--quiet",
            "--python",
            str(venv / "bin" / "python"),
            "--no-deps",
            "--no-build-isolation",
            "--editable",
            str(project),
        ],
        project,
    )
    # The shared tools (dvc, pytest, pre-commit, ...) appear where `make setup` puts them, as
    # scripts run by the thin venv's python so that they import the project too.
    for tool in ENV_BIN.iterdir():
        target = venv / "bin" / tool.name
        if target.exists() or tool.name.startswith(("python", "activate")):
            continue
        head = tool.read_bytes()[:256]
        if head.startswith(b"#!") and b"python" in head.split(b"\n", 1)[0]:
            body = tool.read_text().split("\n", 1)[1]
            target.write_text(f"#!{venv / 'bin' / 'python'}\n{body}")
            target.chmod(0o755)
        else:
            target.symlink_to(tool)
    return project


@pytest.fixture(scope="session")
def default_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default bake (classification, tabular), set up once for the session."""
    return shared_setup(bake(tmp_path_factory.mktemp("default")))


@pytest.fixture(scope="session")
def regression_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A regression bake, set up once for the session."""
    return shared_setup(bake(tmp_path_factory.mktemp("regression"), task="regression"))
