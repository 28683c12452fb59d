"""The labeler on a pseudo-terminal, as a person uses it: its start-up to the first item, and a
session that answers each item it shows (the published model's answer, or one key for all).

`loop.py` times these inside the everyday loop.
"""

from __future__ import annotations

import csv
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

from measure import environment, run

LABEL_PROMPT = b"q quit >"  # the labeler's prompt, once its first item is on screen


def answer(project: Path) -> str:
    """An answer the labeler accepts for any item: the first label, or the range's middle."""
    schema = (project / "labeling" / "schema.yaml").read_text()
    if "range:" in schema:
        low, high = schema.split("range:", 1)[1].split("]", 1)[0].strip(" [").split(",")
        return f"{(float(low) + float(high)) / 2:g}"
    return "1"


def model_answers(project: Path, work: Path) -> dict[str, str]:
    """What the published model predicts for each pool item, as the labeler's key or number.

    Run once before the timed loops, with the project's own `predict`, so the answers cost
    the loop nothing.
    """
    import yaml

    schema = yaml.safe_load((project / "labeling" / "schema.yaml").read_text())
    params = yaml.safe_load((project / "params.yaml").read_text())
    output = work / "pool-predictions.csv"
    predict = [str(project / ".venv" / "bin" / project.name), "predict"]
    predict += ["--bundle", "artifacts/model", "--input", params["labels"]["pool"]]
    run([*predict, "--output", str(output), "--keep", schema["id"]], project)
    keys = {str(label["value"]): label["key"] for label in schema.get("labels", [])}
    with output.open() as rows:
        table = list(csv.DictReader(rows))
    column = next(name for name in table[0] if name != schema["id"])
    if keys:
        return {row[schema["id"]]: keys[row[column]] for row in table}
    return {row[schema["id"]]: f"{float(row[column]):.4g}" for row in table}


def label_on_terminal(project: Path, n: int, answers: dict[str, str], fallback: str) -> float:
    """Label `n` items on a pseudo-terminal, each with its answer; the session's wall seconds."""
    command = [str(project / ".venv" / "bin" / project.name), "label", "--annotator", "bench"]
    leader, follower = pty.openpty()
    start = time.perf_counter()
    process = subprocess.Popen(
        [*command, "--n", str(n)],
        cwd=project,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=environment(),
    )
    os.close(follower)
    seen = b""
    while process.poll() is None and time.perf_counter() - start < 120:
        ready, _, _ = select.select([leader], [], [], 1)
        if not ready:
            continue
        try:
            seen += os.read(leader, 65536)
        except OSError:  # the labeler closed its terminal
            break
        if seen.rstrip().endswith(b">"):  # a prompt: answer the last item shown
            items = re.findall(rb"--- item (\S+)", seen)
            reply = answers.get(items[-1].decode(), fallback) if items else fallback
            os.write(leader, reply.encode() + b"\n")
            seen = b""
    process.wait(timeout=60)
    os.close(leader)
    if process.returncode != 0:
        sys.exit(f"the labeler exited {process.returncode}:\n{seen.decode(errors='replace')}")
    return time.perf_counter() - start


def labeler_start(project: Path) -> float:
    """Seconds from launching the labeler to its first item on a pseudo-terminal."""
    command = [str(project / ".venv" / "bin" / project.name), "label", "--annotator", "start"]
    leader, follower = pty.openpty()
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=project, stdin=follower, stdout=follower, stderr=follower, env=environment()
    )
    os.close(follower)
    seen, shown = b"", None
    while shown is None and time.perf_counter() - start < 60:
        ready, _, _ = select.select([leader], [], [], 1)
        if ready:
            try:
                seen += os.read(leader, 4096)
            except OSError:  # the labeler exited before its prompt
                break
            if LABEL_PROMPT in seen:
                shown = time.perf_counter() - start
    os.write(leader, b"q\n")
    process.wait(timeout=60)
    os.close(leader)
    if shown is None:
        sys.exit(f"the labeler showed no item within 60 s:\n{seen.decode(errors='replace')}")
    return shown
