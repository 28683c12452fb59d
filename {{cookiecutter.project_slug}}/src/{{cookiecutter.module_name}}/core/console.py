"""What a person sees of a run: one logging setup, and a user's error without a traceback.

Both ways of running a stage go through here: `python -m <module>.<stage>` (what dvc.yaml
runs) and the `<module> <stage>` command line.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from .settings import ThriftyError, find_root


def setup_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )


def report_error(error: ThriftyError) -> int:
    """Print a user's error as one message; the exit code for it."""
    print(f"error: {error}", file=sys.stderr)
    return 2


def run_stage(main: Callable[[Path], int | None]) -> None:
    """Run a stage's `main` on the project around the working directory, then exit."""
    spec = getattr(sys.modules.get(main.__module__), "__spec__", None)
    if main.__module__ == "__main__" and spec is not None:
        # `python -m pkg.stage` runs the file as __main__: use the module under its own name,
        # so its log lines say which stage wrote them.
        main = importlib.import_module(spec.name).main
    setup_logging()
    try:
        code = main(find_root()) or 0
    except ThriftyError as error:
        code = report_error(error)
    sys.exit(code)
