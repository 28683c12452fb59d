"""Jinja filters of the template: safe literals for user text, and an early folder-name check.

Jinja's own ``tojson`` escapes non-ASCII text as UTF-16 surrogate pairs, which TOML rejects
and PyYAML decodes into broken characters, so the template uses ``|literal`` instead.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from jinja2.ext import Extension

# Characters that YAML, TOML or Python would read as a line break or refuse unescaped:
# C0/C1 controls, DEL, NEL, the Unicode line and paragraph separators, and the BOM.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
# The template's folder, absolute: resolved on import, before cookiecutter changes folders
# (it passes a relative template path on as given). The hook records it for cruft.
TEMPLATE_FOLDER = str(Path(__file__).resolve().parent)


def literal(value: object) -> str:
    """Return a double-quoted literal that JSON, TOML, YAML and Python all read back exactly.

    Args:
        value: any value; it is converted with ``str`` first.

    Returns:
        The quoted literal, with unsafe characters as ``\\uXXXX`` escapes.
    """
    text = json.dumps(str(value), ensure_ascii=False)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def safe_folder_name(slug: str) -> str:
    """Stop before cookiecutter creates a folder from a slug that is a path, not a name.

    Cookiecutter makes the project folder before the pre-generation hook runs, so a slug such
    as ``a/b`` or ``../x`` would leave folders behind; this runs while the answers are read.
    The pre-generation hook still checks every variable, the slug included.
    """
    if not slug or any(part in slug for part in ("/", "\\", "..")) or slug.startswith("~"):
        sys.exit(
            f"thrifty-ml: invalid template values, no project was generated:\n"
            f"  - project_slug={slug!r}: must be a folder name, not a path "
            "(lowercase letters, digits and '-'; no '/', '\\' or '..')"
        )
    return "yes"


class LiteralExtension(Extension):
    """Registers the template's filters (``literal``, ``safe_folder_name``), and its folder."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.globals["template_folder"] = TEMPLATE_FOLDER
        environment.filters["literal"] = literal
        environment.filters["safe_folder_name"] = safe_folder_name
