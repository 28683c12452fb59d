"""The labeler, the label logs, the queue and consolidation, on the project's own demo pool."""

from __future__ import annotations

import io
import json
import logging
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.core.config import load_params
from {{ cookiecutter.module_name }}.core.settings import ConfigError, ThriftyError
from {{ cookiecutter.module_name }}.core.task import TASK
from {{ cookiecutter.module_name }}.demo import make_demo, make_pool
from {{ cookiecutter.module_name }}.labeling.pool import build_queue, duplicates, load_pool
from {{ cookiecutter.module_name }}.labeling.schema import Schema, in_test_pool, load_schema
from {{ cookiecutter.module_name }}.labeling.screen import fit, header, render
from {{ cookiecutter.module_name }}.labeling.session import run
from {{ cookiecutter.module_name }}.labeling.store import (
    append,
    log_path,
    new_event,
    read_all,
    read_log,
    session_lock,
    standing_answers,
)
from {{ cookiecutter.module_name }}.labels import consolidate, standing_labels, training_rows

PROJECT = Path(__file__).parents[1]
MODULE = "{{ cookiecutter.module_name }}"


def not_template(folder: str, names: list[str]) -> set[str]:
    """What a pipeline run or a session adds to labeling/: queue, logs, locks."""
    made = {name for name in names if name == "queue.jsonl" or name.endswith(".lock")}
    if Path(folder).name == "labels":
        made |= {name for name in names if name.endswith(".jsonl")}
    return made


@pytest.fixture
def lab(root: Path) -> Path:
    """A project root with the real labeling folder and the demo's pool of unlabelled items."""
    shutil.copytree(PROJECT / "labeling", root / "labeling", ignore=not_template)
    params = load_params(root)
    demo = make_demo(params.demo)
    pool = root / params.labels.pool
    pool.parent.mkdir(parents=True)
    make_pool(demo, params.demo).to_csv(pool, index=False)
    return root


@pytest.fixture
def schema(lab: Path) -> Schema:
    return load_schema(lab)


@pytest.fixture
def keys(schema: Schema) -> list[str]:
    """Two valid label answers: the first two keys, or two numbers in the range."""
    if schema.labels:
        return [choice.key for choice in schema.labels[:2]]
    low, high = schema.range or (0, 1)
    return [f"{low:g}", f"{high:g}"]


def session(root: Path, annotator: str, lines: list[str], **options) -> str:
    """Run the labeler with `lines` as its input; return what it printed."""
    out = io.StringIO()
    text = "".join(f"{line}\n" for line in lines)
    run(root, annotator, options.get("n"), options.get("test", False), io.StringIO(text), out)
    return out.getvalue()


def shown(output: str) -> list[str]:
    """The item ids a session showed, in order."""
    return [line.split()[2] for line in output.splitlines() if line.startswith("--- item ")]


def left(output: str) -> list[int]:
    """The "N left in your queue" counts a session showed, in order."""
    return [int(count) for count in re.findall(r"^(\d+) left in your queue", output, re.M)]


def test_two_labels_a_skip_then_quit_and_resume(lab: Path, keys: list[str]) -> None:
    first = session(lab, "ann", [keys[0], keys[1], "s", "q"])
    events = read_log(log_path(lab, "ann"))
    assert [event["action"] for event in events] == ["label", "label", "skip"]
    assert [event["item"] for event in events] == shown(first)[:3]
    for event in events:  # everything the issue asks each event to carry
        assert {"item", "annotator", "time", "guidelines_version", "model", "queue_score"} <= set(
            event
        )
        assert event["time"].endswith("Z") and event["seconds"] >= 0
    # A rerun resumes at the next item: the fourth one shown before, never an answered one.
    again = session(lab, "ann", ["q"])
    assert shown(again) == [shown(first)[3]]
    assert "1 labelled" not in again and "0 labelled" in again


