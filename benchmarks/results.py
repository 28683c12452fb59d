"""The thrift benchmark's report: RESULTS.md from the per-dataset result files.

One table of CPU, one of scores, and a line per goal saying whether it is met and where not.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path

from measure import machine

TARGET_R = 30  # the goal for the geometric mean of R
ORACLE_TIMES = 5  # ours should cost at most this many oracles
LEGEND = (
    "T = the grid's referee CV score − max(0.005, 1 SE); ours runs with done.yaml's target set "
    "to T and the grid's CPU as budget. CPU is `process_time` with n_jobs=1 and one BLAS "
    "thread. R = CPU(grid) / CPU(ours to first reach T). The oracle is the grid's winner alone, "
    "cross-validated once on the grid's folds and fitted once: the floor under any selection. "
    "FLAML to T: the CPU until the first of FLAML's improving trials whose own validation score "
    "reaches T and whose configuration the referee puts at T too (a trial it puts below is "
    "passed over), plus one fit of it on all rows; counted from per-trial `process_time` stamps, "
    "in the first of its budgets to reach T. Scores are the referee's repeated CV (another "
    "seed) and the held-out split; ✓ reaches T, ✗ does not. Ours, the oracle and FLAML to T "
    "are medians of their runs (count in brackets); the grid ran once, FLAML once per budget."
)


def report(paths: list[Path]) -> str:
    """RESULTS.md: the CPU and score tables, the geometric mean of R, the goals, the machine."""
    rows = [json.loads(path.read_text()) for path in paths]
    budgets = sorted({int(k.split("_")[1]) for r in rows for k in r if is_budget(k)})
    lines = [
        "# Thrift benchmark results",
        "",
        f"Machine: {machine()}, n_jobs=1, one BLAS thread. "
        f"Date: {datetime.now(UTC):%Y-%m-%d}. Regenerate: `make bench`.",
        "",
        LEGEND,
        "",
        "## CPU seconds",
        "",
        "| dataset | rows | grid | oracle | ours | FLAML to T | R = grid / ours "
        "| ours / FLAML to T | ours / oracle |",
        "|" + "---|" * 9,
    ]
    for r in rows:
        flaml = r.get("flaml_to_T_cpu")
        versus = "FLAML never" if flaml is None else f"{r['ours_cpu'] / flaml:.2f}"
        lines.append(
            f"| {r['dataset']} | {r['rows']:,} | {seconds(r['grid_cpu'])} | {runs(r, 'oracle')} "
            f"| {runs(r, 'ours')} | {flaml_to_target(r)} | {ratio(r):.1f} | {versus} "
            f"| {r['ours_cpu'] / r['oracle_cpu']:.1f} |"
        )
    lines += [
        "",
        "## Scores: referee CV / held-out",
        "",
        "| dataset | metric | T | dummy | grid | oracle | ours (pick) | FLAML to T "
        + "".join(f"| FLAML {b} s (CPU s) " for b in budgets)
        + "|",
        "|" + "---|" * (8 + len(budgets)),
    ]
    for r in rows:
        finals = "".join(
            f"| {scores(r[f'flaml_{b}'], r['T'])} ({r[f'flaml_{b}_cpu']:.1f}) "
            if f"flaml_{b}" in r
            else "| — "
            for b in budgets
        )
        lines.append(
            f"| {r['dataset']} | {r['metric']} | {r['T']:.4f} | {r['dummy']['cv']:.4f} "
            f"| {scores(r['grid'], r['T'])} | {scores(r['oracle'], r['T'])} "
            f"| {scores(r['ours'], r['T'])} ({r['ours_pick']}) | {flaml_scores(r)} {finals}|"
        )
    return "\n".join(lines + ["", "## Goals", "", *goals(rows)]) + "\n"


def goals(rows: list[dict]) -> list[str]:
    """One line per goal: met, or not met and on which rows."""
    geo = math.exp(sum(math.log(ratio(r)) for r in rows) / len(rows)) if rows else math.nan
    below = [r["dataset"] for r in rows if ratio(r) < TARGET_R]
    checks = {
        "ours cheaper than FLAML to T on every row": lambda r: (
            reaches(r["ours"], r["T"])
            and (r.get("flaml_to_T_cpu") is None or r["ours_cpu"] < r["flaml_to_T_cpu"])
        ),
        f"ours within {ORACLE_TIMES}× the oracle's CPU on every row": lambda r: (
            r["ours_cpu"] <= ORACLE_TIMES * r["oracle_cpu"]
        ),
        "every pick beats the dummy beyond noise (referee CV above the dummy's by more than "
        "the pick's SE)": lambda r: r["ours"]["cv"] - r["dummy"]["cv"] > r["ours"]["se"],
        "ours' held-out score within max(0.005, the grid's referee SE) of the grid's": (
            lambda r: r["ours"]["test"] >= r["grid"]["test"] - max(0.005, r["grid"]["se"])
        ),
    }
    lines = [
        f"- Geometric-mean R ≥ {TARGET_R}: {'met' if geo >= TARGET_R else 'not met'} "
        f"({geo:.1f} over {len(rows)} dataset{'s' * (len(rows) != 1)}"
        + (f"; R < {TARGET_R} on {', '.join(below)})" if below else ")")
    ]
    for goal, check in checks.items():
        missed = [r["dataset"] for r in rows if not check(r)]
        lines.append(f"- {goal}: " + (f"not met on {', '.join(missed)}" if missed else "met"))
    return lines


def is_budget(key: str) -> bool:
    parts = key.split("_")
    return len(parts) == 2 and parts[0] == "flaml" and parts[1].isdigit()


def ratio(r: dict) -> float:
    return r["grid_cpu"] / r["ours_cpu"]


def reaches(scored: dict, target: float) -> bool:
    return scored["cv"] >= target


def scores(scored: dict, target: float) -> str:
    mark = "✓" if reaches(scored, target) else "✗"
    return f"{scored['cv']:.4f} / {scored['test']:.4f} {mark}"


def runs(r: dict, arm: str) -> str:
    """An arm's median CPU and, in brackets, how many runs it is the median of."""
    return f"{seconds(r[f'{arm}_cpu'])} ({len(r[f'{arm}_cpu_runs'])})"


def seconds(cpu: float) -> str:
    """CPU seconds to a tenth, and to two significant digits below one second."""
    return f"{cpu:.1f}" if cpu >= 1 else f"{cpu:.2g}"


def flaml_to_target(r: dict) -> str:
    """FLAML's median CPU to T, the budget whose runs it comes from, or why there is none."""
    reached, cpus = r.get("flaml_to_T"), r.get("flaml_to_T_cpu_runs", [])
    if reached is None:
        return "never"
    if r["flaml_to_T_cpu"] is None:
        missed = sum(cpu is None for cpu in cpus)
        return f"not in {missed} of {len(cpus)} {reached['budget']} s runs"
    return f"{runs(r, 'flaml_to_T')}, {reached['budget']} s runs"


def flaml_scores(r: dict) -> str:
    """The referee's scores of FLAML's first trial at T, its learner, and how many it refused."""
    reached, refused = r.get("flaml_to_T"), len(r.get("flaml_refused", []))
    if reached is None:
        return "never" + (f" ({refused} refused)" if refused else "")
    return f"{scores(reached, r['T'])} ({reached['learner']}" + (
        f"; {refused} refused)" if refused else ")"
    )
