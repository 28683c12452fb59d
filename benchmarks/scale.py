"""Larger than memory: `prepare` + `sample` on generated CSVs of growing size, and a whole run.

Bakes the default project, sets it up with its own `make setup`, writes CSVs of 10 columns
(seven numbers, two categories, a binary label) at each size, points `data.raw` at each in
turn and times the two stages as whole processes (`python -m PKG.prepare`, then `.sample`):
wall seconds and peak resident memory, median of `--runs`. Then `dvc repro` end to end on the
`--repro-rows` file. Goals (issue 13): peak RSS at most 500 MB at 20M rows and within 1.3x of
the 1M figure; time no faster than linear.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bakes import bake  # noqa: E402
from measure import commit, environment, machine, median  # noqa: E402

GOALS = {"peak_mb_20m": 500.0, "growth": 1.3}
BLOCK = 1_000_000


def measured(command: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of `command`, its waited-for descendants included.

    Stages run cold (`THRIFTY_WARM=0`): a warm stage is the warm server's child, whose memory
    `wait4` would not see.
    """
    start = time.perf_counter()
    cold = environment() | {"THRIFTY_WARM": "0"}
    process = subprocess.Popen(
        command, cwd=cwd, env=cold, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(command)} failed in {cwd}:\n{output.decode()[-3000:]}")
    return wall, usage.ru_maxrss / 1024


def write_csv(path: Path, rows: int, seed: int = 0) -> None:
    """A CSV of `rows` rows, written a million at a time (this script's memory stays small)."""
    rng = np.random.default_rng(seed)
    with open(path, "w", encoding="utf-8") as handle:
        for start in range(0, rows, BLOCK):
            n = min(BLOCK, rows - start)
            numbers = rng.normal(size=(n, 7)).round(4)
            frame = pd.DataFrame(numbers, columns=[f"x{i}" for i in range(7)])
            frame["city"] = rng.choice(["north", "south", "east", "west", "centre"], size=n)
            frame["plan"] = rng.choice(["basic", "plus", "pro"], size=n)
            signal = numbers[:, 0] + 0.5 * numbers[:, 1] + rng.normal(scale=0.8, size=n)
            frame["target"] = np.where(signal > 0, "yes", "no")
            frame.to_csv(handle, index=False, header=start == 0)


def generated(work: Path, project: Path, rows: int) -> Path:
    """The project's raw file of `rows` rows, linked from `work`/csv (kept between runs)."""
    kept = work / "csv" / f"generated-{rows}.csv"
    if not kept.is_file():
        kept.parent.mkdir(parents=True, exist_ok=True)
        write_csv(kept, rows)
    raw = project / "data" / "raw" / kept.name
    raw.unlink(missing_ok=True)
    raw.symlink_to(kept)
    point_at(project, raw)
    return raw


def point_at(project: Path, raw: Path) -> None:
    params_file = project / "params.yaml"
    params = yaml.safe_load(params_file.read_text())
    params["data"]["raw"] = str(raw.relative_to(project))
    params_file.write_text(yaml.safe_dump(params, sort_keys=False))


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    cli.add_argument("--runs", type=int, default=3, help="runs per figure (at least 3)")
    cli.add_argument("--sizes", default="1000000,5000000,20000000", help="rows, comma-separated")
    cli.add_argument("--repro-rows", type=int, default=5_000_000, help="0: skip the dvc repro")
    cli.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = cli.parse_args(argv)
    runs = max(args.runs, 3)
    sizes = [int(size) for size in args.sizes.split(",")]
    work = args.keep or Path(tempfile.mkdtemp(prefix="thrifty-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"{runs} runs; {machine()}; in {work}", flush=True)
    shutil.rmtree(work / "bake", ignore_errors=True)
    project = bake(work / "bake", "classification", "tabular")
    subprocess.run(
        ["make", "setup"], cwd=project, env=environment(), check=True, capture_output=True
    )
    commit(project, "Baked")
    python, module = str(project / ".venv" / "bin" / "python"), project.name.replace("-", "_")
    subprocess.run(
        [str(project / ".venv" / "bin" / "dvc"), "repro", "demo"],
        cwd=project,
        env=environment(),
        check=True,
        capture_output=True,
    )
    figures: dict[int, dict[str, float]] = {}
    for rows in sizes:
        raw = generated(work, project, rows)
        walls, peaks = [], []
        for _ in range(runs):
            total, peak = 0.0, 0.0
            for stage in ("prepare", "sample"):
                wall, rss = measured([python, "-m", f"{module}.{stage}"], project)
                total, peak = total + wall, max(peak, rss)
            walls.append(total)
            peaks.append(peak)
        size_mb = raw.resolve().stat().st_size / 2**20
        figures[rows] = {"wall": median(walls), "peak_mb": median(peaks), "file_mb": size_mb}
        print(
            f"  {rows:>11,} rows ({size_mb:,.0f} MB): prepare + sample {median(walls):.1f} s "
            f"({min(walls):.1f}-{max(walls):.1f}), peak RSS {median(peaks):.0f} MB",
            flush=True,
        )
    if args.repro_rows:
        raw = generated(work, project, args.repro_rows)
        dvc = str(project / ".venv" / "bin" / "dvc")
        walls, peaks = [], []
        for _ in range(runs):
            wall, rss = measured([dvc, "repro", "-f"], project)
            walls.append(wall)
            peaks.append(rss)
            print(f"  dvc repro -f at {args.repro_rows:,} rows: {wall:.1f} s, peak {rss:.0f} MB")
        cost = json.loads((project / "reports" / "cost.json").read_text())
        slowest = sorted(cost["stages"], key=lambda s: -s["wall_seconds"])[:4]
        print(
            f"  median: {median(walls):.1f} s, peak RSS {median(peaks):.0f} MB; slowest stages: "
            + ", ".join(f"{s['stage']} {s['wall_seconds']:.1f} s" for s in slowest)
        )
    if sizes:
        first, last = figures[sizes[0]], figures[sizes[-1]]
        growth = last["peak_mb"] / first["peak_mb"]
        per_row = [figures[r]["wall"] / r * 1e6 for r in sizes]
        print(
            f"goals: peak at {sizes[-1]:,} rows {last['peak_mb']:.0f} MB (<= "
            f"{GOALS['peak_mb_20m']:.0f}), {growth:.2f}x the {sizes[0]:,}-row peak (<= "
            f"{GOALS['growth']}); seconds per million rows: "
            + ", ".join(f"{p:.1f}" for p in per_row)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
