"""Projects for the benchmarks, baked with the real cookiecutter from a snapshot of this checkout.

The snapshot holds the checkout's files as they are (tracked, or new and not ignored), so a
benchmark measures uncommitted work too, and no cache folder can leak into a bake.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent.parent


def snapshot(folder: Path) -> Path:
    """A copy of this checkout's files, without its caches and build folders."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=TEMPLATE,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        if (TEMPLATE / name).is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(TEMPLATE / name, folder / name)
    return folder


def bake(folder: Path, task: str, kind: str, name: str | None = None) -> Path:
    """A project baked into `folder`/out from a snapshot taken into `folder`/template."""
    folder.mkdir(parents=True, exist_ok=True)
    template = snapshot(folder / "template")
    answers = [f"task={task}", f"data_kind={kind}"]
    answers += [f"project_name={name}"] if name else []
    subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", "--output-dir", str(folder / "out")]
        + [str(template), *answers],
        check=True,
        capture_output=True,
    )
    (project,) = [path for path in (folder / "out").iterdir() if (path / "dvc.yaml").is_file()]
    return project
