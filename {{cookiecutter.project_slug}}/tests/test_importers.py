"""Importing Label Studio and doccano exports into the label logs: all or nothing, idempotent."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from {{ cookiecutter.module_name }}.core.settings import ThriftyError
from {{ cookiecutter.module_name }}.labeling import store
from {{ cookiecutter.module_name }}.labeling.importers import import_labels

{%- if cookiecutter.task == "classification" %}

SCHEMA = """\
id: id
show: [text]
labels:
  - {key: "1", value: billing, description: Billing}
  - {key: "2", value: outage, description: Outage}
guidelines_version: "1"
"""
{%- else %}

SCHEMA = """\
id: id
show: [text]
range: [1, 5]
guidelines_version: "1"
"""
{%- endif %}


@pytest.fixture
def project(root: Path) -> Path:
    """A project root with params.yaml, labeling/schema.yaml and a pool of items 1 to 99."""
    (root / "labeling").mkdir()
    (root / "labeling" / "schema.yaml").write_text(SCHEMA)
    pool = root / "data" / "raw" / "pool.csv"
    pool.parent.mkdir(parents=True)
    pool.write_text("id,text\n" + "".join(f"{item},text {item}\n" for item in range(1, 100)))
    return root


def logged(root: Path, annotator: str) -> list[dict[str, Any]]:
    return store.read_log(store.log_path(root, annotator))


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data))
    return path


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return path


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def annotation(value: dict[str, Any], by: Any, kind: str = "choices", **extra: Any) -> dict:
    """One Label Studio annotation with a single result from the control named `topic`."""
    result = [dict(type=kind, value=value, from_name="topic", to_name="text")]
    return dict(result=result, completed_by=by, was_cancelled=False, **extra)


def task(item: Any, *annotations: dict[str, Any]) -> dict[str, Any]:
    return dict(id=900 + int(item), data=dict(id=item, text="text"), annotations=list(annotations))


def test_unknown_file_type_names_the_allowed_ones(project: Path, tmp_path: Path) -> None:
    path = tmp_path / "labels.xlsx"
    path.write_text("")
    with pytest.raises(ThriftyError, match=r"labels.xlsx.*\.jsonl.*\.json.*\.csv"):
        import_labels(project, path, "ana")

{%- if cookiecutter.task == "classification" %}


def chose(label: str, by: Any, **extra: Any) -> dict[str, Any]:
    return annotation(dict(choices=[label]), by, **extra)


def test_label_studio_json_imports_every_annotation(project: Path, tmp_path: Path) -> None:
    tasks = [
        task(
            1,
            chose(
                "billing",
                dict(id=3, email="ana.lee@example.com"),
                lead_time=4.5,
                created_at="2024-03-01T10:00:00.123456+01:00",
            ),
            chose("Outage", 7),  # matched by description
        ),
        task(2, dict(chose("outage", 7), was_cancelled=True)),
        task(3, dict(result=[], completed_by=7)),  # submitted with nothing chosen
        task(4),  # nobody annotated it
    ]
    counts = import_labels(project, write_json(tmp_path / "export.json", tasks), None)
    assert counts == {
        "ana.lee": dict(imported=1, unchanged=0, skipped=0),
        "7": dict(imported=1, unchanged=0, skipped=2),
    }
    [event] = logged(project, "ana.lee")
    assert event["item"] == "1"
    assert event["label"] == "billing"
    assert event["time"] == "2024-03-01T09:00:00.123Z"
    assert event["seconds"] == 4.5
    assert (event["source"], event["queue"], event["model"]) == ("labelstudio", "import", None)
    assert event["guidelines_version"] == "1"
    [event] = logged(project, "7")
    assert (event["item"], event["label"], event["seconds"]) == ("1", "outage", None)


def test_label_studio_csv_finds_the_label_column(project: Path, tmp_path: Path) -> None:
    base = dict(text="text", channel="email", annotation_id=1, updated_at="", was_cancelled="")
    rows = [
        dict(id=1, topic="billing", annotator="ana@x.org", created_at="", lead_time=2, **base),
        dict(id=2, topic="Outage", annotator="ana@x.org", created_at="", lead_time="", **base),
        dict(id=3, topic="", annotator="ana@x.org", created_at="", lead_time="", **base),
    ]
    path = write_csv(tmp_path / "export.csv", rows)
    # `channel` is another data field; `topic` is the column whose every cell is a label.
    counts = import_labels(project, path, "ana")
    assert counts == {"ana": dict(imported=2, unchanged=0, skipped=1)}
    events = logged(project, "ana")
    assert [(e["item"], e["label"], e["seconds"]) for e in events] == [
        ("1", "billing", 2.0),
        ("2", "outage", None),
    ]


def test_label_studio_json_min_rows(project: Path, tmp_path: Path) -> None:
    rows = [dict(id=5, text="t", topic="billing", annotator="ben@x.org", lead_time=1.0)]
    counts = import_labels(project, write_json(tmp_path / "min.json", rows), None)
    assert counts == {"ben": dict(imported=1, unchanged=0, skipped=0)}


def test_doccano_new_and_old_exports(project: Path, tmp_path: Path) -> None:
    records = [
        dict(id=11, text="t", label=["billing"]),  # the imported id copied to the top level
        dict(id=301, text="t", labels=["Outage"], meta=dict(id=12)),  # older: id in meta
        dict(id=13, text="t", label=[]),
        dict(id=14, text="t", label=["BILLING"]),  # the value, in another case
    ]
    path = write_jsonl(tmp_path / "admin.jsonl", records)
    assert import_labels(project, path, "ana") == {"ana": dict(imported=3, unchanged=0, skipped=1)}
    events = logged(project, "ana")
    assert [(e["item"], e["label"], e["source"]) for e in events] == [
        ("11", "billing", "doccano"),
        ("12", "outage", "doccano"),
        ("14", "billing", "doccano"),
    ]


def test_doccano_without_annotator_asks_for_one(project: Path, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "all.jsonl", [dict(id=1, text="t", label=["billing"])])
    with pytest.raises(ThriftyError, match="all.jsonl: record 1: .*pass --annotator"):
        import_labels(project, path, None)


def test_record_without_id_names_file_record_and_field(project: Path, tmp_path: Path) -> None:
    tasks = [task(1, chose("billing", 7)), task(2)]
    tasks.append(dict(id=5, data=dict(text="t"), annotations=[chose("billing", 7)]))
    with pytest.raises(ThriftyError) as error:
        import_labels(project, write_json(tmp_path / "export.json", tasks), None)
    message = str(error.value)
    assert "export.json: record 3, annotation 1" in message
    assert "'id'" in message and "import the pool" in message
    assert not store.log_path(project, "7").exists()


def test_unknown_label_names_it_and_the_allowed_ones(project: Path, tmp_path: Path) -> None:
    records = [dict(id=1, label=["billing"]), dict(id=2, label=["refund"])]
    path = write_jsonl(tmp_path / "export.jsonl", records)
    with pytest.raises(ThriftyError) as error:
        import_labels(project, path, "ana")
    message = str(error.value)
    assert "export.jsonl: record 2: label 'refund' is not allowed" in message
    assert "billing (Billing), outage (Outage)" in message


def test_several_choices_are_refused(project: Path, tmp_path: Path) -> None:
    tasks = [task(1, annotation(dict(choices=["billing", "outage"]), 7))]
    with pytest.raises(ThriftyError, match="record 1, annotation 1: 2 labels"):
        import_labels(project, write_json(tmp_path / "export.json", tasks), None)


def test_an_unsupported_control_is_named(project: Path, tmp_path: Path) -> None:
    tasks = [task(1, annotation(dict(taxonomy=[["billing"]]), 7, kind="taxonomy"))]
    with pytest.raises(ThriftyError, match="annotation 1: no choices answer, only taxonomy"):
        import_labels(project, write_json(tmp_path / "export.json", tasks), None)


def test_two_labels_for_one_item_by_one_annotator_are_refused(
    project: Path, tmp_path: Path
) -> None:
    tasks = [task(1, chose("billing", 7), chose("outage", 8))]
    path = write_json(tmp_path / "export.json", tasks)
    with pytest.raises(ThriftyError, match="give item 1 two labels"):
        import_labels(project, path, "ana")  # --annotator folds both people into one
    assert import_labels(project, path, None)["8"]["imported"] == 1  # each their own log


def test_reimport_adds_nothing_and_a_changed_label_is_appended(
    project: Path, tmp_path: Path
) -> None:
    records = [dict(id=1, label=["billing"]), dict(id=2, label=["outage"])]
    path = write_jsonl(tmp_path / "export.jsonl", records)
    import_labels(project, path, "ana")
    before = store.log_path(project, "ana").read_bytes()
    assert import_labels(project, path, "ana") == {"ana": dict(imported=0, unchanged=2, skipped=0)}
    assert store.log_path(project, "ana").read_bytes() == before
    records[1]["label"] = ["billing"]
    write_jsonl(path, records)
    assert import_labels(project, path, "ana")["ana"] == dict(imported=1, unchanged=1, skipped=0)
    standing = store.standing_answers(logged(project, "ana"))
    assert standing[("2", "ana")]["label"] == "billing"


def test_a_bad_record_leaves_every_log_unchanged(project: Path, tmp_path: Path) -> None:
    store.append(store.log_path(project, "7"), [store.new_event("9", "skip", "7", source="cli")])
    before = store.log_path(project, "7").read_bytes()
    tasks = [
        task(1, chose("billing", 7), chose("billing", 8)),
        task(2, chose("nonsense", 8)),
    ]
    with pytest.raises(ThriftyError, match="record 2, annotation 1: label 'nonsense'"):
        import_labels(project, write_json(tmp_path / "export.json", tasks), None)
    assert store.log_path(project, "7").read_bytes() == before
    assert not store.log_path(project, "8").exists()


def test_an_open_session_blocks_the_whole_import(project: Path, tmp_path: Path) -> None:
    tasks = [task(1, chose("billing", 7), chose("billing", 8))]
    path = write_json(tmp_path / "export.json", tasks)
    with store.session_lock(project, "8"), pytest.raises(ThriftyError, match="session of 8"):
        import_labels(project, path, None)
    assert not store.log_path(project, "7").exists()
    assert not store.log_path(project, "8").exists()
{%- else %}


def test_label_studio_number_control(project: Path, tmp_path: Path) -> None:
    tasks = [
        task(1, annotation(dict(number=4), 7, kind="number", lead_time=3.0)),
        task(2, annotation(dict(rating=2), 7, kind="rating")),
    ]
    counts = import_labels(project, write_json(tmp_path / "export.json", tasks), None)
    assert counts == {"7": dict(imported=2, unchanged=0, skipped=0)}
    events = logged(project, "7")
    assert [(e["item"], e["label"], e["seconds"]) for e in events] == [
        ("1", 4.0, 3.0),
        ("2", 2.0, None),
    ]
    assert import_labels(project, tmp_path / "export.json", None)["7"]["unchanged"] == 2


def test_label_studio_csv_and_doccano_numbers(project: Path, tmp_path: Path) -> None:
    rows = [dict(id=1, text="t", rating="3.5", annotator="ana@x.org", lead_time="")]
    assert import_labels(project, write_csv(tmp_path / "e.csv", rows), None)["ana"] == dict(
        imported=1, unchanged=0, skipped=0
    )
    path = write_jsonl(tmp_path / "e.jsonl", [dict(id=2, text="t", label=["5"])])
    assert import_labels(project, path, "ana")["ana"]["imported"] == 1
    assert [e["label"] for e in logged(project, "ana")] == [3.5, 5.0]


def test_number_outside_the_range_is_refused(project: Path, tmp_path: Path) -> None:
    records = [dict(id=1, label=["4"]), dict(id=2, label=["9"])]
    path = write_jsonl(tmp_path / "export.jsonl", records)
    with pytest.raises(ThriftyError, match="export.jsonl: record 2: label '9'.*from 1.0 to 5.0"):
        import_labels(project, path, "ana")
    assert not store.log_path(project, "ana").exists()


def test_record_without_id_names_file_record_and_field(project: Path, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "export.jsonl", [dict(text="t", label=["3"])])
    with pytest.raises(ThriftyError, match="export.jsonl: record 1: no 'id' field.*the pool"):
        import_labels(project, path, "ana")
{%- endif %}


def test_items_outside_the_pool_are_refused(project: Path, tmp_path: Path) -> None:
    """A tool's own record ids would otherwise pass for pool ids and label nothing."""
    label = {{ '"billing"' if cookiecutter.task == "classification" else "3" }}
    path = write_jsonl(tmp_path / "doccano.jsonl", [dict(id=512, text="t", label=[label])])
    with pytest.raises(ThriftyError, match=r"512 .*not in the pool.*labels.pool"):
        import_labels(project, path, "ann")
    assert not store.log_path(project, "ann").exists()
