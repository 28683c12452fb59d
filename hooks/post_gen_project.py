"""Finish a freshly baked project: drop unchosen options, then git and DVC, offline.

Cookiecutter renders this file with Jinja; the answers arrive as one JSON string literal, so
no user value is ever pasted into Python source.
"""

from __future__ import annotations

import configparser
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

# Rendered, this is one long JSON string literal, left as Jinja writes it.
# fmt: off
ANSWERS = json.loads({{ cookiecutter | tojson | tojson }})  # noqa: E501, F821
TEMPLATE_FOLDER = json.loads({{ template_folder | tojson | tojson }})  # noqa: F821
# fmt: on
PROJECT = Path.cwd()

# Files and folders that exist only for one option value; everything else serves all of them.
ONLY_FOR = {
    ("data_kind", "text"): ["src/{module}/text", "tests/test_text.py", "lexicons"],
    ("data_kind", "tabular"): ["src/{module}/modeling/triage.py", "tests/test_tabular.py"],
    ("license", "MIT"): ["LICENSE"],
    ("license", "BSD-3-Clause"): ["LICENSE"],
    ("license", "Apache-2.0"): ["LICENSE"],
}
# Files with one version per option value: `NAME.VALUE.py` (or `NAME.VALUE.VALUE.py`) becomes
# `NAME.py` when the answers hold every VALUE in its name, and is deleted otherwise. This is how
# the generated code has no runtime switch on an option: each bake holds one version.
VARIANTS = {"task": ("classification", "regression"), "data_kind": ("tabular", "text")}


def drop_unchosen() -> None:
    """Delete the files and folders that belong only to option values that were not chosen."""
    keep = {
        path for (key, value), paths in ONLY_FOR.items() if ANSWERS[key] == value for path in paths
    }
    drop = {path for paths in ONLY_FOR.values() for path in paths} - keep
    for path in drop:
        target = PROJECT / path.format(module=ANSWERS["module_name"])
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)


def choose_variants() -> None:
    """Keep the version of each variant file that fits the answers, under its plain name."""
    key_of = {value: key for key, values in VARIANTS.items() for value in values}
    for path in sorted(PROJECT.rglob("*.*.*")):
        stem, *marks, suffix = path.name.split(".")
        if not stem or not marks or not all(mark in key_of for mark in marks):
            continue
        if all(ANSWERS[key_of[mark]] == mark for mark in marks):
            chosen = path.with_name(f"{stem}.{suffix}")
            if chosen.exists():
                sys.exit(f"template error: two versions of {chosen.relative_to(PROJECT)} fit")
            path.rename(chosen)
        else:
            path.unlink()


def remote_url() -> str | None:
    """The DVC remote URL, with the default local folder outside the project."""
    remote, url = ANSWERS["dvc_remote"], ANSWERS["dvc_remote_url"].strip()
    if remote == "none":
        return None
    if remote == "local" and not url:
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        url = str(cache / "thrifty-ml" / "dvc-remote" / ANSWERS["project_slug"])
    if remote == "local" and not url.startswith("file://"):
        url = str(Path(url).expanduser().resolve())
    return url


def run(*args: str) -> None:
    subprocess.run(args, cwd=PROJECT, check=True, stdout=subprocess.DEVNULL)


def dvc_command() -> list[str] | None:
    """DVC from PATH or from the interpreter running cookiecutter, if either has it."""
    if shutil.which("dvc"):
        return ["dvc"]
    if importlib.util.find_spec("dvc"):
        return [sys.executable, "-m", "dvc"]
    return None


def init_dvc(has_git: bool) -> None:
    """``dvc init`` with analytics off and the chosen remote as default."""
    url = remote_url()
    dvc = dvc_command()
    if dvc is None:
        # DVC is installed by `make setup`; its config is plain INI, written here the same way.
        print("note: dvc is not installed here; wrote .dvc/ directly (`make setup` installs dvc)")
        (PROJECT / ".dvc").mkdir()
        (PROJECT / ".dvc" / ".gitignore").write_text("/config.local\n/tmp\n/cache\n")
        config = configparser.ConfigParser()
        config["core"] = {"analytics": "false"} | ({"remote": "storage"} if url else {})
        if url:
            config['remote "storage"'] = {"url": url}
        with open(PROJECT / ".dvc" / "config", "w") as handle:
            config.write(handle)
        return
    run(*dvc, "init", "--quiet", *([] if has_git else ["--no-scm"]))
    run(*dvc, "config", "core.analytics", "false")
    if url:
        run(*dvc, "remote", "add", "--default", "storage", url)


