"""Timing a bake's commands as whole processes, as a user pays for them: shared by the benchmarks.

Every command runs with the user's environment, the template's tools on PATH, and a private
`XDG_RUNTIME_DIR`: the project's warm servers (core/warm.py) of one benchmark run start
fresh, and leave when it ends (their folder is removed at exit).
"""

from __future__ import annotations

import atexit
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOOLS = Path(sys.executable).parent  # the template's environment: cookiecutter, uv
RUNTIME = tempfile.mkdtemp(prefix="thrifty-bench-")  # this run's warm servers, none before
atexit.register(shutil.rmtree, RUNTIME, ignore_errors=True)  # the servers leave within 5 s


def run(
    command: list[str], cwd: Path, stdin: str | None = None, **env: str
) -> tuple[float, float]:
    """Run `command` to completion; its (wall, CPU) seconds, its child processes' included."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        command, cwd=cwd, input=stdin, text=True, capture_output=True, env=environment() | env
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(
            f"{' '.join(command)} failed in {cwd}:\n{done.stdout[-2000:]}{done.stderr[-3000:]}"
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def environment() -> dict[str, str]:
    """The user's environment, with the template's tools (uv among them) on PATH."""
    path = f"{TOOLS}{os.pathsep}{os.environ['PATH']}"
    return {**os.environ, "PATH": path, "XDG_RUNTIME_DIR": RUNTIME}


def commit(project: Path, message: str) -> None:
    run(["git", "add", "-A"], project)
    run(["git", "commit", "-q", "--no-verify", "--allow-empty", "-m", message], project)


def stage_figures(project: Path) -> dict[str, tuple[float, float]]:
    """(wall, CPU) seconds of each stage's last run, from the project's cost receipt."""
    cost = json.loads((project / "reports" / "cost.json").read_text())
    return {s["stage"]: (s["wall_seconds"], s["cpu_seconds"]) for s in cost["stages"]}


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float]) -> str:
    return f"{median(values):.2f} s ({min(values):.2f}–{max(values):.2f})"


def machine() -> str:
    model = "unknown CPU"
    info = Path("/proc/cpuinfo")
    if info.is_file():
        names = [
            line.split(":", 1)[1].strip()
            for line in info.read_text().splitlines()
            if line.startswith("model name")
        ]
        model = names[0] if names else model
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {model}, {memory:.0f} GiB, Python {platform.python_version()}"
