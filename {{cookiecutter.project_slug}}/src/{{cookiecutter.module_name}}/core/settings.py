"""How a YAML file becomes validated settings: the strict model, one loader, the user's error.

Every settings file (params.yaml, done.yaml, labeling/schema.yaml) is read by `load_yaml`, so a
typo in any of them fails at once, with every problem listed by its key path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError


class ThriftyError(Exception):
    """A problem the user can fix (bad config, bad data); the CLI prints it without a traceback."""


class ConfigError(ThriftyError):
    """A settings file does not describe a valid run."""


class Section(BaseModel):
    """One section of a settings file: unknown keys are errors, values never change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def find_root(start: Path | None = None) -> Path:
    """The project root: the nearest folder at or above `start` that holds params.yaml."""
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / "params.yaml").is_file():
            return folder
    raise ConfigError(f"no params.yaml in {start} or any parent: run inside the project")


def parse_yaml(text: str) -> Any:
    """`text` as `yaml.safe_load` reads it, by libyaml's C parser when PyYAML has it (six times
    faster on dvc.lock). A text the C parser refuses is read again by the Python one, whose
    error shows the line with a caret under the problem."""
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return yaml.safe_load(text)


def load_yaml(path: Path, model: type[BaseModel], context: dict[str, Any] | None = None) -> Any:
    """Read `path` with `parse_yaml` and validate it against `model`, naming every problem.

    `context` adds to the validation context (which always holds the project `root`).
    """
    if not path.is_file():
        raise ConfigError(f"{path.name}: file not found at {path}")
    try:
        raw = parse_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ConfigError(f"{path.name}: not valid YAML: {error}") from None
    return validate(raw, model, path.name, path.parent, context)


def validate(
    raw: Any, model: type[BaseModel], name: str, root: Path, context: dict[str, Any] | None = None
) -> Any:
    """`raw` (a parsed settings file called `name`) as `model`; every problem by its key path."""
    try:
        return model.model_validate(
            raw if raw is not None else {}, context={"root": root, **(context or {})}
        )
    except ValidationError as error:
        lines = [
            f"  {'.'.join(str(part) for part in issue['loc']) or '(top level)'}: {issue['msg']}"
            for issue in error.errors()
        ]
        count = f"{name} has {len(lines)} problem(s):\n"
        raise ConfigError(count + "\n".join(lines)) from None
