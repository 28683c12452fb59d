"""Which files of a baked project's package a module runs: its import closure, read with `ast`.

A stage's `deps` in dvc.yaml must list exactly these files, so that `dvc repro` reruns a stage
when, and only when, code it runs has changed.
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
