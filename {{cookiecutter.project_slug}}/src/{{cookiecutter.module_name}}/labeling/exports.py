"""Reading Label Studio (JSON, JSON-MIN, CSV) and doccano (JSONL) exports as plain records.

Only reading and shape checks live here; `importers.py` turns records into label events.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.settings import ThriftyError
from .answers import RESULT_TYPES, schema_label
from .schema import Schema

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


def unwrap(value: Any) -> Any:
    """The single answer inside an exported value; None when nothing was chosen."""
    if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
        try:  # CSV and JSON-MIN cells hold a control's JSON when it is not one plain choice
            value = json.loads(value)
        except ValueError:
            return value
    if isinstance(value, dict):
        key = next((key for key in ("choices", "number", "rating", "text") if key in value), None)
        return unwrap(value[key]) if key else value
    if isinstance(value, list):
        if len(value) > 1:
            raise ValueError(f"{len(value)} labels {value}; import one label per item")
        return unwrap(value[0]) if value else None
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
        labels = [unwrap(row.get(column)) for row in rows]
        labels = [label for label in labels if label is not None]
        return bool(labels) and all(schema_label(label, schema) is not None for label in labels)
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
