"""Bring labels made in Label Studio or doccano into the project's own label logs.

Every record is read and checked before anything is written, so a bad record leaves every log as
it was; an import run twice adds nothing the second time. Imported events say where they came
from (`source`), and keep the export's own time and seconds spent where it has them.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..config import TASK, ThriftyError, load_params
from ..paths import Paths
from . import store
from .pool import load_pool
from .schema import Schema, load_schema

READERS = {".jsonl": "doccano JSONL", ".json": "Label Studio JSON", ".csv": "Label Studio CSV"}
# Label Studio's own columns in CSV and JSON-MIN exports; any other column is a data field or
# the labeling control's answer.
LABEL_STUDIO_COLUMNS = {
    "id",
    "annotator",
    "annotation_id",
    "created_at",
    "updated_at",
    "lead_time",
    "was_cancelled",
    "agreement",
}
# The result types that answer "which label?" (classification) or "what number?" (regression).
RESULT_TYPES = ("choices",) if TASK == "classification" else ("number", "rating", "choices")


@dataclass(frozen=True)
class Record:
    """One answer as an export holds it, before it is checked against the schema."""

    where: str
    item: Any
    label: Any
    annotator: Any = None
    time: str | None = None
    seconds: Any = None
    cancelled: bool = False
    source: str = "labelstudio"


def _unwrap(value: Any) -> Any:
    """The single answer inside an exported value; None when nothing was chosen."""
    if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
        try:  # CSV and JSON-MIN cells hold a control's JSON when it is not one plain choice
            value = json.loads(value)
        except ValueError:
            return value
    if isinstance(value, dict):
        key = next((key for key in ("choices", "number", "rating", "text") if key in value), None)
        return _unwrap(value[key]) if key else value
    if isinstance(value, list):
        if len(value) > 1:
            raise ValueError(f"{len(value)} labels {value}; import one label per item")
        return _unwrap(value[0]) if value else None
    return None if value == "" else value


def _label_studio_task(task: dict[str, Any], number: int, id_field: str) -> Iterator[Record]:
    """Each annotation of one task from Label Studio's JSON export."""
    data = task.get("data") or {}
    for count, annotation in enumerate(task.get("annotations") or [], start=1):
        where = f"record {number}, annotation {count}"
        given = annotation.get("result") or []
        results = [result for result in given if result.get("type") in RESULT_TYPES]
        controls = sorted({str(result.get("from_name")) for result in results})
        if given and not results:  # skipping these silently would import nothing, unexplained
            found = ", ".join(sorted({str(result.get("type")) for result in given}))
            raise ThriftyError(f"{where}: no {' or '.join(RESULT_TYPES)} answer, only {found}")
        if len(controls) > 1:
            raise ThriftyError(
                f"{where}: answers from several controls ({', '.join(controls)}); "
                "export a project with a single control"
            )
        completed_by = annotation.get("completed_by")
        if isinstance(completed_by, dict):
            completed_by = completed_by.get("email") or completed_by.get("id")
        yield Record(
            where=where,
            item=data.get(id_field),
            label=[result.get("value") for result in results],
            annotator=completed_by,
            time=annotation.get("created_at"),
            seconds=annotation.get("lead_time"),
            cancelled=bool(annotation.get("was_cancelled")),
        )


def _label_studio_rows(rows: list[dict[str, Any]], schema: Schema) -> Iterator[Record]:
    """Flat rows, one per annotation: Label Studio's CSV and JSON-MIN exports."""
    if not rows:
        return
    columns = {column for row in rows for column in row}
    others = sorted(columns - LABEL_STUDIO_COLUMNS - {schema.id, *schema.show})
    if len(others) > 1:  # extra data fields: keep the one column whose cells are all labels
        others = [column for column in others if _holds_labels(rows, column, schema)]
    if len(others) != 1:
        raise ThriftyError(
            "cannot tell which column holds the label: expected one column besides the pool's "
            f"({', '.join([schema.id, *schema.show])}) and Label Studio's own, found "
            f"{', '.join(others) or 'none'}"
        )
    for number, row in enumerate(rows, start=1):
        yield Record(
            where=f"record {number}",
            item=row.get(schema.id),
            label=row.get(others[0]),
            annotator=row.get("annotator"),
            time=row.get("created_at"),
            seconds=row.get("lead_time"),
            cancelled=str(row.get("was_cancelled")).strip().lower() in ("true", "1"),
        )


