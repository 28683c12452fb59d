"""Jinja filter that turns a user's free text into a string literal safe in every file kind.

Jinja's own ``tojson`` escapes non-ASCII text as UTF-16 surrogate pairs, which TOML rejects
and PyYAML decodes into broken characters, so the template uses ``|literal`` instead.
"""

from __future__ import annotations

import json
import re

from jinja2.ext import Extension

# Characters that YAML, TOML or Python would read as a line break or refuse unescaped:
# C0/C1 controls, DEL, NEL, the Unicode line and paragraph separators, and the BOM.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


def literal(value: object) -> str:
    """Return a double-quoted literal that JSON, TOML, YAML and Python all read back exactly.

    Args:
        value: any value; it is converted with ``str`` first.

    Returns:
        The quoted literal, with unsafe characters as ``\\uXXXX`` escapes.
    """
    text = json.dumps(str(value), ensure_ascii=False)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class LiteralExtension(Extension):
    """Registers the ``literal`` filter."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["literal"] = literal
