"""Edits to the project's own files that keep their comments, all applied or none.

`use-data` rewrites params.yaml, labeling/schema.yaml and done.yaml and runs DVC; ruamel.yaml
(which DVC itself uses for dvc.yaml) keeps every comment and the order of keys, and
`all_or_nothing` puts every file back as it was when any step fails.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from .files import write_atomic


def _yaml() -> YAML:
    yaml = YAML()  # round-trip: comments, order and flow style survive
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def load(path: Path) -> Any:
    """The YAML file as an editable document."""
    return _yaml().load(path.read_text(encoding="utf-8"))


def dumps(document: Any) -> str:
    out = io.StringIO()
    _yaml().dump(document, out)
    return out.getvalue()


def flow(value: Any) -> Any:
    """`value` written inline, `[a, b]` and `{key: value}`, as the shipped files write them."""
    if isinstance(value, dict):
        mapping = CommentedMap((key, flow(item)) for key, item in value.items())
        mapping.fa.set_flow_style()
        return mapping
    if isinstance(value, list):
        sequence = CommentedSeq(flow(item) for item in value)
        if not all(isinstance(item, dict) for item in value) or not value:
            sequence.fa.set_flow_style()  # a list of mappings stays a block, one per line
        return sequence
    if isinstance(value, str):
        # Quoted: a label "yes" or "off", or a column named "null", stays a string for every
        # YAML reader (PyYAML reads plain yes/no/on/off as booleans).
        return DoubleQuotedScalarString(value)
    return value


def plain(document: Any) -> Any:
    """The document as plain dicts and lists, for validation."""
    import yaml  # PyYAML: safe_load of our own dump gives the plain values

    return yaml.safe_load(dumps(document))


def write(path: Path, text: str) -> None:
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def drop_stage(text: str, name: str) -> str:
    """`text` of dvc.yaml or dvc.lock without the stage `name` (its block under `stages:`).

    A stage's block runs from its `  name:` line to the next line indented by two spaces or
    less; a comment just above the next stage belongs to that stage and stays.
    """
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == f"  {name}:"), None)
    if start is None:
        return text
    end = start + 1
    while end < len(lines) and (lines[end].startswith("   ") or not lines[end].strip()):
        end += 1
    return "".join(lines[:start] + lines[end:])


@contextmanager
def all_or_nothing(files: list[Path]) -> Iterator[None]:
    """Run the block; if it raises, restore every file in `files` (or remove it if it was new)."""
    saved = {path: path.read_bytes() if path.is_file() else None for path in files}
    try:
        yield
    except BaseException:
        for path, content in saved.items():
            if content is None:
                path.unlink(missing_ok=True)
            elif not path.is_file() or path.read_bytes() != content:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f".{path.name}.restore")
                tmp.write_bytes(content)
                os.replace(tmp, path)
        raise
