"""What a person sees of a run: one logging setup, a user's error without a traceback, and
the stage's receipt (what its process cost) written when it succeeds.

Both ways of running a stage go through here: `python -m <module>.<stage>` (what dvc.yaml
runs) and the `<module> <stage>` command line.
"""

from __future__ import annotations

import gc
import importlib
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from .receipts import write_receipt
from .settings import ThriftyError, find_root

# Libraries whose INFO lines say nothing to the person running a stage (matplotlib's
# "generated new fontManager", Pillow's plugin loading); their warnings still show.
QUIET = ("matplotlib", "PIL")


class ConsoleHandler(logging.StreamHandler):
    """Log lines to stderr that never share a row with a progress bar.

    While a tqdm bar is on screen, a line goes through `tqdm.write`, which clears the bars,
    prints the line and draws them again below it; otherwise it is written as usual. tqdm is
    looked up, not imported: a stage without a bar never pays for it.
    """

    def emit(self, record: logging.LogRecord) -> None:
        tqdm = sys.modules.get("tqdm")
        if tqdm is None or not getattr(tqdm.tqdm, "_instances", None):
            super().emit(record)
            return
        try:
            tqdm.tqdm.write(self.format(record), file=self.stream)
        except Exception:  # logging's own contract: report the failure, never raise
            self.handleError(record)


def setup_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
        handlers=[ConsoleHandler(sys.stderr)],
    )
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose else logging.WARNING)


def report_error(error: ThriftyError) -> int:
    """Print a user's error as one message; the exit code for it."""
    print(f"error: {error}", file=sys.stderr)
    return 2


def run_stage(main: Callable[[Path], int | None]) -> None:
    """Run a stage's `main` on the project around the working directory, then exit.

    On success, the stage's last act is its receipt, reports/stages/<stage>.json.
    """
    spec = getattr(sys.modules.get(main.__module__), "__spec__", None)
    if main.__module__ == "__main__" and spec is not None:
        # `python -m pkg.stage` runs the file as __main__: use the module under its own name,
        # so its log lines say which stage wrote them.
        main = importlib.import_module(spec.name).main
    setup_logging()
    try:
        root = find_root()
        code = run_recorded(root, main.__module__.rsplit(".", 1)[-1], lambda: main(root))
    except ThriftyError as error:
        code = report_error(error)
    exit_quickly(code)


def run_recorded(root: Path, stage: str, work: Callable[[], int | None]) -> int:
    """Run a stage's `work`; on success, its last act is its receipt. The exit code."""
    code = work() or 0
    if code == 0:
        write_receipt(root, stage)
    return code


def exit_quickly(code: int) -> None:
    """Exit with `code`, skipping the garbage collector's last passes over every object.

    A process that imported scikit-learn, SciPy and pandas holds millions of objects, and the
    collections Python runs while it shuts down took 0.2-0.7 s per stage (more than some
    stages' work). Frozen objects are left out of them; everything else about exiting (atexit
    handlers, flushing and closing files) happens as usual.
    """
    gc.freeze()
    sys.exit(code)
