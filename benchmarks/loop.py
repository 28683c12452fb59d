"""The everyday loop, timed as a new user pays it, against the floor of a bare DVC pipeline.

A project is baked from this checkout and set up by its own `make setup` (not the tests'
shared environment), and every figure is a whole process, timed from outside:

- `dvc repro -f`: wall and CPU of the whole run, and per stage from the project's own
  receipts (reports/cost.json); with the warm start (the default: stages forked from a
  server that imported the libraries, core/warm.py) and without it (`THRIFTY_WARM=0`). A
  warm stage's CPU is not a child of DVC's, so the CPU figure of a warm run is the receipts';
- the loop "label 10 items, `dvc repro`": the labeler driven through a pipe, then the rerun;
- the labeler's start-up: from launch to its first item on a pseudo-terminal;
- `make demo` in a fresh clone of the template (`--demo`; it builds the template's own
  environment first, so it is the slowest figure here);
- the floor: a bare DVC pipeline of as many Python stages, each only `import numpy`, run with
  the project's interpreter, and the ratio of `dvc repro -f` to it.

Each figure is the median of `--runs` runs (at least three).

    python benchmarks/loop.py [--runs 3] [--task regression] [--data-kind text] [--demo]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pty
import resource
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bakes import TEMPLATE, bake  # noqa: E402

TOOLS = Path(sys.executable).parent  # the template's environment: cookiecutter, uv
LABEL_PROMPT = b"q quit >"  # the labeler's prompt, once its first item is on screen
GOALS = {"ratio": 3.0, "loop_seconds": 10.0, "labeler_seconds": 1.0}


def run(
    command: list[str], cwd: Path, stdin: str | None = None, **env: str
) -> tuple[float, float]:
    """Run `command` to completion; its (wall, CPU) seconds, its child processes' included."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        command, cwd=cwd, input=stdin, text=True, capture_output=True, env=environment() | env
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(
            f"{' '.join(command)} failed in {cwd}:\n{done.stdout[-2000:]}{done.stderr[-3000:]}"
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


RUNTIME = tempfile.mkdtemp(prefix="thrifty-bench-")  # this run's warm servers, none before


def environment() -> dict[str, str]:
    """The user's environment, with the template's tools (uv among them) on PATH."""
    path = f"{TOOLS}{os.pathsep}{os.environ['PATH']}"
    return {**os.environ, "PATH": path, "XDG_RUNTIME_DIR": RUNTIME}


def commit(project: Path, message: str) -> None:
    run(["git", "add", "-A"], project)
    run(["git", "commit", "-q", "--no-verify", "--allow-empty", "-m", message], project)


def stage_figures(project: Path) -> dict[str, tuple[float, float]]:
    """(wall, CPU) seconds of each stage's last run, from the project's cost receipt."""
    cost = json.loads((project / "reports" / "cost.json").read_text())
    return {s["stage"]: (s["wall_seconds"], s["cpu_seconds"]) for s in cost["stages"]}


def floor_pipeline(folder: Path, python: Path, stages: int) -> Path:
    """A bare DVC pipeline: `stages` Python processes in a chain, each only imports numpy."""
    folder.mkdir()
    run(["git", "init", "-q"], folder)
    run([str(python.parent / "dvc"), "init", "-q"], folder)
    lines = ["stages:"]
    for i in range(stages):
        write = f"import numpy; open('out/{i}', 'w').write(numpy.__version__)"
        lines += [f"  s{i}:", f'    cmd: mkdir -p out && {python} -c "{write}"']
        if i:
            lines += ["    deps:", f"      - out/{i - 1}"]
        lines += ["    outs:", f"      - out/{i}"]
    (folder / "dvc.yaml").write_text("\n".join(lines) + "\n")
    run([str(python.parent / "dvc"), "repro", "-q"], folder)
    return folder


def answer(project: Path) -> str:
    """An answer the labeler accepts for any item: the first label, or the range's middle."""
    schema = (project / "labeling" / "schema.yaml").read_text()
    if "range:" in schema:
        low, high = schema.split("range:", 1)[1].split("]", 1)[0].strip(" [").split(",")
        return f"{(float(low) + float(high)) / 2:g}"
    return "1"


def labeler_start(project: Path) -> float:
    """Seconds from launching the labeler to its first item on a pseudo-terminal."""
    command = [str(project / ".venv" / "bin" / project.name), "label", "--annotator", "start"]
    leader, follower = pty.openpty()
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=project, stdin=follower, stdout=follower, stderr=follower, env=environment()
    )
    os.close(follower)
    seen, shown = b"", None
    while shown is None and time.perf_counter() - start < 60:
        ready, _, _ = select.select([leader], [], [], 1)
        if ready:
            try:
                seen += os.read(leader, 4096)
            except OSError:  # the labeler exited before its prompt
                break
            if LABEL_PROMPT in seen:
                shown = time.perf_counter() - start
    os.write(leader, b"q\n")
    process.wait(timeout=60)
    os.close(leader)
    if shown is None:
        sys.exit(f"the labeler showed no item within 60 s:\n{seen.decode(errors='replace')}")
    return shown


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float]) -> str:
    return f"{median(values):.2f} s ({min(values):.2f}–{max(values):.2f})"