def test_test_pool_is_labelled_apart_in_random_order(lab: Path, schema, keys) -> None:
    session(lab, "ann", [keys[0], keys[1], "q"], test=True)
    events = read_log(log_path(lab, "ann"))
    assert [event["queue"] for event in events] == ["test", "test"]
    assert all(in_test_pool(schema, event["item"]) for event in events)
    pool = load_pool(lab / "data" / "raw" / "pool.csv", schema)
    labels, _ = consolidate(standing_labels(events), {}, schema)
    assert set(training_rows(labels, pool, schema, "target")["_split"]) == {"test"}


def test_bad_key_reprompts_and_writes_nothing(lab: Path, keys: list[str]) -> None:
    output = session(lab, "ann", ["x", "99x", "", "q"])
    assert output.count("'x' is not ") == output.count("'99x' is not ") == 1
    assert output.count("; nothing was saved.") == 3 and "nothing typed" in output
    assert len(set(shown(output))) == 1  # the same item stayed on screen
    assert read_log(log_path(lab, "ann")) == []


@pytest.mark.skipif(TASK != "regression", reason="numbers have a range; keys do not")
def test_a_typo_and_a_number_out_of_range_are_told_apart(lab: Path, schema: Schema) -> None:
    low, high = schema.range
    output = session(lab, "ann", ["abc", f"{high + 1:g}", "q"])
    assert "'abc' is not a number; nothing was saved." in output
    assert (
        f"{high + 1:g} is outside {low:g} to {high:g}, the range in labeling/schema.yaml; "
        "nothing was saved."
    ) in output
    assert read_log(log_path(lab, "ann")) == []


def test_guidelines_on_question_mark_then_the_item_again(lab: Path) -> None:
    output = session(lab, "ann", ["?", "q"])
    before, guidelines = output.split("# Labeling guidelines")
    assert shown(before) == shown(guidelines) == shown(output)[:1]  # the same item, re-shown
    assert left(before) == left(guidelines)
    assert read_log(log_path(lab, "ann")) == []


def test_undo_and_skip_keep_the_queue_count_right(lab: Path, keys: list[str]) -> None:
    output = session(lab, "ann", [keys[0], "u", "s", keys[1], "q"])
    first = left(output)[0]
    # labelled (one fewer), undone (back), skipped (one fewer), labelled (one fewer again)
    assert left(output) == [first, first - 1, first, first - 1, first - 2]
    assert "this session: 1 labelled, 1 skipped" in output


def test_every_item_shows_each_key_and_what_it_means(lab: Path, schema: Schema) -> None:
    output = session(lab, "ann", ["s", "q"])
    for screen in output.split("--- item ")[1:]:
        for c in schema.labels or []:  # regression: the prompt names the range
            assert re.search(rf"^  {c.key} {c.value} +{re.escape(c.description)}$", screen, re.M)


