"""Jinja filters of the template: safe literals for user text, and the folder-name check.

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


# The template's project folder as cookiecutter renders its name, before any hook can run.
PROJECT_FOLDER = "{{cookiecutter.project_slug}}"


def _check_folder_name(slug: str) -> None:
    """Exit with a message naming project_slug when it cannot be one new folder's name."""
    try:
        size = len(slug.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate, as JSON reads \ud800
        size = None
    unsafe = (
        size is None
        or not 0 < size <= 255
        or slug in (".", "..")
        or any(part in slug for part in ("/", "\\", ".."))
        or slug.startswith("~")
        or _UNSAFE.search(slug)
    )
    if unsafe:
        sys.exit(
            f"thrifty-ml: invalid template values, no project was generated:\n"
            f"  - project_slug={slug!r}: must be a folder name, not a path "
            "(lowercase letters, digits and '-'; no '/', '\\' or '..')"
        )


def safe_folder_name(slug: str) -> str:
    """Stop before cookiecutter creates a folder from a slug that is a path, not a name.

    Cookiecutter makes the project folder before the pre-generation hook runs, so a slug such
    as ``a/b`` or ``../x`` would leave folders behind; this runs while the answers are read.
    The pre-generation hook still checks every variable, the slug included.
    """
    _check_folder_name(slug)
    return "yes"


def project_folder(slug: str) -> str:
    """The project folder's name, once checked: the same check for answers that were never
    prompted for (a replay file, cruft's saved context), which pass on verbatim."""
    _check_folder_name(slug)
    return slug


class LiteralExtension(Extension):
    """Registers the template's filters (``literal``, ``safe_folder_name``), and its folder."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.globals["template_folder"] = TEMPLATE_FOLDER
        environment.filters["literal"] = literal
        environment.filters["safe_folder_name"] = safe_folder_name
        environment.filters["project_folder"] = project_folder

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        """Render the project folder's name through the folder check.

        Cookiecutter renders that name from the template folder's own name, with the answers
        as given, and creates the folder before any hook runs; this is the one place where a
        check sees every answer, prompted, replayed or passed by cruft.
        """
        if source == PROJECT_FOLDER:
            return "{{ cookiecutter.project_slug|project_folder }}"
        return source
