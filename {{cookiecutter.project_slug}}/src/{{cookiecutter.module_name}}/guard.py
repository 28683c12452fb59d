"""Pre-commit guard: refuse to commit files that DVC tracks (they belong in the DVC cache).

Usage (from .pre-commit-config.yaml): python -m <module>.guard FILE...
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path, PurePosixPath

import yaml


def tracked_outputs(root: Path) -> set[PurePosixPath]:
    """Every cached output of dvc.yaml and of the *.dvc files below `root`."""
    outputs = set()
    dvc_yaml = root / "dvc.yaml"
    stages = (
        (yaml.safe_load(dvc_yaml.read_text()) or {}).get("stages", {})
        if dvc_yaml.is_file()
        else {}
    )
    for stage in stages.values():
        for out in [*stage.get("outs", []), *stage.get("metrics", []), *stage.get("plots", [])]:
            name, options = next(iter(out.items())) if isinstance(out, dict) else (out, {})
            if (options or {}).get("cache", True) and "${" not in name:
                outputs.add(PurePosixPath(name))
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--", "*.dvc"], cwd=root, capture_output=True, text=True
    ).stdout.split("\n")
    for dvc_file in (root / name for name in listed if name):
        for out in (yaml.safe_load(dvc_file.read_text()) or {}).get("outs", []):
            outputs.add(PurePosixPath(dvc_file.parent.relative_to(root).as_posix()) / out["path"])
    return outputs


def main(files: list[str]) -> int:
    outputs = tracked_outputs(Path.cwd())
    caught = [
        name
        for name in files
        if any(PurePosixPath(name) == out or out in PurePosixPath(name).parents for out in outputs)
    ]
    for name in caught:
        print(f"{name}: tracked by DVC; commit its .dvc/dvc.lock entry instead (git rm --cached)")
    return 1 if caught else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
