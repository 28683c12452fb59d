"""The baked package's structure: stage deps = import closure, one mechanism per option.

Every option combination (task x data_kind) is baked once for this module; the rerun test
sets one bake up and runs `dvc repro` on it.
"""

from __future__ import annotations

import ast
import itertools
import json
import re
import shlex
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from closure import closure, listing, module_file
from conftest import bake, run, shared_setup
from layout import (
    COOKIECUTTER_JSON,
    HOOKS,
    OPTION_OF,
    PROJECT_TEMPLATE,
    TEMPLATE,
    VARIANTS,
    answers,
    variant_marks,
)

MODULE = "thrifty_demo"
COMBOS = {
    f"{task}-{kind}": {"task": task, "data_kind": kind}
    for task, kind in itertools.product(COOKIECUTTER_JSON["task"], COOKIECUTTER_JSON["data_kind"])
}
# One helper per room, each used by few stages, so the rerun test reruns little; a text bake
# for its own room.
HELPERS = [
    ("tabular", "core/records.py"),
    ("tabular", "modeling/cost.py"),
    ("tabular", "bundles/metadata.py"),
    ("tabular", "reporting/page.py"),
    ("tabular", "labeling/answers.py"),
    ("text", "text/lexicons.py"),
]
# A run-time switch on an option, which the variant files make unnecessary.
OPTION_SWITCHES = [
    "TASK ==",
    "TASK !=",
    "DATA_KIND",
    "data_kind",
    '== "classification"',
    '== "regression"',
    '== "text"',
    '== "tabular"',
]
RUFF_SELECT = ["--select", "E,W,F,I,UP,B,SIM", "--target-version", "py311"]


@pytest.fixture(scope="module", params=list(COMBOS))
def baked(request, tmp_path_factory) -> Path:
    return bake(tmp_path_factory.mktemp(request.param), **COMBOS[request.param])


def package(project: Path) -> Path:
    return project / "src" / MODULE


# --- 1. each stage's code deps are exactly its import closure ------------------------------


def dependency_problems(project: Path) -> list[str]:
    """One message per stage whose `src/...` deps in dvc.yaml differ from its import closure
    (a room the stage runs whole is listed as its folder, see `closure.listing`)."""
    problems = []
    stages = yaml.safe_load((project / "dvc.yaml").read_text())["stages"]
    for name, stage in stages.items():
        command = shlex.split(stage["cmd"])
        if command[:2] != [".venv/bin/python", "-m"] or len(command) != 3:
            problems.append(f"stage {name}: command {stage['cmd']!r} is not `python -m MODULE`")
            continue
        if module_file(project / "src", command[2]) is None:
            problems.append(f"stage {name}: runs {command[2]}, which does not exist")
            continue
        runs = closure(project / "src", command[2])
        wanted = listing(project, MODULE, runs)
        files = {path.relative_to(project).as_posix() for path in runs}
        listed = [dep for dep in stage.get("deps", []) if str(dep).startswith("src/")]
        for dep in sorted(wanted - set(listed)):
            problems.append(f"stage {name}: runs {dep} but its deps omit it")
        for dep in sorted(set(listed) - wanted):
            if dep in files:
                problems.append(f"stage {name}: lists {dep}, but runs its whole room: list that")
            elif any(file.startswith(f"{dep}/") for file in files):
                problems.append(f"stage {name}: lists {dep}, but runs only part of it")
            else:
                problems.append(f"stage {name}: lists {dep}, which it does not import")
        for dep in listed:
            if not (project / dep).exists():
                problems.append(f"stage {name}: lists {dep}, which does not exist")
        if len(listed) != len(set(listed)):
            problems.append(f"stage {name}: lists a dep twice")
    return problems


def test_stage_deps_are_the_import_closure(baked):
    stages = yaml.safe_load((baked / "dvc.yaml").read_text())["stages"]
    for name, stage in stages.items():
        assert stage["cmd"] == f".venv/bin/python -m {MODULE}.{name}"
    assert dependency_problems(baked) == []


