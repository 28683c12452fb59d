"""The command line: one sub-command per pipeline stage, `done --check`, `predict` and labeling.

Stages are imported only when their sub-command runs, so `--help` answers at once.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from .core.console import exit_quickly, report_error, run_recorded, setup_logging
from .core.settings import ThriftyError, find_root

STAGES = {
    "demo": "write the embedded demo data to data/raw/demo.csv (and a pool to label)",
    "labels": "consolidate the label logs -> data/labeled, reports/labeling.json",
    "prepare": "validate the raw file and split off the held-out test set",
    "sample": "draw the seeded sample the ladder is compared on",
    "baselines": "cross-validate every rung of the ladder -> reports/leaderboard.csv",
    "tune": "successive halving over the kept rungs on all training rows -> artifacts/tuned",
    "evaluate": "score on the test set, publish the bundle -> artifacts/model, metrics.json",
    "done": "compare with done.yaml -> reports/done.json (--check: exit 0 only on done; "
    "--summary: Markdown of the last run)",
    "report": "write the self-contained page reports/report.html",
    "queue": "order the pool by the model's uncertainty -> labeling/queue.jsonl",
}

MODULES = {
    "use-data": ".use_data",
    "label": ".labeling.session",
    "import-labels": ".labeling.importers",
    "export-labels": ".labels",
    "release": ".release",
    "fetch": ".release",
}


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(
        prog=__package__,
        description="Run the thrifty pipeline's stages (dvc repro runs them all, in order).",
    )
    cli.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    commands = cli.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, text in STAGES.items():
        stage = commands.add_parser(name, help=text, description=text)
        if name == "done":
            stage.add_argument("--check", action="store_true", help="exit 1 unless done")
            stage.add_argument(
                "--summary",
                action="store_true",
                help="print the last run's verdict and leaderboard as Markdown (CI job pages)",
            )
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
    predict.add_argument(
        "--keep",
        nargs="+",
        default=[],
        metavar="COL",
        help="input columns (ids) to copy into the output beside the predictions",
    )
    use = commands.add_parser(
        "use-data",
        help="switch from the demo to your own CSV or Parquet file (all or nothing)",
        description="Check FILE, track it with DVC, point params.yaml at it, drop the demo "
        "stage, and write the labeling schema from its target. Rows with a blank target "
        "become the pool the labeler serves.",
    )
    use.add_argument("file", type=Path, help="a CSV or Parquet file inside the project")
    use.add_argument("--target", required=True, metavar="COL", help="the label column")
    use.add_argument("--text", nargs="+", default=[], metavar="COL", help="the text column(s)")
    use.add_argument(
        "--drop", nargs="+", default=[], metavar="COL", help="columns never used as features"
    )
    label = commands.add_parser("label", help="the command-line labeler (line-based, resumable)")
    label.add_argument("--annotator", required=True, help="your name: one log file per annotator")
    label.add_argument("--n", type=int, help="stop after this many answers")
    label.add_argument("--test", action="store_true", help="label the test pool, in random order")
    imports = commands.add_parser(
        "import-labels", help="add a Label Studio (JSON/CSV) or doccano (JSONL) export to the logs"
    )
    imports.add_argument("file", type=Path)
    imports.add_argument("--annotator", help="whose labels these are (else read from the export)")
    export = commands.add_parser("export-labels", help="write the consolidated labels as CSV")
    export.add_argument("file", type=Path)
    release = commands.add_parser(
        "release",
        help="tag the bundle as model@vVERSION (GTO) once done --check passes",
        description="Tag the current model bundle as a version, in GTO's model@vX.Y.Z form, "
        "after checking that the verdict is done and the pipeline is up to date and committed; "
        "pushes the bundle to the DVC remote first.",
    )
    release.add_argument("version", metavar="VERSION", help="MAJOR.MINOR.PATCH, e.g. 0.2.0")
    fetch = commands.add_parser(
        "fetch", help="get a released bundle back (dvc artifacts get) and verify it"
    )
    fetch.add_argument("version", metavar="VERSION", help="a released version, e.g. 0.1.0")
    fetch.add_argument(
        "--out", type=Path, required=True, help="new folder: gets model/ and registry.json"
    )
    return cli


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    setup_logging(args.verbose)
    try:
        name = MODULES.get(args.command, f".{args.command}")
        module = importlib.import_module(name, __package__)
        if args.command == "predict":
            module.main(
                args.bundle,
                args.input,
                args.output,
                args.registry,
                args.allow_version_mismatch,
                args.keep,
            )
            return 0
        root = find_root()
        if args.command == "use-data":
            return module.main(root, args.file, args.target, args.text, args.drop)
        if args.command == "label":
            return module.main(root, args.annotator, args.n, args.test)
        if args.command == "import-labels":
            for who, n in module.import_labels(root, args.file, args.annotator).items():
                print(
                    f"{who}: {n['imported']} imported, {n['unchanged']} already there, "
                    f"{n['skipped']} skipped"
                )
            return 0
        if args.command == "export-labels":
            return module.export(root, args.file)
        if args.command == "release":
            module.release(root, args.version)
            return 0
        if args.command == "fetch":
            module.fetch(root, args.version, args.out)
            return 0
        if args.command == "done" and args.summary:
            from .reporting.summary import print_summary

            return print_summary(root)
        if args.command == "done" and args.check:
            return module.main(root, check=True)
        return run_recorded(root, args.command, lambda: module.main(root))
    except ThriftyError as error:
        return report_error(error)
    except BrokenPipeError:
        # The reader went away (`label … | head`): stop quietly, as other command-line tools do.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (Python's own advice for SIGPIPE)
        return 0


def run() -> None:
    """The installed command (see pyproject.toml): `main` on the command line, then exit."""
    exit_quickly(main())


if __name__ == "__main__":
    run()