def git_identity() -> dict[str, str]:
    """Commit as the template's author when git has no identity configured."""
    probe = subprocess.run(["git", "config", "user.email"], cwd=PROJECT, capture_output=True)
    if probe.returncode == 0 and probe.stdout.strip():
        return {}
    name, email = ANSWERS["author_name"] or "thrifty-ml", ANSWERS["author_email"]
    return {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }


def template_source() -> str | None:
    """Where cruft finds the template again: its git URL, or the local clone's absolute path."""
    given = str(ANSWERS.get("_template", ""))
    if "://" in given or given.startswith("git@"):
        return given
    try:
        from cookiecutter.config import BUILTIN_ABBREVIATIONS
        from cookiecutter.repository import expand_abbreviations

        expanded = expand_abbreviations(given, BUILTIN_ABBREVIATIONS)
    except ImportError:  # a cookiecutter without them: only full URLs and paths are known
        expanded = given
    if expanded != given:
        return expanded
    repo = template_repo()
    return None if repo is None else str(repo)


def template_repo() -> Path | None:
    """The template's folder (for a URL, cookiecutter's clone of it); None if it is not one."""
    repo = Path(TEMPLATE_FOLDER)
    return repo if (repo / "cookiecutter.json").is_file() else None


def write_cruft_state(has_git: bool) -> None:
    """`.cruft.json`: the template, its commit and the answers, so `cruft update` can diff.

    Written only on a real bake: cruft re-renders the template to diff it, and then the
    context has no `_repo_dir`, and cruft writes the file itself.
    """
    if "_repo_dir" not in ANSWERS:
        return
    source, repo = template_source(), template_repo()
    head = None
    if source is not None and repo is not None and has_git:
        head = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True
        )
    if head is None or head.returncode != 0 or not head.stdout.strip():
        print("note: the template is not a git clone here; no .cruft.json (cruft needs one)")
        return
    # The answers as cruft writes them after an update: cookiecutter.json's keys in its order
    # (not cookiecutter's run-time keys, such as this machine's paths), and in cruft's JSON
    # style, so that an update changes the commit lines and nothing else.
    order = json.loads((repo / "cookiecutter.json").read_text(encoding="utf-8"))
    answers = {key: ANSWERS[key] for key in order if key in ANSWERS}
    state_commit = head.stdout.strip()
    # No "skip" here: cruft (2.16) extends this list in place with [tool.cruft] skip from
    # pyproject.toml, which it reads anyway, and writes it back, so each update would repeat
    # the list. pyproject.toml holds it, once.
    state = {
        "template": source,
        "commit": state_commit,
        "checkout": ANSWERS.get("_checkout"),
        "context": {"cookiecutter": answers | {"_template": source, "_commit": state_commit}},
        "directory": None,
    }
    text = json.dumps(state, ensure_ascii=False, indent=2, separators=(",", ": ")) + "\n"
    (PROJECT / ".cruft.json").write_text(text, encoding="utf-8")


def main() -> None:
    drop_unchosen()
    choose_variants()
    has_git = shutil.which("git") is not None
    write_cruft_state(has_git)
    if has_git:
        run("git", "init", "--quiet", "--initial-branch", "main")
    else:
        print("note: git is not installed; skipped `git init` and the first commit")
    init_dvc(has_git)
    if has_git:
        run("git", "add", "--all")
        subprocess.run(
            ["git", "commit", "--quiet", "--no-verify", "-m", "Bake project from thrifty-ml"],
            cwd=PROJECT,
            check=True,
            env=os.environ | git_identity(),
        )


if __name__ == "__main__":
    main()