def test_dependency_check_reports_a_missing_and_a_stale_dep(tmp_path):
    project = shutil.copytree(bake(tmp_path / "bake"), tmp_path / "edited", symlinks=True)
    dvc_yaml = project / "dvc.yaml"
    pipeline = yaml.safe_load(dvc_yaml.read_text())
    stages, pkg = pipeline["stages"], f"src/{MODULE}"
    stages["tune"]["deps"].remove(f"{pkg}/core")
    stages["report"]["deps"].append(f"{pkg}/modeling/cost.py")
    stages["done"]["deps"].append(f"{pkg}/core/gone.py")
    stages["evaluate"]["deps"].append(f"{pkg}/reporting")  # it runs some of the room's files
    stages["tune"]["deps"].remove(f"{pkg}/bundles")  # it runs both: the room is one entry
    stages["tune"]["deps"].append(f"{pkg}/bundles/bundle.py")
    dvc_yaml.write_text(yaml.safe_dump(pipeline, sort_keys=False))
    assert dependency_problems(project) == [
        f"stage tune: runs {pkg}/bundles but its deps omit it",
        f"stage tune: runs {pkg}/core but its deps omit it",
        f"stage tune: lists {pkg}/bundles/bundle.py, but runs its whole room: list that",
        f"stage evaluate: lists {pkg}/reporting, but runs only part of it",
        f"stage done: lists {pkg}/core/gone.py, which it does not import",
        f"stage done: lists {pkg}/core/gone.py, which does not exist",
        f"stage report: lists {pkg}/modeling/cost.py, which it does not import",
    ]


def test_code_no_stage_runs_is_hidden_from_dvc(baked):
    """`core/` is one dependency of every stage only because what no stage runs is ignored."""
    hidden = {f"src/{MODULE}/core/{name}" for name in ("edits.py", "warm.py", "warmrun.py")}
    shown = {f"src/{MODULE}/core/config.py", f"src/{MODULE}/tables/stream.py"}
    result = run([sys.executable, "-m", "dvc", "check-ignore", *sorted(hidden | shown)], baked)
    assert set(result.stdout.split()) == hidden


# --- 2. __init__.py files hold a docstring only -------------------------------------------


# The package's own `__init__.py` also hands a stage to the warm server (core/warm.py): which
# process runs a stage, never what it computes, so no stage lists it as a dependency.
WARM_HOOK = """
import sys as _sys

if _sys.orig_argv[1:2] == ["-m"]:
    from .core.warm import hand_off

    hand_off(__name__)
"""


def test_init_files_hold_only_a_docstring(baked):
    inits = sorted(package(baked).rglob("__init__.py"))
    assert len(inits) >= 6
    for init in inits:
        body = ast.parse(init.read_text(encoding="utf-8")).body
        if init.parent == package(baked):
            assert ast.dump(ast.Module(body[1:], [])) == ast.dump(ast.parse(WARM_HOOK))
            body = body[:1]
        docstring_only = not body or (
            len(body) == 1
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        )
        assert docstring_only, f"{init.relative_to(baked)} holds more than a docstring"


# --- 3. editing a helper reruns exactly the stages that run it ----------------------------


def stages_ran(output: str) -> set[str]:
    return set(re.findall(r"^Running stage '([^']+)':", output, flags=re.MULTILINE))


def downstream(lock: dict, stages: set[str]) -> set[str]:
    """Stages that read, directly or not, an output of one of `stages` (from dvc.lock)."""
    outs = {
        name: [out["path"] for out in stage.get("outs", [])]
        for name, stage in lock["stages"].items()
    }

    def reads(name: str, upstream: str) -> bool:
        deps = [dep["path"] for dep in lock["stages"][name].get("deps", [])]
        return any(
            dep == out or dep.startswith(f"{out}/") for dep in deps for out in outs[upstream]
        )

    found = set(stages)
    while more := {
        name
        for name in lock["stages"]
        if name not in found and any(reads(name, up) for up in found)
    }:
        found |= more
    return found - stages