def test_the_header_fits_80_columns_however_large_the_counts(
    lab: Path, schema: Schema, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    output = session(lab, "ann", ["s", "q"])
    lines = output.splitlines()
    headers = [i for i, line in enumerate(lines) if line.startswith("--- item ")]
    assert headers and all(len(line) <= 80 for i in headers for line in lines[i : i + 2])
    entry = {"item": "row-0123456789ab", "why": "cold_start", "score": None}
    tally = {"label": 123456, "skip": 12345, "flag": 1234}
    wrapped = fit(header(entry, 9_876_543, tally, schema), 78).splitlines()
    assert all(len(line) <= 78 for line in wrapped) and wrapped[0].split()[2] == entry["item"]
    assert "123456 labelled, 12345 skipped, 1234 flagged" in " ".join(map(str.strip, wrapped))


def test_the_model_doubt_is_told_in_plain_words(schema: Schema) -> None:
    entry = {"item": "a", "why": "uncertain", "score": 0.04}
    if TASK == "classification":
        two = schema.model_copy(update={"labels": schema.labels[:2]})
        assert "(model unsure: 52% / 48%)" in header(entry, 1, {}, two)[0]
    random = header({"item": "a", "why": "random", "score": None}, 1, {}, schema)[0]
    assert random == "--- item a (picked at random) ---"


def test_values_are_shown_as_the_pool_has_them(schema: Schema) -> None:
    row = pd.Series({"sex": 1.0312, "age": 52, "bmi": np.nan, "note": "two  words"})
    lines = render(row, schema.model_copy(update={"show": list(row.index)}), 78).splitlines()
    assert lines == ["   sex: 1.0312", "   age: 52", "   bmi: (blank)", "  note: two  words"]


def test_undo_appends_a_retraction_and_shows_the_item_again(lab: Path, keys: list[str]) -> None:
    output = session(lab, "ann", [keys[0], "u", keys[1], "q"])
    items = shown(output)  # labelled the first, undid it while the second was on screen
    assert items[2] == items[0] != items[1]  # the undone item came straight back
    events = read_log(log_path(lab, "ann"))
    assert [event["action"] for event in events] == ["label", "retract", "label"]
    assert events[1]["retracts"] == events[0]["event"]
    (standing,) = standing_answers(events).values()
    assert standing["event"] == events[2]["event"]


def test_torn_tail_is_skipped_and_the_next_event_starts_clean(
    lab: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = log_path(lab, "ann")
    append(path, [new_event("a", "label", "ann", label=1), new_event("b", "skip", "ann")])
    with open(path, "ab") as handle:
        handle.write(b'{"event": "torn", "item": "c", "act')  # a crash mid-write
    with caplog.at_level(logging.WARNING):
        assert [event["item"] for event in read_log(path)] == ["a", "b"]
    assert "torn last line 3" in caplog.text
    append(path, [new_event("d", "flag", "ann")])
    assert [event["item"] for event in read_log(path)] == ["a", "b", "d"]
    assert path.read_bytes().count(b"\n") == 4  # nothing rewritten: the fragment is still there


def test_a_second_session_of_one_annotator_is_refused(lab: Path, keys: list[str]) -> None:
    with session_lock(lab, "ann"), pytest.raises(ThriftyError, match="another labeling session"):
        session(lab, "ann", [keys[0]])
    assert read_log(log_path(lab, "ann")) == []
    session(lab, "other", [keys[0], "q"])  # other annotators are not held up
    assert len(read_log(log_path(lab, "other"))) == 1


@pytest.mark.parametrize("name", ["../evil", "", "a b", "-x"])
def test_annotator_name_must_be_a_safe_file_name(lab: Path, name: str) -> None:
    with pytest.raises(ThriftyError, match="--annotator"):
        session(lab, name, ["q"])
    assert not (lab / "labeling" / "evil.jsonl").exists()


def test_two_annotators_labeling_at_once(lab: Path, keys: list[str]) -> None:
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", MODULE, "label", "--annotator", name, "--n", "5"],
            cwd=lab,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in ("ann", "bob")
    ]
    for process in runs:
        process.stdin.write(f"{keys[0]}\n" * 5)
        process.stdin.close()
    assert [process.wait(timeout=120) for process in runs] == [0, 0]
    for name in ("ann", "bob"):
        events = read_log(log_path(lab, name))
        assert len(events) == 5 and {event["annotator"] for event in events} == {name}


def test_sigkill_keeps_every_acknowledged_label(lab: Path, keys: list[str]) -> None:
    """A session killed mid-way, in a real terminal (a pty), keeps what it acknowledged."""
    pid, terminal = pty.fork()
    if pid == 0:  # the child: the labeler in a pseudo-terminal
        os.chdir(lab)
        os.execv(sys.executable, [sys.executable, "-m", MODULE, "label", "--annotator", "kim"])
    seen = b""

    def wait_for(marker: bytes, count: int) -> None:
        nonlocal seen
        deadline = time.monotonic() + 60
        while seen.count(marker) < count:
            assert time.monotonic() < deadline, seen.decode(errors="replace")[-2000:]
            if select.select([terminal], [], [], 1)[0]:
                seen += os.read(terminal, 65536)

    for acknowledged in range(1, 4):
        wait_for(b"q quit > ", acknowledged)
        os.write(terminal, f"{keys[acknowledged % 2]}\n".encode())
        wait_for(b"saved: label", acknowledged)
    wait_for(b"q quit > ", 4)
    os.write(terminal, f"{keys[0]}".encode())  # typed, never sent: must not be saved
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(terminal)
    events = read_log(log_path(lab, "kim"))
    assert [event["action"] for event in events] == ["label"] * 3
    again = session(lab, "kim", ["q"])  # the lock died with the process
    assert shown(again)[0] not in {event["item"] for event in events}


def queue(schema: Schema, pool: pd.DataFrame, events=(), gold=None, counts=None, score=None):
    return build_queue(pool, schema, list(events), gold or {}, counts or {}, score, "digest")


def test_queue_is_deterministic_and_excludes_answered_test_and_gold(
    lab: Path, schema: Schema
) -> None:
    pool = load_pool(lab / "data" / "raw" / "pool.csv", schema)
    fresh = [item for item in pool.index if not in_test_pool(schema, item)]
    events = [
        new_event(fresh[0], "label", "ann", label=1),
        new_event(fresh[1], "skip", "ann"),
    ]
    gold = {fresh[2]: "x"}
    entries = queue(schema, pool, events, gold)
    assert entries == queue(schema, pool, events, gold)  # same inputs, same queue
    regular = [entry["item"] for entry in entries if entry["why"] != "gold"]
    assert len(regular) == schema.batch_size == len(set(regular))
    assert not {fresh[0], fresh[1], fresh[2]} & set(regular)
    assert not any(in_test_pool(schema, item) for item in regular)
    golds = [entry for entry in entries if entry["why"] == "gold"]
    assert [entry["item"] for entry in golds] == [fresh[2]] and golds[0]["need"] == 0


def test_identical_items_are_served_once(lab: Path, schema: Schema) -> None:
    pool = load_pool(lab / "data" / "raw" / "pool.csv", schema)
    copy = pool.iloc[[0]].copy()
    copy[schema.id] = copy.index = ["copy-of-first"]
    doubled = pd.concat([pool, copy])
    everything = schema.model_copy(update={"batch_size": 500})
    served = {entry["item"] for entry in queue(everything, doubled)}
    assert "copy-of-first" not in served
    assert (pool.index[0] in served) or in_test_pool(schema, pool.index[0])


@pytest.mark.skipif(TASK != "classification", reason="uncertainty needs class probabilities")
def test_cold_start_then_smallest_margin_first(lab: Path, schema: Schema) -> None:
    pool = load_pool(lab / "data" / "raw" / "pool.csv", schema)
    margin = np.linspace(0, 1, len(pool))
    score = lambda rows: margin[pool.index.get_indexer(rows.index)]  # noqa: E731
    cold = queue(schema, pool, score=score)
    assert {entry["why"] for entry in cold} == {"cold_start"}  # no class has k labels yet
    counts = {choice.value: schema.cold_start_per_class for choice in schema.labels}
    warm = queue(schema, pool, counts=counts, score=score)
    uncertain = [entry["score"] for entry in warm if entry["why"] == "uncertain"]
    assert uncertain == sorted(uncertain) and len(uncertain) >= schema.batch_size // 2
    assert all(entry["why"] in {"uncertain", "random"} for entry in warm)
    everything = schema.model_copy(update={"random_fraction": 0.0})
    ranked = [entry["score"] for entry in queue(everything, pool, counts=counts, score=score)]
    first = duplicates(pool, schema)
    fresh = sorted(
        margin[i]
        for i, item in enumerate(pool.index)
        if not in_test_pool(schema, item) and first[item] == item
    )
    assert ranked == [round(value, 6) for value in fresh[: schema.batch_size]]


def test_overlap_items_wait_for_a_second_annotator(lab: Path, schema: Schema, keys) -> None:
    everyone = schema.model_copy(update={"overlap_rate": 1.0})
    pool = load_pool(lab / "data" / "raw" / "pool.csv", everyone)
    item = next(item for item in pool.index if not in_test_pool(everyone, item))
    once = [new_event(item, "label", "ann", label=1)]
    (first, *_) = queue(everyone, pool, once)
    assert (first["item"], first["why"], first["need"]) == (item, "overlap", 2)
    twice = [*once, new_event(item, "label", "bob", label=1)]
    assert item not in {entry["item"] for entry in queue(everyone, pool, twice)}


def test_consolidation_majority_ties_gold_flags_and_undo(lab: Path, schema: Schema) -> None:
    a, b = (schema.labels[0].value, schema.labels[1].value) if schema.labels else (1.0, 300.0)
    undone = new_event("i4", "label", "ann", label=b)
    events = [
        *(new_event("i1", "label", name, label=a) for name in ("ann", "bob")),
        new_event("i1", "label", "cy", label=b),
        new_event("i2", "label", "ann", label=a),
        new_event("i2", "label", "bob", label=b),
        new_event("i3", "flag", "ann"),
        undone,
        new_event("i4", "retract", "ann", retracts=undone["event"]),
        new_event("i5", "label", "ann", label=b),
    ]
    labels, disputed = consolidate(standing_labels(events), {"i5": a}, schema)
    decided = dict(zip(labels["item"], labels["label"], strict=True))
    if TASK == "classification":
        assert decided == {"i1": a, "i5": a}  # majority; gold wins over the vote
        assert dict(zip(disputed["item"], disputed["reason"], strict=True)) == {
            "i2": "tie",
            "i3": "flagged",
        }
    else:
        assert decided["i5"] == a and "i4" not in decided
        assert set(disputed["item"]) == {"i1", "i2", "i3"}  # spread, spread, flagged


def test_labels_join_training_with_copies_and_a_stable_side(lab: Path, schema: Schema) -> None:
    pool = load_pool(lab / "data" / "raw" / "pool.csv", schema)
    copy = pool.iloc[[0]].copy()
    copy[schema.id] = copy.index = ["copy-of-first"]
    pool = pd.concat([pool, copy])
    value = schema.labels[0].value if schema.labels else 100.0
    labels = pd.DataFrame({"item": [pool.index[0]], "label": [value]})
    rows = training_rows(labels, pool, schema, "target")
    assert len(rows) == 2 and set(rows["target"]) == {value}  # the copy shares the label
    assert schema.id not in rows.columns
    sides = ["test" if in_test_pool(schema, item) else "train" for item in (pool.index[0],) * 2]
    assert list(rows["_split"]) == sides


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"colour": "red"}, "colour"),
        ({"random_fraction": 2}, "random_fraction"),
        ({"batch_size": 0}, "batch_size"),
    ],
)
def test_schema_problems_are_named(lab: Path, change: dict, message: str) -> None:
    import yaml

    path = lab / "labeling" / "schema.yaml"
    path.write_text(yaml.safe_dump({**yaml.safe_load(path.read_text()), **change}))
    with pytest.raises(ConfigError, match=message):
        load_schema(lab)