def machine() -> str:
    model = "unknown CPU"
    info = Path("/proc/cpuinfo")
    if info.is_file():
        names = [
            line.split(":", 1)[1].strip()
            for line in info.read_text().splitlines()
            if line.startswith("model name")
        ]
        model = names[0] if names else model
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {model}, {memory:.0f} GiB, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    cli.add_argument("--runs", type=int, default=3, help="runs per figure (at least 3)")
    cli.add_argument("--task", default="classification", choices=["classification", "regression"])
    cli.add_argument("--data-kind", default="tabular", choices=["tabular", "text"])
    cli.add_argument("--demo", action="store_true", help="also time `make demo` in fresh clones")
    cli.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = cli.parse_args(argv)
    runs = max(args.runs, 3)
    work = args.keep or Path(tempfile.mkdtemp(prefix="thrifty-loop-"))
    work.mkdir(parents=True, exist_ok=True)
    figures: dict[str, list[float]] = {}

    def note(name: str, value: float) -> None:
        figures.setdefault(name, []).append(value)
        print(f"  {name}: {value:.2f} s", flush=True)

    print(f"{args.task}, {args.data_kind}; {runs} runs; {machine()}; in {work}", flush=True)
    project = bake(work / "bake", args.task, args.data_kind)
    wall, _ = run(["make", "setup"], project)
    note("make setup", wall)
    commit(project, "Baked")
    dvc = str(project / ".venv" / "bin" / "dvc")
    wall, cpu = run([dvc, "repro"], project)
    note("dvc repro (first)", wall)
    commit(project, "First run")

    per_stage: dict[str, list[tuple[float, float]]] = {}
    cold_stage: dict[str, list[tuple[float, float]]] = {}
    for _ in range(runs):
        wall, cpu = run([dvc, "repro", "-f"], project)
        note("dvc repro -f", wall)
        receipts = stage_figures(project)
        note("stages' own wall (receipts)", sum(w for w, _ in receipts.values()))
        note("stages' own CPU (receipts)", sum(c for _, c in receipts.values()))
        for stage, figure in receipts.items():
            per_stage.setdefault(stage, []).append(figure)
        wall, cpu = run([dvc, "repro", "-f"], project, THRIFTY_WARM="0")
        note("dvc repro -f, THRIFTY_WARM=0", wall)
        note("dvc repro -f, THRIFTY_WARM=0, CPU", cpu)
        for stage, figure in stage_figures(project).items():
            cold_stage.setdefault(stage, []).append(figure)
    commit(project, "Forced runs")

    floor = floor_pipeline(work / "floor", project / ".venv" / "bin" / "python", len(per_stage))
    for _ in range(runs):
        wall, _ = run([dvc, "repro", "-f", "-q"], floor)
        note("floor: dvc repro -f", wall)

    label = [str(project / ".venv" / "bin" / project.name), "label", "--annotator", "bench"]
    reply = answer(project)
    for _ in range(runs):
        labeled, _ = run([*label, "--n", "10"], project, stdin=f"{reply}\n" * 10)
        rerun, _ = run([dvc, "repro"], project)
        note("label 10 items", labeled)
        note("dvc repro after labeling", rerun)
        note("loop: label 10 items, dvc repro", labeled + rerun)
        commit(project, "Ten labels")
        labeled, _ = run([*label, "--n", "10"], project, stdin=f"{reply}\n" * 10)
        rerun, _ = run([dvc, "repro"], project, THRIFTY_WARM="0")
        note("loop, THRIFTY_WARM=0", labeled + rerun)
        commit(project, "Ten labels, cold")

    for _ in range(runs):
        note("labeler: first item on screen", labeler_start(project))

    if args.demo:
        for i in range(runs):
            clone = work / f"clone{i}"
            run(["git", "clone", "-q", str(TEMPLATE), str(clone)], work)
            wall, _ = run(["make", "demo"], clone)
            note("make demo, fresh clone", wall)
            shutil.rmtree(clone, ignore_errors=True)

    ratio = median(figures["dvc repro -f"]) / median(figures["floor: dvc repro -f"])
    print(f"\n## The everyday loop: {args.task}, {args.data_kind} ({machine()})\n")
    print(f"Median of {runs} runs (min–max).\n")
    print("| figure | seconds |\n|---|---|")
    for name, values in figures.items():
        print(f"| {name} | {spread(values)} |")
    print(f"| ratio: dvc repro -f / floor ({len(per_stage)} stages) | {ratio:.1f}x |")
    overhead = median(figures["dvc repro -f"]) - median(figures["stages' own wall (receipts)"])
    print(f"| DVC and interpreter exits, outside the receipts | {overhead:.2f} s |")
    print("\n| stage | wall s | CPU s | wall s, THRIFTY_WARM=0 | CPU s, THRIFTY_WARM=0 |")
    print("|---|---|---|---|---|")
    for stage, values in per_stage.items():
        walls, cpus = zip(*values, strict=True)
        cold_walls, cold_cpus = zip(*cold_stage[stage], strict=True)
        print(
            f"| {stage} | {median(walls):.2f} | {median(cpus):.2f} | {median(cold_walls):.2f}"
            f" | {median(cold_cpus):.2f} |"
        )
    loop = median(figures["loop: label 10 items, dvc repro"])
    start = median(figures["labeler: first item on screen"])
    print("\nGoals:")
    for name, value, goal in [
        ("dvc repro -f at most 3x the floor", ratio, GOALS["ratio"]),
        ("loop under 10 s wall", loop, GOALS["loop_seconds"]),
        ("labeler's first item under 1 s", start, GOALS["labeler_seconds"]),
    ]:
        print(f"- {name}: {value:.2f} ({'met' if value <= goal else 'not met'})")
    shutil.rmtree(RUNTIME, ignore_errors=True)  # the servers leave within 5 s
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
