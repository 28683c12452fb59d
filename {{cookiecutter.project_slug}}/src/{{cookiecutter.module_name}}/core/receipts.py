"""What a stage cost its process: wall and CPU seconds, imports included, and its model work.

The ML work a stage counts (fits and scores, in whichever process ran them) is a small part of
what a user waits for: every stage is a fresh Python process that imports its libraries first.
`run_stage` measures the whole process as the stage's last act and writes
reports/stages/<stage>.json; `report` adds the receipts up into reports/cost.json.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

# The stage that adds the receipts up records its own in reports/cost.json instead: a file of
# its own under reports/stages, which it reads, would make the stage depend on itself.
SUMMING_STAGE = "report"
_model_cpu = 0.0


def add_model_cpu(seconds: float) -> None:
    """Count `seconds` of model work (fitting and scoring) towards this stage's receipt."""
    global _model_cpu
    _model_cpu += seconds


@contextmanager
def model_work() -> Iterator[None]:
    """Count the CPU this process spends inside the block as model work."""
    start = time.process_time()
    try:
        yield
    finally:
        add_model_cpu(time.process_time() - start)


def wall_on_linux() -> float:
    """Seconds since this process started, from the kernel's clock ticks (10 ms resolution)."""
    stat = Path("/proc/self/stat").read_text()
    started = int(stat.rsplit(")", 1)[1].split()[19])  # field 22, after the command's name
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    wall = uptime - started / os.sysconf("SC_CLK_TCK")
    if wall < 0:  # a /proc that does not keep the two clocks together
        raise ValueError(f"process started {-wall:.2f} s in the future")
    return wall


def process_cost() -> tuple[float, float]:
    """(wall, CPU) seconds of this process so far, its child processes' CPU included.

    Children are counted whether they have exited (reaped) or are still alive, such as the
    worker pool joblib keeps for `compute.n_jobs` other than 1. A stage run warm (`warm.py`)
    adds what its caller spent, and the first one the server's own imports: the same
    process's cost as a cold start, counted from when the caller started.
    """
    import psutil

    me = psutil.Process()
    times = me.cpu_times()
    cpu = times.user + times.system
    # Exited children, where the platform reports them (Windows does not).
    cpu += getattr(times, "children_user", 0.0) + getattr(times, "children_system", 0.0)
    for child in me.children(recursive=True):
        try:
            spent = child.cpu_times()
        except psutil.Error:  # gone between the listing and the reading: counted as reaped
            continue
        cpu += spent.user + spent.system
    try:
        wall = wall_on_linux()
    except (OSError, ValueError, IndexError):  # not Linux: the creation time psutil knows
        wall = time.time() - me.create_time()
    caller = os.environ.get("THRIFTY_WARM_CALLER", "").split()
    if len(caller) == 3 and caller[0] == str(os.getpid()):
        wall = time.time() - float(caller[1])
        cpu += float(caller[2])
    return wall, cpu


def stage_cost(stage: str):
    """This process's receipt as a `StageCost` record, measured now."""
    from .records import StageCost

    wall, cpu = process_cost()
    model = min(_model_cpu, cpu)
    return StageCost(
        stage=stage,
        finished_utc=datetime.now(UTC).isoformat(timespec="milliseconds"),
        wall_seconds=round(wall, 3),
        cpu_seconds=round(cpu, 3),
        model_cpu_seconds=round(model, 3),
        other_cpu_seconds=round(cpu - model, 3),
    )


def write_receipt(root: Path, stage: str) -> None:
    """Write reports/stages/<stage>.json: what running `stage` has cost, measured now."""
    if stage == SUMMING_STAGE:
        return
    from .paths import Paths
    from .records import write_record

    write_record(stage_cost(stage), Paths(root).stage_receipt(stage))
