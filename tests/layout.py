"""Where the template keeps things, and which package files a bake with given answers holds.

The post-generation hook keeps one version of each variant file: `NAME.VALUE.py` (or
`NAME.VALUE.VALUE.py`) becomes `NAME.py` when the answers hold every VALUE in its name. These
helpers read the same rule from the template, so the tests' expectations follow its files.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[1]
PROJECT_TEMPLATE = TEMPLATE / "{{cookiecutter.project_slug}}"
PACKAGE_TEMPLATE = PROJECT_TEMPLATE / "src" / "{{cookiecutter.module_name}}"
HOOKS = TEMPLATE / "hooks"
COOKIECUTTER_JSON = json.loads((TEMPLATE / "cookiecutter.json").read_text())


def hook_constant(name: str, hook: str = "post_gen_project.py") -> object:
    """The literal value a hook assigns to `name`, read with `ast` (the hooks parse unrendered)."""
    tree = ast.parse((HOOKS / hook).read_text(encoding="utf-8"))
    for node in tree.body:
        targets = [getattr(target, "id", None) for target in getattr(node, "targets", [])]
        if targets == [name]:
            return ast.literal_eval(node.value)
    raise LookupError(f"{hook} assigns no {name}")


VARIANTS: dict[str, tuple[str, ...]] = hook_constant("VARIANTS")  # type: ignore[assignment]
OPTION_OF = {value: key for key, values in VARIANTS.items() for value in values}
# Files and folders that only some option values' bakes hold (project paths, `{module}` for
# the package's name).
ONLY_FOR: dict[tuple[str, str], list[str]] = hook_constant("ONLY_FOR")  # type: ignore[assignment]
PACKAGE = "src/{module}/"


def answers(context: dict[str, str]) -> dict[str, str]:
    """The variant options' values for a bake given `context` (cookiecutter.json defaults)."""
    return {key: context.get(key, COOKIECUTTER_JSON[key][0]) for key in VARIANTS}


def variant_marks(path: Path) -> tuple[str, list[str], str] | None:
    """`(stem, values, suffix)` of a variant file's name, or None for a plain file."""
    parts = path.name.split(".")
    if len(parts) < 3:
        return None
    stem, *marks, suffix = parts
    if not stem or not marks or not all(mark in OPTION_OF for mark in marks):
        return None
    return stem, marks, suffix


def baked_name(path: Path, context: dict[str, str]) -> Path | None:
    """The name a template file gets in a bake with `context`, or None if the bake drops it."""
    parsed = variant_marks(path)
    if parsed is None:
        return path
    stem, marks, suffix = parsed
    chosen = answers(context)
    if all(chosen[OPTION_OF[mark]] == mark for mark in marks):
        return path.with_name(f"{stem}.{suffix}")
    return None


def package_files(context: dict[str, str]) -> set[str]:
    """The package's `.py` files (relative to it, no suffix) in a bake with `context`."""
    listed = {path for paths in ONLY_FOR.values() for path in paths}
    kept = {
        path
        for (key, value), paths in ONLY_FOR.items()
        if context.get(key, COOKIECUTTER_JSON[key][0]) == value
        for path in paths
    }
    dropped = {path.removeprefix(PACKAGE) for path in listed - kept if path.startswith(PACKAGE)}
    found = set()
    for path in PACKAGE_TEMPLATE.rglob("*.py"):
        relative = path.relative_to(PACKAGE_TEMPLATE)
        inside = {relative.parts[0], relative.as_posix()}
        if "__pycache__" in relative.parts or inside & dropped:
            continue
        name = baked_name(relative, context)
        if name is not None:
            found.add(name.with_suffix("").as_posix())
    return found
