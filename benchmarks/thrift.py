"""The thrift benchmark: our baseline-first selection against an exhaustive grid and FLAML.

Every arm runs with n_jobs=1 and one BLAS thread, CPU measured with `time.process_time`, on
the same preprocessing (the baked project's own feature pipeline). Our arm is the generated
project's selection code itself, imported from a fresh bake, never a copy of it. The oracle
arm is the grid's winner alone, cross-validated once and fitted once: what selection costs when
the answer is known beforehand, the floor under every arm.

    python benchmarks/thrift.py [DATASET ...]     # measure, one JSON file per dataset
    python benchmarks/thrift.py --reuse [DATASET ...]  # keep the grid, rerun every other arm
    python benchmarks/thrift.py --only-ours [DATASET ...]  # keep the grid, oracle and FLAML
    python benchmarks/thrift.py --keep-flaml [DATASET ...]  # rerun every arm but FLAML
    python benchmarks/thrift.py --report          # write benchmarks/RESULTS.md from them
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import math
import shutil
import sys
from pathlib import Path

from sklearn.model_selection import train_test_split

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bakes  # noqa: E402
from arms import oracle, ours, referee, spendthrift  # noqa: E402
from cpu import measured, median  # noqa: E402
from flaml_arm import flaml_arm  # noqa: E402
from results import report  # noqa: E402
from suites import DATASETS  # noqa: E402

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
PROTOCOL = "ours asked to reach T, with the grid's CPU as budget; oracle; FLAML to T"
log = logging.getLogger("thrift")


# The package's modules the arms call, by the names used here.
MODULES = {
    "config": "core.config",
    "task": "core.task",
    "ladder": "modeling.ladder",
    "search": "modeling.search",
    "pick": "modeling.pick",
    "sample": "sample",
    "baselines": "baselines",
    "race": "modeling.race",
    "corpus": "text.corpus",
    "kept": "text.kept",
}
TEXT_ONLY = ("corpus", "kept")


BAKED: set[str] = set()


def bake(task: str, kind: str):
    """Bake a project with the real cookiecutter (once per task and kind and run) and import it.

    Each run bakes afresh from the checkout as it is, so no bake from older code is measured.
    """
    name = f"bench-{task}-{kind}"
    folder = WORK / "bakes" / name
    root = folder / "out" / name
    if name not in BAKED:
        shutil.rmtree(folder, ignore_errors=True)
        root = bakes.bake(folder, task, kind, name)
        BAKED.add(name)
        sys.path.insert(0, str(root / "src"))
    package = name.replace("-", "_")
    loaded = {
        short: importlib.import_module(f"{package}.{module}")
        for short, module in MODULES.items()
        if kind == "text" or short not in TEXT_ONLY
    }
    return loaded, loaded["config"].load_params(root), loaded["config"].load_done(root), root


def cold(m) -> None:
    """Start a measured run as a stage's process starts: with no document analysed yet. What
    the text features keep (`text/kept.py`) lives for the process, so an earlier arm's or run's
    cuts would otherwise make this one's fits cheaper than a user's."""
    if "kept" in m:
        m["kept"].KEPT.clear()


def load(name: str, m, params):
    """The dataset's frame, and the params that read it: a text set's label is `target` too."""
    _, kind, loader = DATASETS[name]
    if kind == "text":  # the text bake's label is its demo corpus's `topic`
        data = params.data.model_copy(update={"target": "target"})
        params = params.model_copy(update={"data": data})
    if loader is not None:
        return loader(), params
    frame = m["corpus"].make_corpus(params.demo.rows, params.demo.seed)
    return frame[["text", "topic"]].rename(columns={"topic": "target"}), params


def run(name: str, reuse: dict | None = None, runs: int = 3, keep: tuple[str, ...] = ()) -> dict:
    """Every arm on one dataset; the arms in `keep` ("grid", "oracle", "flaml") take their
    figures from `reuse`, an earlier run's result, instead of running again.

    Ours, the oracle and FLAML's first budget to reach T run `runs` times, for median CPU; the
    grid, and FLAML at each budget for its final model, once.
    """
    task, kind, _ = DATASETS[name]
    m, params, done, root = bake(task, kind)
    frame, params = load(name, m, params)
    stratify = frame["target"] if task == "classification" else None
    train, test = train_test_split(frame, test_size=0.2, random_state=42, stratify=stratify)
    train, test = train.reset_index(drop=True), test.reset_index(drop=True)
    X, y = m["ladder"].split_xy(train, params.data)
    X_test, y_test = m["ladder"].split_xy(test, params.data)
    judge = lambda model: referee(model, X, y, X_test, y_test, done.metric, task)  # noqa: E731
    row = {"dataset": name, "task": task, "rows": len(frame), "metric": done.metric}
    dummy = m["ladder"].build_candidate(
        next(iter(params.ladder.values())), params.data, params.features
    )
    row["dummy"] = judge(dummy.fit(X, y))
    kept = {key: value for key, value in (reuse or {}).items() if key.startswith(keep)}
    if "grid" in keep:
        if "grid_winner" not in kept:
            sys.exit(f"{name}: the stored result names no grid winner; rerun it without --reuse")
        row |= {key: value for key, value in kept.items() if key.startswith("grid")}
    else:
        log.info("%s: the grid", name)
        cold(m)
        (grid, row["grid_winner"]), row["grid_cpu"] = measured(spendthrift, m, params, done, X, y)
        row["grid"] = judge(grid)
    row["T"] = row["grid"]["cv"] - max(0.005, row["grid"]["se"])
    if "oracle" in keep:
        row |= {key: value for key, value in kept.items() if key.startswith("oracle")}
    else:
        log.info("%s: the oracle (%s), T = %.4f", name, row["grid_winner"]["rung"], row["T"])
        cpus = []
        for _ in range(runs):
            cold(m)
            (model, row["oracle_own_cv"]), cpu = measured(
                oracle, m, params, done, X, y, row["grid_winner"]
            )
            cpus.append(cpu)
        row["oracle"], row["oracle_cpu_runs"] = judge(model), cpus
        row["oracle_cpu"] = median(cpus)
    if "flaml" in keep:  # FLAML's clock starts after the features are fitted, once
        if not math.isclose(row["T"], reuse["T"], abs_tol=1e-9):
            sys.exit(f"{name}: T moved ({reuse['T']:.6f} -> {row['T']:.6f}); rerun FLAML too")
        row |= {key: value for key, value in kept.items() if key.startswith("flaml")}
    else:
        log.info("%s: FLAML", name)
        row |= flaml_arm(m, params, done, X, y, task, kind, judge, row["T"], runs)
    # Ours is asked to reach T, as a user would write it in done.yaml: its CPU is the CPU it
    # needs to first reach T (tuning stops there), not the CPU of chasing the grid's best. Its
    # budget is what the grid spent: the default 60 s would forbid tuning on 40,000 rows.
    budget = max(done.budget_cpu_seconds, row["grid_cpu"])
    asked = done.model_copy(
        update={
            "target": row["T"],
            "floor": min(done.floor, row["T"]),
            "budget_cpu_seconds": budget,
        }
    )
    log.info("%s: ours", name)
    cpus, picks = [], []
    for _ in range(runs):
        cold(m)
        (model, pick), cpu = measured(ours, m, params, asked, train)
        cpus.append(cpu)
        picks.append(pick)
    if len(set(picks)) > 1:
        log.warning("%s: ours picked %s in its runs; the last is judged", name, picks)
    row["ours_pick"], row["ours"] = pick, judge(model)
    row["ours_cpu_runs"], row["ours_cpu"] = cpus, median(cpus)
    row["protocol"] = PROTOCOL
    return row


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("datasets", nargs="*", choices=[*DATASETS, []], default=[])
    cli.add_argument("--report", action="store_true", help="write RESULTS.md from the results")
    cli.add_argument(
        "--reuse", action="store_true", help="keep the grid's figures, rerun every other arm"
    )
    cli.add_argument(
        "--only-ours",
        action="store_true",
        help="keep the grid's, the oracle's and FLAML's figures, rerun ours",
    )
    cli.add_argument(
        "--keep-flaml",
        action="store_true",
        help="keep FLAML's figures (its features are fitted once, before its clock starts), "
        "rerun the grid, the oracle and ours: after a change to how features are fitted",
    )
    cli.add_argument(
        "--runs", type=int, default=3, help="runs of ours, the oracle and FLAML to T (median)"
    )
    args = cli.parse_args()
    logging.basicConfig(format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    log.setLevel(logging.INFO)
    if not args.report:
        (WORK / "results").mkdir(parents=True, exist_ok=True)
        for name in args.datasets or DATASETS:
            path = WORK / "results" / f"{name}.json"
            keep = (
                ("grid", "oracle", "flaml")
                if args.only_ours
                else ("grid",)
                if args.reuse
                else ("flaml",)
                if args.keep_flaml
                else ()
            )
            reuse = json.loads(path.read_text()) if keep and path.is_file() else None
            if keep and reuse is None:
                sys.exit(f"{name}: no stored result to keep arms of; run it in full")
            row = run(name, reuse, args.runs, keep)
            path.write_text(json.dumps(row, indent=2))
            print(json.dumps(row), flush=True)
    text = report(sorted((WORK / "results").glob("*.json")))
    (HERE / "RESULTS.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