@pytest.fixture(scope="module")
def reproduced(tmp_path_factory):
    """A bake of a data kind, set up, reproduced once and committed (made on first use)."""
    projects: dict[str, Path] = {}

    def project_for(data_kind: str) -> Path:
        if data_kind not in projects:
            project = shared_setup(bake(tmp_path_factory.mktemp("rerun"), data_kind=data_kind))
            run([".venv/bin/dvc", "repro"], project)
            run("git add -A && git commit --quiet --no-verify -m 'First repro'", project)
            projects[data_kind] = project
        return projects[data_kind]

    return project_for


@pytest.mark.parametrize(("data_kind", "helper"), HELPERS)
def test_editing_a_helper_reruns_exactly_its_stages(reproduced, data_kind, helper):
    project = reproduced(data_kind)
    dvc_yaml = yaml.safe_load((project / "dvc.yaml").read_text())["stages"]
    file = f"src/{MODULE}/{helper}"
    room = file.rsplit("/", 1)[0]  # a stage that runs the whole room lists the room
    entry = {
        name: next(dep for dep in stage["deps"] if dep in (file, room))
        for name, stage in dvc_yaml.items()
        if {file, room} & set(stage.get("deps", []))
    }
    users = set(entry)
    assert users, f"no stage runs {file}"
    with (project / file).open("a") as handle:
        handle.write("# an edit that changes the file's hash and nothing else\n")
    try:
        # What DVC sees changed: this file, in exactly the stages that list it.
        status = json.loads(run([".venv/bin/dvc", "status", "--json"], project).stdout)
        assert status == {name: [{"changed deps": {entry[name]: "modified"}}] for name in users}
        assert stages_ran(run([".venv/bin/dvc", "repro", "--dry"], project).stdout) == users
        # What a real repro runs: those stages, plus only those whose inputs they rewrote
        # (a stage's outputs may record timings, so its readers rerun on fresh data).
        ran = stages_ran(run([".venv/bin/dvc", "repro"], project).stdout)
        lock = yaml.safe_load((project / "dvc.lock").read_text())
        assert users <= ran
        assert ran - users <= downstream(lock, users)
    finally:
        # Back to the committed state: code, dvc.lock and git-tracked reports from git, the
        # cached outputs from DVC's cache; then nothing is left to run.
        run(["git", "checkout", "--", "."], project)
        run([".venv/bin/dvc", "checkout", "--quiet"], project)
    assert "up to date" in run([".venv/bin/dvc", "status"], project).stdout


# --- 4. one mechanism per option: variant files, never a run-time switch ------------------


