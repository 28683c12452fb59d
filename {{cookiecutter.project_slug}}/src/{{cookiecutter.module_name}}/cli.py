"""The command line: one sub-command per pipeline stage, plus `done --check` and `predict`.

Stages are imported only when their sub-command runs, so `--help` answers at once.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from pathlib import Path

from .config import ThriftyError, find_root

STAGES = {
    "demo": "write the embedded demo data to data/raw/demo.csv",
    "prepare": "validate the raw file and split off the held-out test set",
    "sample": "draw the seeded sample the ladder is compared on",
    "baselines": "cross-validate every rung of the ladder -> reports/leaderboard.csv",
    "tune": "successive halving over the kept rungs on all training rows -> artifacts/tuned",
    "evaluate": "score on the test set, publish the bundle -> artifacts/model, metrics.json",
    "done": "compare with done.yaml -> reports/done.json (--check: exit 0 only on done)",
    "report": "write the self-contained page reports/report.html",
}


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog="{{ cookiecutter.module_name }}",
        description="Run the thrifty pipeline's stages (dvc repro runs them all, in order).",
    )
    cli.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    commands = cli.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, text in STAGES.items():
        stage = commands.add_parser(name, help=text, description=text)
        if name == "done":
            stage.add_argument("--check", action="store_true", help="exit 1 unless done")
    predict = commands.add_parser("predict", help="verify a bundle, then predict a file")
    predict.add_argument("--bundle", type=Path, default=Path("artifacts/model"))
    predict.add_argument("--input", type=Path, required=True, help="CSV or Parquet file")
    predict.add_argument("--output", type=Path, required=True, help="CSV or Parquet file")
    predict.add_argument(
        "--registry", type=Path, help="registry.json to check against (default: beside DIR)"
    )
    predict.add_argument(
        "--allow-version-mismatch",
        action="store_true",
        help="load a bundle saved with another scikit-learn version",
    )
    return cli


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        module = importlib.import_module(f".{args.command}", __package__)
        if args.command == "predict":
            module.main(
                args.bundle, args.input, args.output, args.registry, args.allow_version_mismatch
            )
            return 0
        root = find_root()
        if args.command == "done":
            return module.main(root, check=args.check)
        return module.main(root) or 0
    except ThriftyError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
