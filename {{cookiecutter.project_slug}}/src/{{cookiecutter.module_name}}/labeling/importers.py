"""Bring labels made in Label Studio or doccano into the project's own label logs.

Every record is read and checked before anything is written, so a bad record leaves every log as
it was; an import run twice adds nothing the second time. Imported events say where they came
from (`source`), and keep the export's own time and seconds spent where it has them.
"""

from __future__ import annotations

import re
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..core.config import load_params
from ..core.paths import Paths
from ..core.settings import ThriftyError
from . import answers, store
from .exports import Record, read_export, unwrap
from .pool import load_pool
from .schema import Schema, load_schema


def _annotator(record: Record, given: str | None) -> str:
    """--annotator if given, else the export's own, made safe as a log file name."""
    if given:
        return given
    name = str(record.annotator or "").strip().split("@")[0]
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", name).lstrip("._-")[:64]
    if not store.ANNOTATOR.fullmatch(name):
        raise ValueError("the export does not say who labeled it; pass --annotator NAME")
    return name


def _time(value: Any) -> str:
    """An export's timestamp as the logs write theirs: UTC, milliseconds, 'Z'."""
    try:
        moment = datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"created_at {value!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:  # both tools export UTC; a naive time is taken as UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def to_event(record: Record, schema: Schema, annotator: str | None) -> dict[str, Any] | None:
    """The label event of one record, None when it is to be skipped (cancelled, no label)."""
    raw = unwrap(record.label)
    if record.cancelled or raw is None:
        return None
    if record.item is None or str(record.item).strip() == "":
        raise ValueError(
            f"no {schema.id!r} field; import the pool into the tool with its id column "
            f"{schema.id!r} so labels can be matched to items"
        )
    label = answers.schema_label(raw, schema)
    if label is None:
        raise ValueError(
            f"label {raw!r} is not allowed; labeling/schema.yaml allows {answers.allowed(schema)}"
        )
    try:
        seconds = None if record.seconds in (None, "") else float(record.seconds)
    except ValueError:
        raise ValueError(f"lead_time {record.seconds!r} is not a number of seconds") from None
    event = store.new_event(
        str(record.item).strip(),
        "label",
        _annotator(record, annotator),
        label=label,
        guidelines_version=schema.guidelines_version,
        model=None,
        queue_score=None,
        queue="import",
        seconds=seconds,
        source=record.source,
    )
    if record.time not in (None, ""):
        event["time"] = _time(record.time)
    return event


def import_labels(root: Path, path: Path, annotator: str | None) -> dict[str, dict[str, int]]:
    """Append an export's labels to the annotators' logs: all of them, or none on any error.

    Returns:
        per annotator, how many labels were imported, were already standing (unchanged), and
        how many records were skipped (cancelled, or no label given).
    """
    schema = load_schema(root)
    if annotator:
        store.log_path(root, annotator)  # fails early on a name unfit for a file
    events: dict[str, list[dict[str, Any]]] = {}
    counts: dict[str, dict[str, int]] = {}
    seen: dict[tuple[str, str], tuple[str, Any]] = {}
    for record in read_export(path, schema):
        try:
            event = to_event(record, schema, annotator)
            who = event["annotator"] if event else _annotator(record, annotator)
        except ValueError as error:
            raise ThriftyError(f"{path.name}: {record.where}: {error}") from None
        count = counts.setdefault(who, {"imported": 0, "unchanged": 0, "skipped": 0})
        if event is None:
            count["skipped"] += 1
            continue
        earlier, label = seen.setdefault((event["item"], who), (record.where, event["label"]))
        if label != event["label"]:
            raise ThriftyError(
                f"{path.name}: {earlier} and {record.where} give item {event['item']} two labels "
                f"({label}, {event['label']}) by {who}; import one annotator's labels at a time"
            )
        events.setdefault(who, []).append(event)
    params = load_params(root)
    known = load_pool(Paths(root, params).pool, schema, params.data.target).index
    unknown = sorted({e["item"] for batch in events.values() for e in batch} - set(known))
    if unknown:
        raise ThriftyError(
            f"{path.name}: item id(s) {', '.join(unknown[:5])} are not in the pool (column "
            f"{schema.id!r} of the file in labels.pool); load the pool into the tool with its "
            "id column, so the export carries it"
        )
    with ExitStack() as locks:
        for who in sorted(events):
            locks.enter_context(store.session_lock(root, who))
        for who, batch in sorted(events.items()):
            standing = store.standing_answers(store.read_log(store.log_path(root, who)))
            fresh = []
            for event in batch:
                if not _standing(standing, event):
                    fresh.append(event)
                    standing[(event["item"], who)] = event
            store.append(store.log_path(root, who), fresh)
            counts[who]["imported"] += len(fresh)
            counts[who]["unchanged"] += len(batch) - len(fresh)
    return counts


def _standing(standing: dict[tuple[str, str], dict[str, Any]], event: dict[str, Any]) -> bool:
    """Whether the annotator's standing answer on the item is already this label."""
    current = standing.get((event["item"], event["annotator"]))
    return bool(current) and current["action"] == "label" and current["label"] == event["label"]
