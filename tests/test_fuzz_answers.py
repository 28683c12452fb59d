"""Fuzzed bake answers: any text a user can type either bakes exactly or is refused by name.

Hypothesis writes the answers: any Unicode (emoji, controls, the line separators YAML and TOML
read as breaks), quotes, backslashes, Jinja's `{{` and `{%`, YAML's `: `, `#`, `- ` and
`!!python/object`, path separators, long strings. The derived answers (`project_slug`,
`module_name`) come either from cookiecutter's own rendering of cookiecutter.json, as when a
user accepts the default, or typed. Typed and replayed values reach the hooks verbatim (as a
replay file passes them), so that is how the real bakes get them.

- 500 cases go through the pre-generation hook's own `problems()` in this process; the
  accepted ones render pyproject.toml and the hooks as cookiecutter would and parse them back.
- 25 cases are real bakes (`cookiecutter --replay-file`): each bakes a project whose TOML and
  JSON read back the given values exactly and whose package imports, or is refused with a
  message naming the variable, leaving no folder.
"""

from __future__ import annotations

import ast
import json
import os
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import TEMPLATE, run
from cookiecutter.prompt import create_env_with_context, render_variable
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

DEFAULTS = json.loads((TEMPLATE / "cookiecutter.json").read_text())
FREE_TEXT = ("project_name", "description", "author_name", "author_email", "dvc_remote_url")
DERIVED = ("project_slug", "module_name")
VARIABLES = [key for key in DEFAULTS if not key.startswith("_")]

# Pieces that break naive quoting in one format or another, or that a template engine reads.
NASTY = [
    '"',
    "'",
    "\\",
    "\\u0041",
    "{{",
    "}}",
    "{%",
    "%}",
    "{#",
    "{{ cookiecutter.task }}",
    ": ",
    " #",
    "- ",
    "!!python/object:os.system",
    "&anchor",
    "*alias",
    "[",
    "]",
    "\n",
    "\r\n",
    "\t",
    "\x00",
    "\x1b[31m",
    "\x7f",
    "\x85",
    "\u2028",
    "\u2029",
    "\ufeff",
    "🚀",
    "👩\u200d💻",
    "日本語",
    "Zoë",
    "/",
    "../",
    "~",
    "C:\\",
    "@",
    ".",
    "-",
    "_",
    " ",
    "true",
    "null",
    "0x1F",
    "1e3",
    "=",
    "$HOME",
    "`",
]

text = st.one_of(
    st.text(max_size=40),
    st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=4)), max_size=12).map("".join),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=300, max_size=3000),
)
identifier = st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True)
word = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,12}", fullmatch=True)
valid_email = st.builds(
    "{}@{}.{}".format, identifier, identifier, st.sampled_from(["com", "org", "ai"])
)
typed_slug = st.from_regex(r"[a-z0-9-]{1,70}", fullmatch=True)
SCHEMES = {"s3": "s3://", "gs": "gs://", "azure": "azure://", "local": "", "none": ""}


@st.composite
def answers(draw: st.DrawFn) -> dict[str, str | None]:
    """One set of answers: free text, a remote, and the derived names rendered or typed.

    Each answer that can be refused is a fitting value three times in four, any text
    otherwise, so that both the accepted and the refused side are explored.
    """

    def mostly(fitting: st.SearchStrategy) -> str | None:
        # Hypothesis starts from small draws: 0 (its first pick) is the fitting value.
        return draw(text if draw(st.integers(0, 3)) == 3 else fitting)

    remote = draw(st.sampled_from(DEFAULTS["dvc_remote"]))
    url = st.builds(f"{SCHEMES[remote]}{{}}".format, text) if remote != "none" else st.just("")
    return {
        # A name that starts with a word slugifies to a usable slug; any text may not.
        "project_name": mostly(st.builds("{}{}".format, word, text)),
        "description": draw(text),
        "author_name": draw(text),
        "author_email": mostly(valid_email),
        "dvc_remote": remote,
        "dvc_remote_url": mostly(url),
        # Most often the user accepts the derived defaults (None); sometimes types their own.
        "project_slug": mostly(st.one_of(st.none(), typed_slug)),
        "module_name": mostly(st.one_of(st.none(), identifier)),
    }


def load_problems():
    """The pre-generation hook's `problems()`, with its Jinja answers line stubbed out."""
    source = (TEMPLATE / "hooks" / "pre_gen_project.py").read_text()
    stubbed = source.replace("{{ cookiecutter | tojson | tojson }}", '"{}"')
    assert stubbed != source
    namespace: dict = {"__name__": "pre_gen_project"}
    exec(compile(stubbed, "pre_gen_project.py", "exec"), namespace)
    return namespace["problems"]


PROBLEMS = load_problems()
if str(TEMPLATE) not in sys.path:
    sys.path.insert(0, str(TEMPLATE))  # local_extensions, as cookiecutter puts it there
ENV = create_env_with_context({"cookiecutter": DEFAULTS})


def complete(drawn: dict[str, str | None]) -> tuple[dict[str, str], list[str]]:
    """The whole answer set as cookiecutter builds it, and the refusals met on the way.

    A derived value left unset is rendered from cookiecutter.json; the early folder-name
    check (local_extensions.safe_folder_name) runs while the answers are read, as in a bake.
    """
    context = {
        key: value[0] if isinstance(value, list) and not key.startswith("_") else value
        for key, value in DEFAULTS.items()
    }
    for key, value in drawn.items():
        if value is not None:
            context[key] = value
    for key in DERIVED:
        if drawn.get(key) is None:
            context[key] = render_variable(ENV, DEFAULTS[key], context)
    try:
        context["__slug_is_a_safe_folder"] = render_variable(
            ENV, DEFAULTS["__slug_is_a_safe_folder"], context
        )
    except SystemExit as refused:
        return context, [str(refused.code)]
    return context, PROBLEMS(context)