def template_python(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*.py") if "__pycache__" not in path.parts)


def test_package_template_is_plain_python():
    """No Jinja blocks in the package; `{{ }}` only as whole values inside string literals."""
    files = template_python(PROJECT_TEMPLATE / "src")
    assert len(files) > 40
    for path in files:
        source = path.read_text(encoding="utf-8")
        name = path.relative_to(TEMPLATE)
        for marker in ("{%", "{#"):
            assert marker not in source, f"{name} holds {marker!r}"
        tree = ast.parse(source, filename=str(name))
        in_strings = sum(
            node.value.count("{{")
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        )
        assert source.count("{{") == in_strings, f"{name} has Jinja outside string literals"


def test_jinja_blocks_stand_on_their_own_lines():
    files = template_python(PROJECT_TEMPLATE) + template_python(HOOKS)
    bad = [
        f"{path.relative_to(TEMPLATE)}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "{%" in line and not (line.strip().startswith("{%") and line.strip().endswith("%}"))
    ]
    assert bad == [], "Jinja blocks inside a line:\n" + "\n".join(bad)


def test_baked_code_never_switches_on_an_option(baked):
    bad = [
        f"{path.relative_to(baked)}:{number}: {line.strip()}"
        for path in sorted((baked / "src").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if any(switch in line for switch in OPTION_SWITCHES)
    ]
    assert bad == [], "run-time switches on an option:\n" + "\n".join(bad)


# --- 5. the README's map of the package matches the package -------------------------------


def readme_paths(readme: str) -> set[str]:
    """The paths named in the first column of the "Where things live" table."""
    section = readme.split("## Where things live", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    cells = [row.split("|")[1] for row in rows[2:]]  # past the header and its rule
    return {name for cell in cells for name in re.findall(r"`([^`]+)`", cell)}


def test_readme_map_matches_the_package(baked):
    named = readme_paths((baked / "README.md").read_text(encoding="utf-8"))
    root = package(baked)
    assert named, "the README's table names nothing"
    for name in sorted(named):
        path = root / name
        assert path.is_dir() if name.endswith("/") else path.is_file(), f"{name} does not exist"
    top_files = {path.name for path in root.glob("*.py") if path.name != "__init__.py"}
    folders = {f"{path.name}/" for path in root.iterdir() if path.is_dir()} - {"__pycache__/"}
    assert top_files - named == set(), "top-level modules the README does not name"
    assert folders - named == set(), "folders the README does not name"


# --- 6. the hook's variants match the options, and every bake gets every module ----------


def test_hook_variants_are_the_options_choices():
    choices = {key: tuple(COOKIECUTTER_JSON[key]) for key in ("task", "data_kind")}
    assert choices == VARIANTS


def test_every_bake_gets_exactly_one_version_of_each_variant_file():
    groups: dict[Path, list[list[str]]] = {}
    for path in sorted(PROJECT_TEMPLATE.rglob("*")):
        parsed = variant_marks(path) if path.is_file() else None
        if parsed is None:
            continue
        stem, marks, suffix = parsed
        keys = [answer for answer in VARIANTS if any(m in VARIANTS[answer] for m in marks)]
        assert len(keys) == len(marks), f"{path.name} names one option twice"
        groups.setdefault(path.with_name(f"{stem}.{suffix}"), []).append(marks)
    assert groups, "the template holds no variant files"
    combos = [
        dict(zip(VARIANTS, values, strict=True))
        for values in itertools.product(*VARIANTS.values())
    ]
    for plain, versions in groups.items():
        assert not plain.exists(), f"{plain.name} exists beside its variants"
        for combo in combos:
            chosen = answers(combo)
            fits = [marks for marks in versions if all(chosen[OPTION_OF[m]] == m for m in marks)]
            assert len(fits) == 1, (
                f"{plain.relative_to(TEMPLATE)}: {len(fits)} versions fit {combo}"
            )


# --- 7. the hooks, rendered, pass ruff --------------------------------------------------


def test_rendered_hooks_pass_ruff(tmp_path, monkeypatch):
    from cookiecutter.environment import StrictEnvironment
    from cookiecutter.generate import generate_context
    from cookiecutter.prompt import prompt_for_config

    monkeypatch.syspath_prepend(str(TEMPLATE))  # local_extensions.py, as cookiecutter does
    monkeypatch.delitem(sys.modules, "local_extensions", raising=False)
    context = generate_context(context_file=str(TEMPLATE / "cookiecutter.json"))
    context["cookiecutter"] = prompt_for_config(context, no_input=True)
    environment = StrictEnvironment(context=context, keep_trailing_newline=True)
    hooks = sorted(HOOKS.glob("*.py"))
    assert [hook.name for hook in hooks] == ["post_gen_project.py", "pre_gen_project.py"]
    for hook in hooks:
        template = environment.from_string(hook.read_text(encoding="utf-8"))
        (tmp_path / hook.name).write_text(template.render(cookiecutter=context["cookiecutter"]))
    common = ["--isolated", "--no-cache", "--line-length", "99"]
    run(["ruff", "check", *common, *RUFF_SELECT, "."], tmp_path)
    run(["ruff", "format", "--check", *common, "."], tmp_path)
