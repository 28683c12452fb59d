"""The labeler as a new user meets it: a baked project, `dvc repro`, a real 80x24 terminal."""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import termios
import time
from pathlib import Path

import pytest
from conftest import bake, run, shared_setup

PROMPT = b"q quit > "


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    project = shared_setup(bake(tmp_path_factory.mktemp("pty"), project_name="Pty Labeler"))
    run([".venv/bin/dvc", "repro"], project)
    return project


class Terminal:
    """A pseudo-terminal of 80 columns and 24 rows running one command."""

    def __init__(self, command: list[str], cwd: Path) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        # The size must come from the terminal, as for a user, not from COLUMNS.
        env = {key: value for key, value in os.environ.items() if key not in {"COLUMNS", "LINES"}}
        self.process = subprocess.Popen(
            command, cwd=cwd, stdin=slave, stdout=slave, stderr=slave, env=env
        )
        os.close(slave)
        self.screen = b""

    def wait_for(self, marker: bytes, count: int, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while self.screen.count(marker) < count:
            assert time.monotonic() < deadline, self.text()[-2000:]
            if select.select([self.master], [], [], 0.5)[0]:
                try:
                    self.screen += os.read(self.master, 65536)
                except OSError:  # the command ended and closed the terminal
                    break

    def type(self, line: str) -> None:
        os.write(self.master, f"{line}\n".encode())

    def text(self) -> str:
        return self.screen.decode(errors="replace").replace("\r\n", "\n")

    def close(self) -> int:
        code = self.process.wait(timeout=30)
        os.close(self.master)
        return code


def test_undo_and_guidelines_on_an_80_column_terminal(project: Path) -> None:
    terminal = Terminal([".venv/bin/pty-labeler", "label", "--annotator", "x"], project)
    for prompts, answer in enumerate(["1", "u", "?", "q"], start=1):
        terminal.wait_for(PROMPT, prompts)
        terminal.type(answer)
    terminal.wait_for(b"Next: dvc repro", 1)
    assert terminal.close() == 0
    screen = terminal.text()
    items = re.findall(r"^--- item (\S+) ", screen, re.M)
    counts = [int(n) for n in re.findall(r"^(\d+) left in your queue", screen, re.M)]
    # label, then undo: the first item comes back and so does the count; `?` re-shows it.
    assert items[0] != items[1] and items[2] == items[3] == items[0]
    assert counts == [counts[0], counts[0] - 1, counts[0], counts[0]] and counts[0] > 1
    _, after = screen.split("# Labeling guidelines")
    assert "--- item " in after.split(PROMPT.decode())[0]  # the item is back above the prompt
    assert "margin" not in screen  # plain words: "model unsure: 55% / 45%"
    assert re.search(
        r"^--- item \S+ \((model unsure: \d+% / \d+%|picked at random)\)", screen, re.M
    )
    assert "1 malignant  a cancerous mass" in screen
    assert max(len(line) for line in screen.splitlines()) <= 80  # nothing wraps
