"""The report stage: reports/report.html, one page a person opens, offline, to see the run."""

from __future__ import annotations

import logging
from pathlib import Path

from .bundles.bundle import METADATA
from .core.console import run_stage
from .core.files import read_json, read_table, write_atomic
from .core.paths import Paths
from .core.records import Cost, Metrics, Verdict, read_record
from .reporting.page import render_report

log = logging.getLogger(__name__)


def main(root: Path) -> None:
    paths = Paths(root)
    page = render_report(
        read_record(paths.done, Verdict).model_dump(),
        read_record(paths.cost, Cost).model_dump(),
        read_table(paths.leaderboard),
        read_table(paths.tuning),
        read_record(paths.metrics, Metrics).model_dump(),
        read_json(paths.bundle / METADATA),
        sorted((paths.bundle / "plots").glob("*.png")),
    )
    write_atomic(paths.report, lambda tmp: tmp.write_text(page, encoding="utf-8"))
    log.info("wrote %s", paths.report.relative_to(root))


if __name__ == "__main__":
    run_stage(main)