def _holds_labels(rows: list[dict[str, Any]], column: str, schema: Schema) -> bool:
    try:
        labels = [_unwrap(row.get(column)) for row in rows]
        labels = [label for label in labels if label is not None]
        return bool(labels) and all(_label(label, schema) is not None for label in labels)
    except ValueError:
        return False


def _doccano(lines: list[str], schema: Schema) -> Iterator[Record]:
    """doccano's JSONL export of a text classification project, new ("label") or old ("labels")."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as error:
            raise ThriftyError(f"record {number}: not valid JSON ({error})") from None
        meta = record.get("meta") if isinstance(record.get("meta"), dict) else {}
        # Newer doccano copies the imported fields to the top level, older ones keep them in meta.
        item = meta.get(schema.id, record.get(schema.id))
        yield Record(
            where=f"record {number}",
            item=item,
            label=record.get("label", record.get("labels")),
            annotator=record.get("username"),
            source="doccano",
        )


def read_export(path: Path, schema: Schema) -> list[Record]:
    """Every record of an export, the reader chosen by the file's suffix."""
    suffix = path.suffix.lower()
    if suffix not in READERS:
        allowed = ", ".join(f"{key} ({name})" for key, name in READERS.items())
        raise ThriftyError(f"{path.name}: cannot import this file type; use {allowed}")
    try:
        text = path.read_text(encoding="utf-8-sig")
        if suffix == ".jsonl":
            return list(_doccano(text.splitlines(), schema))
        if suffix == ".csv":
            return list(_label_studio_rows(list(csv.DictReader(text.splitlines())), schema))
        tasks = json.loads(text)
        if not isinstance(tasks, list) or not all(isinstance(task, dict) for task in tasks):
            raise ThriftyError("expected a list of tasks, as Label Studio exports them")
        if any("annotations" in task for task in tasks):
            return [
                record
                for number, task in enumerate(tasks, start=1)
                for record in _label_studio_task(task, number, schema.id)
            ]
        return list(_label_studio_rows(tasks, schema))  # JSON-MIN: the CSV's rows as objects
    except FileNotFoundError:
        raise ThriftyError(f"{path}: file not found") from None
    except (ValueError, csv.Error) as error:
        raise ThriftyError(f"{path.name}: not valid {READERS[suffix]}: {error}") from None
    except ThriftyError as error:
        raise ThriftyError(f"{path.name}: {error}") from None


def _label(raw: Any, schema: Schema) -> Any:
    """The schema's label for an exported one, or None when it allows no such label."""
    if TASK == "classification":
        text = str(raw).strip()
        exact = [c.value for c in schema.labels or [] if str(c.value) == text]
        # Tools often show "Billing" for the value billing: ignoring case is safe when it is
        # unambiguous, like matching the description.
        loose = [
            c.value
            for c in schema.labels or []
            if text.casefold() in (str(c.value).casefold(), c.description.casefold())
        ]
        return exact[0] if exact else loose[0] if len(loose) == 1 else None
    try:
        number = float(raw)
    except (TypeError, ValueError):
        return None
    low, high = schema.range or (-math.inf, math.inf)
    return number if low <= number <= high else None


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
    raw = _unwrap(record.label)
    if record.cancelled or raw is None:
        return None
    if record.item is None or str(record.item).strip() == "":
        raise ValueError(
            f"no {schema.id!r} field; import the pool into the tool with its id column "
            f"{schema.id!r} so labels can be matched to items"
        )
    label = _label(raw, schema)
    if label is None:
        if TASK == "classification":
            allowed = ", ".join(f"{c.value} ({c.description})" for c in schema.labels or [])
        else:
            allowed = "a number from {} to {}".format(*(schema.range or ()))
        raise ValueError(f"label {raw!r} is not allowed; labeling/schema.yaml allows {allowed}")
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
    known = load_pool(Paths(root, load_params(root)).pool, schema).index
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
            standing = store.answers(store.read_log(store.log_path(root, who)))
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
