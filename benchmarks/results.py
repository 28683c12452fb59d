"""The thrift benchmark's table: RESULTS.md from the per-dataset result files."""

from __future__ import annotations

import json
import math
import platform
from datetime import UTC, datetime
from pathlib import Path


def report(paths: list[Path], budgets: tuple[int, ...]) -> str:
    """RESULTS.md: one row per dataset, the geometric mean of R, the machine and the date."""
    rows = [json.loads(path.read_text()) for path in paths]
    lines = [
        "# Thrift benchmark results",
        "",
        f"Machine: {platform.machine()}, {platform.processor() or 'unknown CPU'}, "
        f"Python {platform.python_version()}, n_jobs=1, one BLAS thread. "
        f"Date: {datetime.now(UTC):%Y-%m-%d}. Regenerate: `make bench`.",
        "",
        "T = the grid's referee CV score − max(0.005, 1 SE); ours runs with done.yaml's target "
        "set to T. R = CPU(grid) / CPU(ours to first reach T). Scores are the referee's "
        "repeated CV (another seed) and the held-out split. Beats dummy: the referee's CV of "
        "our pick exceeds the dummy's by more than one corrected SE. Ours CPU is the median "
        "of its runs; grid and FLAML ran once each.",
        "",
        "| dataset | metric | dummy | grid CV / test | grid CPU s | ours pick | ours CV / test "
        "| ours CPU s (runs) | reaches T | beats dummy | R | "
        + " | ".join(f"FLAML {b}s CV (CPU s)" for b in budgets)
        + " |",
        "|" + "---|" * (11 + len(budgets)),
    ]
    ratios = []
    for r in rows:
        target = r.get("T", r["grid"]["cv"] - max(0.005, r["grid"]["se"]))
        beats = r["ours"]["cv"] - r["dummy"]["cv"] > r["ours"]["se"]
        ratio = r["grid_cpu"] / r["ours_cpu"]
        ratios.append(ratio)
        flaml = " | ".join(
            f"{r[f'flaml_{b}']['cv']:.4f} ({r[f'flaml_{b}_cpu']:.1f})" for b in budgets
        )
        lines.append(
            f"| {r['dataset']} | {r['metric']} | {r['dummy']['cv']:.4f} "
            f"| {r['grid']['cv']:.4f} / {r['grid']['test']:.4f} | {r['grid_cpu']:.1f} "
            f"| {r['ours_pick']} | {r['ours']['cv']:.4f} / {r['ours']['test']:.4f} "
            f"| {r['ours_cpu']:.1f} ({len(r.get('ours_cpu_runs', [1]))}) "
            f"| {'yes' if r['ours']['cv'] >= target else 'no'} "
            f"| {'yes' if beats else 'NO'} | {ratio:.1f} | {flaml} |"
        )
    if ratios:
        geo = math.exp(sum(math.log(x) for x in ratios) / len(ratios))
        lines += ["", f"Geometric-mean R over {len(ratios)} datasets: **{geo:.1f}**."]
    return "\n".join(lines) + "\n"
