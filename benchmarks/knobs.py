"""How the race's knobs move our arm: each setting against the thrift benchmark's stored rows.

For every dataset whose result `thrift.py` stored (its T, its grid's CPU), our arm runs with one
params.yaml setting changed at a time, `--runs` times (median CPU), and the referee judges the
pick as in the benchmark. The table says, per setting, the geometric mean of R, how many rows
reached T, and the CPU on each row: the evidence behind the defaults in params.yaml.

    python benchmarks/knobs.py [--runs 3] [--set baselines.cv_repeats=1 ...] [DATASET ...]

The table is printed as each setting finishes and written to benchmarks/KNOBS.md at the end.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import UTC, datetime
from pathlib import Path

import yaml
from sklearn.model_selection import train_test_split

sys.path.insert(0, str(Path(__file__).resolve().parent))
import thrift  # noqa: E402
from arms import ours, referee  # noqa: E402
from cpu import measured, median  # noqa: E402
from measure import machine  # noqa: E402
from suites import DATASETS  # noqa: E402

KNOBS = Path(__file__).resolve().parent / "KNOBS.md"

SETTINGS = [
    "baselines.cv_repeats=1",
    "baselines.factor=2",
    "baselines.factor=4",
    "baselines.top_k=1",
    "baselines.top_k=3",
    "baselines.alpha=0.01",
    "sample.max_rows=100",
    "sample.max_rows=400",
]


def changed(params, setting: str):
    """`params` with `section.key=value` changed (the value read as YAML); several changes
    together are separated by commas: `baselines.top_k=3,baselines.cv_repeats=1`."""
    for change in setting.split(","):
        path, value = change.split("=", 1)
        section, key = path.split(".")
        part = getattr(params, section).model_copy(update={key: yaml.safe_load(value)})
        params = params.model_copy(update={section: part})
    return params


def arm(name: str, setting: str | None, runs: int) -> dict:
    """Our arm on one dataset with `setting`: median CPU, the pick, the referee's verdict."""
    stored = json.loads((thrift.WORK / "results" / f"{name}.json").read_text())
    task, kind, _ = DATASETS[name]
    m, params, done, _ = thrift.bake(task, kind)
    frame, params = thrift.load(name, m, params)
    params = changed(params, setting) if setting else params
    stratify = frame["target"] if task == "classification" else None
    train, test = train_test_split(frame, test_size=0.2, random_state=42, stratify=stratify)
    train, test = train.reset_index(drop=True), test.reset_index(drop=True)
    X, y = m["ladder"].split_xy(train, params.data)
    X_test, y_test = m["ladder"].split_xy(test, params.data)
    budget = max(done.budget_cpu_seconds, stored["grid_cpu"])
    update = {
        "target": stored["T"],
        "floor": min(done.floor, stored["T"]),
        "budget_cpu_seconds": budget,
    }
    asked = done.model_copy(update=update)
    cpus = []
    for _ in range(runs):
        thrift.cold(m)
        (model, pick), cpu = measured(ours, m, params, asked, train)
        cpus.append(cpu)
    judged = referee(model, X, y, X_test, y_test, done.metric, task)
    cpu = median(cpus)
    return {
        "cpu": cpu,
        "pick": pick,
        "reached": judged["cv"] >= stored["T"],
        "R": stored["grid_cpu"] / cpu,
    }


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("datasets", nargs="*", default=[])
    cli.add_argument("--runs", type=int, default=3)
    cli.add_argument(
        "--set", dest="settings", action="append", help="section.key=value[,section.key=value]"
    )
    args = cli.parse_args()
    stored = sorted(path.stem for path in (thrift.WORK / "results").glob("*.json"))
    names = args.datasets or [name for name in DATASETS if name in stored]
    settings = [None, *(args.settings or SETTINGS)]
    table = [
        "| setting | geo-mean R | reach T | " + " | ".join(names) + " |",
        "|" + "---|" * (3 + len(names)),
    ]
    print("\n".join(table))
    for setting in settings:
        rows = {name: arm(name, setting, args.runs) for name in names}
        geo = math.exp(sum(math.log(r["R"]) for r in rows.values()) / len(rows))
        reached = sum(r["reached"] for r in rows.values())
        cells = [
            f"{r['cpu']:.2f} s{'' if r['reached'] else ' ✗'} ({r['pick']})" for r in rows.values()
        ]
        label = setting or "defaults"
        cells = [label, f"{geo:.1f}", f"{reached}/{len(rows)}", *cells]
        table.append("| " + " | ".join(cells) + " |")
        print(table[-1], flush=True)
    KNOBS.write_text(
        "# The race's knobs, one at a time\n\n"
        f"`make bench-knobs` (`benchmarks/knobs.py`): our arm of the thrift benchmark with one "
        f"params.yaml setting changed at a time, against RESULTS.md's T and grid CPU; CPU s "
        f"(process time, the median of {args.runs} run(s)), the pick, ✗ where the referee puts it "
        f"below T.\n\nMachine: {machine()}. Date: {datetime.now(UTC):%Y-%m-%d}.\n\n"
        + "\n".join(table)
        + "\n"
    )


if __name__ == "__main__":
    main()
