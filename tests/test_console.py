"""What a person sees in a terminal: log lines never share a row with a progress bar, no
library chatter, no warning repeated by every stage.

The stages run on a real pseudo-terminal, so their progress bars are on, as in a user's shell.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import termios

from conftest import bake, run, shared_setup

ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
BAR = re.compile(r"\d+%\|")


def on_a_terminal(args: list[str], cwd, env: dict[str, str], columns: int = 120) -> str:
    """Run `args` with stdout and stderr on a pseudo-terminal of `columns`; what it printed."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = env | {"COLUMNS": str(columns), "TERM": "xterm"}
    process = subprocess.Popen(
        args, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process has ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=300) == 0, b"".join(chunks).decode(errors="replace")
    return b"".join(chunks).decode(errors="replace")


def rows(output: str) -> list[str]:
    """The rows a terminal shows at the end: each line as it stands after its last \\r."""
    return [
        ESCAPE.sub("", line).split("\r")[-1] for line in output.replace("\r\n", "\n").split("\n")
    ]


def test_log_lines_and_progress_bars_keep_to_their_own_rows(tmp_path):
    project = shared_setup(bake(tmp_path / "bake", project_name="Console"))
    env = os.environ | {"MPLCONFIGDIR": str(tmp_path / "matplotlib")}  # a fresh font cache
    repro = run([".venv/bin/dvc", "repro", "sample"], project, env=env)
    assert "is empty" not in repro.stdout + repro.stderr  # DVC on the shipped gold.jsonl

    # A target no rung reaches at its defaults: the race runs every rung and several rounds,
    # so there are many log lines for the bar to keep out of.
    done = project / "done.yaml"
    done.write_text(re.sub(r"(?m)^target: \S+", "target: 0.999", done.read_text()))
    python = str(project / ".venv" / "bin" / "python")
    output = on_a_terminal([python, "-m", "console.baselines"], project, env)
    assert BAR.search(output), "the progress bar is on in a terminal"
    shown = rows(output)
    logged = [
        row
        for row in shown
        if re.match(r"INFO console\.(baselines|modeling\.race|modeling\.rounds):", row)
    ]
    assert len([row for row in logged if " f1_macro = " in row]) >= 4  # a line per rung and round
    for row in shown:
        if "INFO " in row or "WARNING " in row:
            assert re.match(r"(INFO|WARNING) ", row), f"a log line shares its row: {row!r}"
            assert not BAR.search(row), f"a log line shares its row with the bar: {row!r}"
    # The names line up: every rung's score starts in the same column.
    assert len({row.index(" f1_macro = ") for row in logged if " f1_macro = " in row}) == 1

    output = on_a_terminal([python, "-m", "console.tune"], project, env)
    output += on_a_terminal([python, "-m", "console.evaluate"], project, env)
    assert "fontManager" not in output and "matplotlib" not in output
    for row in rows(output):
        if "INFO " in row:
            assert re.match(r"INFO ", row) and not BAR.search(row), row
