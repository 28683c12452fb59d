"""Which files of a baked project's package a module runs: its import closure, read with `ast`.

A stage's `deps` in dvc.yaml must list exactly this code, so that `dvc repro` reruns a stage
when, and only when, code it runs has changed: a room (subpackage) it runs whole as one entry,
the room's folder, and any other file it runs on its own (`listing`). A room's files are those
DVC sees: `.dvcignore` hides the code no stage runs.
"""

from __future__ import annotations

import ast
from pathlib import Path


def module_file(src: Path, dotted: str) -> Path | None:
    """The file of module `dotted` under `src` (a module or a package), if it exists."""
    base = src.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imports(src: Path, file: Path, package: str) -> set[str]:
    """Dotted names of the package's own modules that `file` imports, anywhere in its body."""
    dotted = ".".join(file.relative_to(src).with_suffix("").parts)
    here = dotted.rsplit(".", 1)[0] if file.name != "__init__.py" else dotted
    if file.name == "__init__.py":
        here = dotted.removesuffix(".__init__")
    found: set[str] = set()
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == package}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.rsplit(".", node.level - 1)[0] if node.level > 1 else here
                target = f"{base}.{node.module}" if node.module else base
            elif (node.module or "").split(".")[0] == package:
                target = node.module
            else:
                continue
            found.add(target)
            # `from . import answers` names a module, not an attribute.
            found |= {f"{target}.{alias.name}" for alias in node.names}
    return {name for name in found if module_file(src, name) is not None}


def closure(src: Path, module: str) -> set[Path]:
    """Every file of the package that importing `module` runs, `__init__.py` files left out.

    The package's `__init__.py` files hold a docstring only (a test checks it), so they cannot
    change what a stage computes; the top one also hands the stage to the warm server
    (`core/warm*.py`), which decides which process runs it, not what it computes.
    """
    package = module.split(".")[0]
    seen: set[str] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(imports(src, module_file(src, name), package) - seen)
    files = {module_file(src, name) for name in seen}
    return {file for file in files if file.name != "__init__.py"}


def listing(project: Path, package: str, runs: set[Path]) -> set[str]:
    """The code deps of a stage that runs the files `runs` of `package`: each room it runs whole
    (every module DVC sees in it, `__init__.py` aside) as its folder, every other file itself."""
    from dvc.repo import Repo

    top = project / "src" / package
    with Repo(str(project)) as repo:
        hidden = repo.dvcignore.is_ignored_file
        rooms = {
            room: {p for p in room.glob("*.py") if p.name != "__init__.py" and not hidden(str(p))}
            for room in {file.parent for file in runs} - {top}
        }
    return {
        (file.parent if rooms.get(file.parent, {None}) <= runs else file)
        .relative_to(project)
        .as_posix()
        for file in runs
    }
