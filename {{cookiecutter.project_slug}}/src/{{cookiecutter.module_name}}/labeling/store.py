"""The append-only label logs: labeling/labels/<annotator>.jsonl, one JSON event per line.

Nothing here rewrites a log. Each event is appended in a single write, flushed and fsynced
before the labeler shows the next item, so a killed session keeps every acknowledged label.
Undo appends a retraction that names the event it takes back. A torn last line (a crash in the
middle of a write) is reported and skipped by readers, and the next append starts on a fresh
line, so the fragment never corrupts the event after it.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..core.paths import Paths, listed
from ..core.settings import ThriftyError

log = logging.getLogger(__name__)

ACTIONS = ("label", "skip", "flag", "retract")
ANNOTATOR = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
REPORTED: set[tuple[Path, int, str]] = set()


def log_path(root: Path, annotator: str) -> Path:
    """The annotator's own log; the name must be safe as a file name."""
    if not ANNOTATOR.fullmatch(annotator or ""):
        raise ThriftyError(
            f"--annotator {annotator!r}: use 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return Paths(root).labels / f"{annotator}.jsonl"


def now() -> str:
    """UTC time with milliseconds, ISO 8601, the same width for every event."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_event(item: str, action: str, annotator: str, **fields: Any) -> dict[str, Any]:
    """One event: what happened to which item, by whom, when; extra fields as given."""
    if action not in ACTIONS:
        raise ValueError(f"action {action!r} is not one of {', '.join(ACTIONS)}")
    return {
        "event": uuid.uuid4().hex,
        "item": str(item),
        "action": action,
        "annotator": annotator,
        "time": now(),
        **fields,
    }


def append(path: Path, events: Iterable[dict[str, Any]]) -> None:
    """Append events as JSON lines in one write, then flush and fsync before returning."""
    data = "".join(json.dumps(event, ensure_ascii=False) + "\n" for event in events)
    if not data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        size = os.fstat(descriptor).st_size
        if size and os.pread(descriptor, 1, size - 1) != b"\n":
            data = "\n" + data  # a torn tail: start on a fresh line, leave the fragment alone
        os.write(descriptor, data.encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read_log(path: Path) -> list[dict[str, Any]]:
    """Every readable event of one log, in order; unreadable lines are reported and skipped."""
    if not path.is_file():
        return []
    events = []
    lines = path.read_bytes().split(b"\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            event = json.loads(line.decode("utf-8"))
            if not isinstance(event, dict) or event.get("action") not in ACTIONS:
                raise ValueError("not an event")
            event["item"] = str(event["item"])
        except (ValueError, KeyError):
            where = "torn last line" if number == len(lines) else "unreadable line"
            if (path, number, where) not in REPORTED:  # once per process, not once per read
                REPORTED.add((path, number, where))
                log.warning("%s: %s %d skipped (%d bytes)", path, where, number, len(line))
            continue
        events.append(event)
    return events


def read_all(root: Path) -> list[dict[str, Any]]:
    """Every annotator's events, log by log in name order."""
    folder = Paths(root).labels
    return [event for path in listed(folder, "*.jsonl") for event in read_log(path)]


def effective(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events that still stand: retractions and the events they retract are removed."""
    events = list(events)
    retracted = {event.get("retracts") for event in events if event["action"] == "retract"}
    return [
        event
        for event in events
        if event["action"] != "retract" and event.get("event") not in retracted
    ]


def standing_answers(events: Iterable[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """The standing answer of each annotator on each item: their latest effective event."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for event in effective(events):
        latest[(event["item"], event["annotator"])] = event
    return latest


def answered_by(
    events: Iterable[dict[str, Any]], action: str | None = None
) -> dict[str, set[str]]:
    """Who has a standing answer on each item (of one `action` only, when given)."""
    who: dict[str, set[str]] = {}
    for (item, annotator), event in standing_answers(events).items():
        if action is None or event["action"] == action:
            who.setdefault(item, set()).add(annotator)
    return who


@contextmanager
def session_lock(root: Path, annotator: str) -> Iterator[None]:
    """One session per annotator: a second one fails at once instead of interleaving logs.

    The lock is an OS lock on a git-ignored file, released by the kernel when the process
    ends, however it ends, so a killed session never leaves a stale lock behind.
    """
    path = log_path(root, annotator).with_suffix(".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ThriftyError(
                f"--annotator {annotator}: another labeling session of {annotator} is open "
                f"({path.relative_to(root)} is locked); finish it first"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