@pytest.mark.skipif(TASK != "classification", reason="label sets belong to classification")
def test_label_set_problems_are_listed(lab: Path) -> None:
    import yaml

    path = lab / "labeling" / "schema.yaml"
    data = yaml.safe_load(path.read_text())
    data["labels"] = [
        {"key": "s", "value": "x"},
        {"key": "1", "value": "y"},
        {"key": 1, "value": "z"},
    ]
    data["range"] = [0, 1]
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError) as error:
        load_schema(lab)
    assert "must be digits" in str(error.value) and "labels.0.key" in str(error.value)


def test_pool_problems_are_named(lab: Path, schema: Schema) -> None:
    path = lab / "data" / "raw" / "pool.csv"
    pool = pd.read_csv(path)
    pd.concat([pool, pool.iloc[:1]]).to_csv(path, index=False)
    with pytest.raises(ThriftyError, match="appear more than once"):
        load_pool(path, schema)
    pool.drop(columns=[schema.show[0]]).to_csv(path, index=False)
    with pytest.raises(ThriftyError, match=f"column\\(s\\) {schema.show[0]} not in the pool"):
        load_pool(path, schema)


def test_blank_targets_of_the_raw_file_are_the_pool(lab: Path, schema: Schema) -> None:
    """With the raw file as labels.pool, its rows with a blank target are the pool, no others."""
    path = lab / "data" / "raw" / "pool.csv"
    frame = pd.read_csv(path)
    frame["answer"] = ["x" if i % 3 else None for i in range(len(frame))]
    frame.to_csv(path, index=False)
    pool = load_pool(path, schema, target="answer")
    assert len(pool) == frame["answer"].isna().sum() and pool["answer"].isna().all()
    assert set(pool.index) == set(frame.loc[frame["answer"].isna(), schema.id].astype(str))
    everything = load_pool(path, schema, target="absent")  # a pool file without the target
    assert len(everything) == len(frame)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_the_pool_is_read_in_chunks(
    lab: Path, schema: Schema, suffix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A raw file larger than memory serves its blank rows: chunk by chunk, the same pool."""
    from {{ cookiecutter.module_name }}.tables import stream

    frame = pd.read_csv(lab / "data" / "raw" / "pool.csv")
    frame["answer"] = ["x" if i % 3 else None for i in range(len(frame))]
    path = lab / "data" / "raw" / f"raw{suffix}"
    frame.to_csv(path, index=False) if suffix == ".csv" else frame.to_parquet(path, index=False)
    whole = load_pool(path, schema, target="answer")
    monkeypatch.setattr(stream, "CHUNK_ROWS", 7)  # the 200 rows in 29 chunks
    chunked = load_pool(path, schema, target="answer")
    pd.testing.assert_frame_equal(chunked, whole)
    assert list(chunked.index) == list(frame.loc[frame["answer"].isna(), schema.id].astype(str))


def test_rows_without_an_id_get_a_stable_digest(lab: Path, schema: Schema) -> None:
    """`id: _row`: each item is named by its values, the same however the file is ordered."""
    path = lab / "data" / "raw" / "pool.csv"
    frame = pd.read_csv(path).drop(columns=[schema.id])
    frame.iloc[:1, 0] = None  # a blank value is part of the digest too
    frame.to_csv(path, index=False)
    rowid = schema.model_copy(update={"id": "_row"})
    first = load_pool(path, rowid)
    frame.iloc[::-1].to_csv(path, index=False)
    again = load_pool(path, rowid)
    assert first.index.str.fullmatch(r"row-[0-9a-f]{12}").all()
    assert sorted(first.index) == sorted(again.index) and first.index.is_unique
    pd.concat([frame, frame.iloc[:3]]).to_csv(path, index=False)
    assert len(load_pool(path, rowid)) == len(first)  # identical rows are one item


def test_no_unlabelled_rows_is_a_pool_of_nothing(lab: Path, schema: Schema) -> None:
    path = lab / "data" / "raw" / "pool.csv"
    frame = pd.read_csv(path).assign(answer="x")
    frame.to_csv(path, index=False)
    pool = load_pool(path, schema, target="answer")
    assert pool.empty
    assert build_queue(pool, schema, [], {}, {}) == []
    assert duplicates(pool, schema).empty


def test_export_writes_consolidated_labels(lab: Path, keys: list[str]) -> None:
    from {{ cookiecutter.module_name }}.labels import export

    session(lab, "ann", [keys[0], keys[1], "q"])
    export(lab, lab / "labels.csv")
    exported = pd.read_csv(lab / "labels.csv")
    assert list(exported.columns[:2]) == ["id", "label"] and len(exported) == 2
    assert set(exported["id"]) == {event["item"] for event in read_all(lab)}
    assert json.loads(json.dumps(exported.to_dict("records")))  # plain values only


def test_labelled_rows_join_their_side_and_need_the_raw_columns(lab: Path, schema) -> None:
    from {{ cookiecutter.module_name }}.prepare import with_labels

    params = load_params(lab)
    pool = load_pool(lab / "data" / "raw" / "pool.csv", schema)
    value = schema.labels[0].value if schema.labels else 100.0
    items = [item for item in pool.index if not in_test_pool(schema, item)][:2]
    items.append(next(item for item in pool.index if in_test_pool(schema, item)))
    labels = pd.DataFrame({"item": items, "label": [value] * 3})
    rows = training_rows(labels, pool, schema, params.data.target)
    columns = [column for column in rows.columns if column != "_split"]
    train, test = rows.iloc[:0][columns], rows.iloc[:0][columns]
    joined_train, joined_test = with_labels(train, test, rows, params.data)
    assert (len(joined_train), len(joined_test)) == (2, 1)
    with pytest.raises(ThriftyError, match="the pool lacks column"):
        with_labels(train.assign(extra=1), test, rows, params.data)