def names_a_variable(message: str) -> bool:
    return any(f"{key}=" in message for key in VARIABLES)


def render(relative: str, context: dict[str, str]) -> str:
    source = (TEMPLATE / relative).read_text(encoding="utf-8")
    return ENV.from_string(source).render(cookiecutter=context)


def embedded_answers(hook: str, context: dict[str, str]) -> dict:
    """What a rendered hook reads as its ANSWERS: it must be the answers, exactly."""
    rendered = render(f"hooks/{hook}", context)
    tree = ast.parse(rendered)
    (line,) = [
        node
        for node in tree.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "ANSWERS"
    ]
    namespace: dict = {"json": json}
    exec(compile(ast.Module([line], []), hook, "exec"), namespace)
    return namespace["ANSWERS"]


def check_accepted(context: dict[str, str], pyproject: str) -> None:
    """The values an accepted bake writes into TOML read back exactly."""
    meta = tomllib.loads(pyproject)["project"]
    assert meta["name"] == context["project_slug"]
    assert meta["description"] == context["description"]
    assert meta["authors"] == [{"name": context["author_name"], "email": context["author_email"]}]


def expected_remote(context: dict[str, str], project: Path) -> str | None:
    """The URL the post-generation hook gives DVC: as typed (stripped), a local folder made
    absolute from the project, or the default folder under the cache when left empty."""
    remote, url = context["dvc_remote"], context["dvc_remote_url"].strip()
    if remote == "none":
        return None
    if remote == "local" and not url:
        url = str(Path(os.environ["XDG_CACHE_HOME"], "thrifty-ml", "dvc-remote", project.name))
    if remote == "local" and not url.startswith("file://"):
        return str((project / Path(url).expanduser()).resolve())
    return url


def remote_of(project: Path) -> str | None:
    """The default remote's URL as DVC itself reads it from .dvc/config."""
    if "storage" not in run([sys.executable, "-m", "dvc", "remote", "list"], project).stdout:
        return None
    command = [sys.executable, "-m", "dvc", "config", "remote.storage.url"]
    return run(command, project).stdout.rstrip("\n")


# The same cases on every run and every machine (CI's time stays known), and no example
# database written into the checkout.
REPEATABLE = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@settings(REPEATABLE, max_examples=500)
@given(answers())
def test_every_answer_is_accepted_exactly_or_refused_by_name(drawn):
    context, found = complete(drawn)
    if found:
        assert all(names_a_variable(message) for message in found), found
        return
    check_accepted(context, render("{{cookiecutter.project_slug}}/pyproject.toml", context))
    for hook in ("pre_gen_project.py", "post_gen_project.py"):
        assert embedded_answers(hook, context) == context, hook
    assert context["module_name"].isidentifier() and context["project_slug"].isascii()


def test_the_fuzzing_reaches_both_outcomes():
    """The strategy is no use if it only ever produces refusals (or only clean values)."""
    outcomes = {"accepted": 0, "refused": 0}

    @settings(REPEATABLE, max_examples=200)
    @given(answers())
    def tally(drawn):
        outcomes["refused" if complete(drawn)[1] else "accepted"] += 1

    tally()
    assert outcomes["accepted"] >= 20 and outcomes["refused"] >= 20, outcomes


BAKES = {"accepted": 0, "refused": 0}


# Each case is a real bake of a few seconds: no shrinking (a failure prints its answers whole).
@settings(REPEATABLE, max_examples=25, phases=[Phase.explicit, Phase.generate])
@given(answers())
def test_real_bakes_of_fuzzed_answers(tmp_path_factory, drawn):
    context, found = complete(drawn)
    folder = tmp_path_factory.mktemp("fuzz")
    out = folder / "out"
    out.mkdir()
    # As cookiecutter writes a replay file: every answer, the private ones rendered too.
    replayed = context | {"__slug_is_a_safe_folder": "yes"}
    replayed |= {"_template": str(TEMPLATE), "_output_dir": str(out)}
    replay = folder / "answers.json"
    replay.write_text(json.dumps({"cookiecutter": replayed}))
    result = run(
        ["cookiecutter", "--replay-file", str(replay), "--output-dir", str(out), str(TEMPLATE)],
        folder,
        check=False,
    )
    if found:
        BAKES["refused"] += 1
        assert result.returncode != 0, found
        assert "no project was generated" in result.stderr and names_a_variable(result.stderr)
        assert list(out.iterdir()) == [], "a refused bake left files behind"
        return
    BAKES["accepted"] += 1
    assert result.returncode == 0, result.stderr
    (project,) = out.iterdir()
    assert project.name == context["project_slug"]
    check_accepted(context, (project / "pyproject.toml").read_text(encoding="utf-8"))
    cruft = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))["context"]
    for key in (*FREE_TEXT, *DERIVED):
        assert cruft["cookiecutter"][key] == context[key], key
    assert remote_of(project) == expected_remote(context, project)
    imported = run(
        [sys.executable, "-c", f"import {context['module_name']}.cli"],
        project,
        env={**os.environ, "PYTHONPATH": str(project / "src")},
    )
    assert imported.returncode == 0, imported.stderr


@pytest.mark.skipif("not BAKES['accepted'] + BAKES['refused']", reason="the bakes did not run")
def test_the_real_bakes_met_both_outcomes():
    print(f"real bakes of fuzzed answers: {BAKES}")  # shown with pytest -rP
    assert BAKES["accepted"] >= 3 and BAKES["refused"] >= 3, BAKES
