"""Validate every cookiecutter variable before a single file is written.

Cookiecutter renders this file with Jinja; the answers arrive as one JSON string literal, so
no user value is ever pasted into Python source.
"""

from __future__ import annotations

import json
import keyword
import re
import sys

# Rendered, this is one long JSON string literal, left as Jinja writes it.
# fmt: off
ANSWERS = json.loads({{ cookiecutter | tojson | tojson }})  # noqa: E501, F821
# fmt: on

CHOICES = {
    "task": ("classification", "regression"),
    "data_kind": ("tabular", "text"),
    "license": ("MIT", "BSD-3-Clause", "Apache-2.0", "none"),
    "dvc_remote": ("local", "s3", "gs", "azure", "none"),
}
# Import names the generated project depends on, or that pytest and tooling would confuse.
TAKEN_MODULES = {
    "sklearn",
    "scikit_learn",
    "dvc",
    "pandas",
    "numpy",
    "scipy",
    "yaml",
    "joblib",
    "matplotlib",
    "pydantic",
    "pyarrow",
    "tqdm",
    "threadpoolctl",
    "pytest",
    "ruff",
    "pre_commit",
    "cookiecutter",
    "skops",
    "test",
    "tests",
    "src",
    "setup",
    "conftest",
}
REMOTE_SCHEMES = {"s3": "s3://", "gs": "gs://", "azure": "azure://"}
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PYTHON = re.compile(r"3\.(\d+)")
# What DVC's config file cannot hold in a value: controls, line breaks, the BOM.
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


def problems(answers: dict) -> list[str]:
    """Return one message per invalid variable, naming it and what is allowed."""
    found = []
    slug = answers["project_slug"]
    if not slug or len(slug) > 64 or not SLUG.fullmatch(slug):
        found.append(
            f"project_slug={slug!r}: use 1-64 lowercase letters, digits and single '-' "
            "between them (no '/', '\\', '..', spaces or leading/trailing '-')"
        )
    module = answers["module_name"]
    if not module.isidentifier() or keyword.iskeyword(module) or not module.isascii():
        found.append(
            f"module_name={module!r}: must be an ASCII Python identifier that is not a keyword"
        )
    elif module in sys.stdlib_module_names or module in TAKEN_MODULES:
        found.append(
            f"module_name={module!r}: shadows the standard library or a dependency; "
            f"choose another name (e.g. my_{module})"
        )
    if not EMAIL.fullmatch(answers["author_email"]):
        found.append(f"author_email={answers['author_email']!r}: expected name@domain.tld")
    for key, allowed in CHOICES.items():
        if answers[key] not in allowed:
            found.append(f"{key}={answers[key]!r}: allowed values are {', '.join(allowed)}")
    version = PYTHON.fullmatch(answers["python_version"])
    if not version or int(version.group(1)) < 11:
        found.append(f"python_version={answers['python_version']!r}: use 3.11 or newer, as 3.N")
    found += remote_problems(answers["dvc_remote"], answers["dvc_remote_url"].strip())
    return found


def remote_problems(remote: str, url: str) -> list[str]:
    """Check that dvc_remote_url fits dvc_remote."""
    if UNPRINTABLE.search(url):
        return [f"dvc_remote_url={url!r}: must be one line of printable characters"]
    if not url.isascii():  # DVC 3 writes .dvc/config as ASCII and fails on anything else
        return [f"dvc_remote_url={url!r}: DVC's config holds ASCII only; use an ASCII URL or path"]
    if remote == "none" and url:
        return [f"dvc_remote_url={url!r}: must be empty when dvc_remote is none"]
    if remote in REMOTE_SCHEMES and not url.startswith(REMOTE_SCHEMES[remote]):
        scheme = REMOTE_SCHEMES[remote]
        return [f"dvc_remote_url={url!r}: dvc_remote {remote} needs a {scheme}<bucket>/<path> URL"]
    if remote == "local" and "://" in url and not url.startswith("file://"):
        return [
            f"dvc_remote_url={url!r}: dvc_remote local takes a folder path or a file:// URL "
            "(empty: a folder under your cache directory)"
        ]
    return []


def main() -> int:
    found = problems(ANSWERS)
    if found:
        print("thrifty-ml: invalid template values, no project was generated:", file=sys.stderr)
        for message in found:
            print(f"  - {message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
