"""The command-line labeler: `label --annotator NAME [--n N] [--test]`.

Line-based on purpose: it reads one line per answer, so it works in any terminal, over ssh and
through a pipe. Every answer is appended to the annotator's log and fsynced before the next
item appears; what is done is recomputed from the logs, so a rerun resumes where the last
session stopped, and undo is an appended retraction.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd

from ..core.config import load_params
from ..core.paths import Paths
from ..core.settings import ThriftyError
from . import answers
from .pool import load_pool, read_queue
from .schema import Schema, in_test_pool, load_schema
from .screen import columns, fit, header, render, screen_width
from .store import (
    answered_by,
    append,
    effective,
    log_path,
    new_event,
    read_all,
    read_log,
    session_lock,
)

ACTIONS = {"s": "skip", "f": "flag"}


@dataclass
class Session:
    """What one labeling session needs: the pool, the queue, the logs, and its own tally."""

    root: Path
    annotator: str
    schema: Schema
    pool: pd.DataFrame
    queue: list[dict[str, Any]]
    guidelines: str
    out: TextIO
    tally: dict[str, int] = field(default_factory=lambda: {"label": 0, "skip": 0, "flag": 0})

    @property
    def log(self) -> Path:
        return log_path(self.root, self.annotator)

    def servable(self) -> list[dict[str, Any]]:
        """Queue entries this annotator should answer now, given every annotator's log."""
        answered = answered_by(read_all(self.root))
        return [
            entry
            for entry in self.queue
            if self.annotator not in (who := answered.get(entry["item"], set()))
            and (entry.get("need", 1) == 0 or len(who) < entry.get("need", 1))
        ]

    def entries(self, pending: str | None) -> list[dict[str, Any]]:
        """What is left to serve, in order; an undone item comes first until it is answered."""
        entries = self.servable()
        if pending not in self.pool.index:
            return entries
        again = next((e for e in self.queue if e["item"] == pending), None)
        rest = [entry for entry in entries if entry["item"] != pending]
        return [again or {"item": pending, "why": "undo", "need": 1}, *rest]

    def show(self, entry: dict[str, Any], left: int) -> None:
        """The header, the item and what each key means: all an answer needs, on one screen."""
        width = screen_width()
        print(file=self.out)
        print(fit(header(entry, left, self.tally, self.schema), width), file=self.out)
        print(render(self.pool.loc[entry["item"]], self.schema, width), file=self.out)
        legend = answers.legend(self.schema)
        if legend:
            print(fit(columns(legend), width), file=self.out)

    def prompt(self) -> str:
        return f"[{answers.keys(self.schema)}]  s skip  f flag  u undo  ? guidelines  q quit > "

    def undo(self) -> str | None:
        """Retract this annotator's latest standing answer; return its item, to show it again."""
        mine = effective(read_log(self.log))  # only this annotator's own log
        if not mine:
            print("nothing to undo", file=self.out)
            return None
        last = mine[-1]
        append(
            self.log,
            [
                new_event(
                    last["item"], "retract", self.annotator, retracts=last["event"], source="cli"
                )
            ],
        )
        self.tally[last["action"]] = max(0, self.tally.get(last["action"], 0) - 1)
        print(f"undone: {last['action']} of item {last['item']}", file=self.out)
        return last["item"]


def parse(line: str, schema: Schema) -> tuple[str, Any] | None:
    """One line of input as (action, label); None when it is not an allowed answer."""
    text = line.strip()
    if text.lower() in ACTIONS:
        return ACTIONS[text.lower()], None
    if text.lower() in {"u", "?", "q"}:
        return text.lower(), None
    label = answers.parse_label(text, schema)
    return None if label is None else ("label", label)


def test_queue(pool: pd.DataFrame, schema: Schema) -> list[dict[str, Any]]:
    """The test pool in seeded random order: never by uncertainty, so it stays unbiased."""
    items = [item for item in pool.index if in_test_pool(schema, item)]
    order = np.random.default_rng(schema.seed).permutation(len(items))
    return [{"item": items[i], "why": "test", "score": None, "need": 1} for i in order]


def open_session(root: Path, annotator: str, test: bool, out: TextIO) -> Session:
    params = load_params(root)
    paths = Paths(root, params)
    schema = load_schema(root)
    pool = load_pool(paths.pool, schema, params.data.target)
    queue = test_queue(pool, schema) if test else read_queue(root, paths, schema, pool)
    guidelines = paths.guidelines.read_text(encoding="utf-8") if paths.guidelines.is_file() else ""
    return Session(root, annotator, schema, pool, queue, guidelines, out)


def run(root: Path, annotator: str, n: int | None, test: bool, stdin: TextIO, out: TextIO) -> int:
    """Serve items until the queue is empty, `n` answers are given, `q` or end of input."""
    if n is not None and n < 1:
        raise ThriftyError(f"--n {n}: give a positive number of items")
    log_path(root, annotator)  # checks the name before anything else happens
    session = open_session(root, annotator, test, out)
    with session_lock(root, annotator):
        pending: str | None = None  # an undone item: it comes straight back
        while n is None or sum(session.tally.values()) < n:
            entries = session.entries(pending)
            if not entries:
                nothing = (
                    "Nothing left in the queue for you: run `dvc repro` to retrain and refresh "
                    "it (or raise batch_size in labeling/schema.yaml)."
                )
                print(f"\n{fit([nothing], screen_width())}", file=out)
                break
            entry = entries[0]
            session.show(entry, len(entries))
            shown = time.monotonic()
            answer = ask(session, entry, len(entries), stdin)
            if answer is None or answer[0] == "q":
                break
            action, label = answer
            if action == "u":
                pending = session.undo()
                continue
            fields = {"label": label} if action == "label" else {}
            event = new_event(
                entry["item"],
                action,
                annotator,
                **fields,
                guidelines_version=session.schema.guidelines_version,
                model=entry.get("model"),
                queue_score=entry.get("score"),
                queue=entry.get("why"),
                seconds=round(time.monotonic() - shown, 3),
                source="cli",
            )
            append(session.log, [event])
            pending = None
            session.tally[action] += 1
            saved = f"saved: {action}" + (f" {label}" if action == "label" else "")
            print(saved, file=out, flush=True)  # the acknowledgement: the event is on disk
    t = session.tally
    summary = [
        f"This session: {t['label']} labelled, {t['skip']} skipped, {t['flag']} flagged.",
        f"Your log: {session.log.relative_to(root)}. Next: dvc repro",
    ]
    print(f"\n{fit(summary, screen_width())}", file=out)
    return 0


def ask(
    session: Session, entry: dict[str, Any], left: int, stdin: TextIO
) -> tuple[str, Any] | None:
    """Prompt until a valid answer; `?` shows the guidelines, then the item again; None at end
    of input."""
    while True:
        print(session.prompt(), end="", file=session.out, flush=True)
        line = stdin.readline()
        if not line:
            return None
        answer = parse(line, session.schema)
        if answer is None:
            text = line.strip()
            problem = answers.problem(text, session.schema) if text else "nothing typed"
            print(f"{problem}; nothing was saved.", file=session.out)
            continue
        if answer[0] == "?":
            guidelines = session.guidelines.rstrip() or "(labeling/guidelines.md is missing)"
            print(guidelines, file=session.out)
            session.show(entry, left)
            continue
        return answer


def main(root: Path, annotator: str, n: int | None = None, test: bool = False) -> int:
    return run(root, annotator, n, test, sys.stdin, sys.stdout)
