"""The everyday loop, timed as a new user pays it, against the floor of a bare DVC pipeline.

A project is baked from this checkout and set up by its own `make setup` (not the tests'
shared environment), and every figure is a whole process, timed from outside:

- `dvc repro -f`: wall and CPU of the whole run, and per stage from the project's own
  receipts (reports/cost.json); with the warm start (the default: stages forked from a
  server that imported the libraries, core/warm.py) and without it (`THRIFTY_WARM=0`). A
  warm stage's CPU is not a child of DVC's, so the CPU figure of a warm run is the receipts';
- the loop "label 10 items, `dvc repro`": the labeler on a pseudo-terminal answering each
  item it shows as the published model predicts it (a careful annotator agrees with a good
  model on most items), then the rerun; and the same with one key typed for every item, which
  makes the labels noisy, the race longer and tuning search (the loop's worst case);
- the labeler's start-up: from launch to its first item on a pseudo-terminal;
- `make demo` in a fresh clone of the template (`--demo`; it builds the template's own
  environment first, so it is the slowest figure here);
- the floor: a bare DVC pipeline of as many Python stages, each only `import numpy`, run with
  the project's interpreter right after each `dvc repro -f`, and the ratio of the two, taken
  within each pair (the median of the pairs' ratios) so that the machine's drift between
  minutes cancels.

Each figure is the median of `--runs` runs (at least three).

    python benchmarks/loop.py [--runs 3] [--task regression] [--data-kind text] [--demo]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bakes import TEMPLATE, bake  # noqa: E402
from measure import (  # noqa: E402
    commit,
    machine,
    median,
    run,
    spread,
    stage_figures,
)
from terminal import answer, label_on_terminal, labeler_start, model_answers  # noqa: E402

GOALS = {"ratio": 3.0, "loop_seconds": 10.0, "labeler_seconds": 1.0}


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

    # Each forced run is paired with a run of the floor in the same minute: this machine's
    # speed drifts by 10-20 % between minutes, and the ratio is taken within each pair.
    per_stage: dict[str, list[tuple[float, float]]] = {}
    cold_stage: dict[str, list[tuple[float, float]]] = {}
    ratios: list[float] = []
    floor = None
    for _ in range(runs):
        wall, cpu = run([dvc, "repro", "-f"], project)
        note("dvc repro -f", wall)
        receipts = stage_figures(project)
        note("stages' own wall (receipts)", sum(w for w, _ in receipts.values()))
        note("stages' own CPU (receipts)", sum(c for _, c in receipts.values()))
        for stage, figure in receipts.items():
            per_stage.setdefault(stage, []).append(figure)
        if floor is None:
            python = project / ".venv" / "bin" / "python"
            floor = floor_pipeline(work / "floor", python, len(receipts))  # first run untimed
        floor_wall, _ = run([dvc, "repro", "-f", "-q"], floor)
        note("floor: dvc repro -f", floor_wall)
        ratios.append(wall / floor_wall)
        wall, cpu = run([dvc, "repro", "-f"], project, THRIFTY_WARM="0")
        note("dvc repro -f, THRIFTY_WARM=0", wall)
        note("dvc repro -f, THRIFTY_WARM=0, CPU", cpu)
        for stage, figure in stage_figures(project).items():
            cold_stage.setdefault(stage, []).append(figure)
    commit(project, "Forced runs")

    reply = answer(project)
    answers = model_answers(project, work)
    for _ in range(runs):
        labeled = label_on_terminal(project, 10, answers, reply)
        rerun, _ = run([dvc, "repro"], project)
        note("label 10 items", labeled)
        note("dvc repro after labeling", rerun)
        note("loop: label 10 items, dvc repro", labeled + rerun)
        commit(project, "Ten labels")
        labeled = label_on_terminal(project, 10, answers, reply)
        rerun, _ = run([dvc, "repro"], project, THRIFTY_WARM="0")
        note("loop, THRIFTY_WARM=0", labeled + rerun)
        commit(project, "Ten labels, cold")
    # The worst case, last: one key for every item makes the labels noisy.
    for _ in range(runs):
        labeled = label_on_terminal(project, 10, {}, reply)
        rerun, _ = run([dvc, "repro"], project)
        note("loop, one key for every item", labeled + rerun)
        commit(project, "Ten labels, one key")

    for _ in range(runs):
        note("labeler: first item on screen", labeler_start(project))

    if args.demo:
        for i in range(runs):
            clone = work / f"clone{i}"
            run(["git", "clone", "-q", str(TEMPLATE), str(clone)], work)
            wall, _ = run(["make", "demo"], clone)
            note("make demo, fresh clone", wall)
            shutil.rmtree(clone, ignore_errors=True)

    ratio = median(ratios)  # of the pairs run in the same minute
    print(f"\n## The everyday loop: {args.task}, {args.data_kind} ({machine()})\n")
    print(f"Median of {runs} runs (min–max).\n")
    print("| figure | seconds |\n|---|---|")
    for name, values in figures.items():
        print(f"| {name} | {spread(values)} |")
    low, high = min(ratios), max(ratios)
    print(
        f"| ratio: dvc repro -f / floor ({len(per_stage)} stages), each run against the floor"
        f" run beside it | {ratio:.1f}x ({low:.1f}–{high:.1f}) |"
    )
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
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
