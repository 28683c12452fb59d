"""One way to draw a figure: matplotlib without a display, saved, always closed.

Most of a figure's cost is rendering it: the tight layout measures every label, then the PNG is
drawn and compressed. Inside `rendering_in_parallel()`, a figure is rendered by a forked copy of
this process while this one builds the next figure (or renders one itself when every copy is
busy), on the cores this process may use. The PNGs are the same, byte for byte; a copy only
renders and exits, and the block ends when every copy has, raising any copy's error.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import traceback
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display is needed, or available on a server
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

TOP = 15  # features or terms shown: more make the labels unreadable
# A copy that has not rendered its figure by then is stopped, and the figure rendered here.
COPY_SECONDS = 120.0


def _render(fig: Figure, path: Path) -> None:
    fig.tight_layout()
    # tight_layout leaves a placeholder layout engine behind, and for any engine savefig draws
    # the whole figure once more before drawing it: without one, the same PNG in one pass.
    fig.set_layout_engine(None)
    fig.savefig(path, dpi=100)


@dataclass
class _Copies:
    """Forked copies of this process, each rendering one figure: pid -> (figure, path, pipe)."""

    slots: int
    running: dict[int, tuple[Figure, Path, int]] = field(default_factory=dict)

    def render(self, fig: Figure, path: Path) -> None:
        self.reap()
        if len(self.running) >= self.slots:
            try:  # every copy is busy: this process renders this one
                _render(fig, path)
            finally:
                plt.close(fig)
            return
        read, write = os.pipe()
        with warnings.catch_warnings():
            # Python 3.12 warns of a fork beside other threads (a warm stage's watcher), which
            # could hold a lock the copy then waits for; the copy only renders and exits.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the copy: render, say what failed, exit without running the parent's code
            os.close(read)
            code = 0
            try:
                _render(fig, path)
            except BaseException:
                os.write(write, traceback.format_exc().encode(errors="replace")[-8192:])
                code = 1
            finally:
                os._exit(code)
        os.close(write)
        self.running[pid] = (fig, path, read)

    def reap(self, until: float | None = None) -> list[str]:
        """Collect the copies that are done, or with `until` (a `time.monotonic()`) all of them:
        one still rendering then is stopped and its figure rendered here. Their errors."""
        errors = []
        for pid, (fig, path, read) in list(self.running.items()):
            status = _status(pid, until)
            if status is None and until is None:
                continue
            del self.running[pid]
            try:
                if status is None:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    _render(fig, path)
                else:
                    message, code = _read_all(read), os.waitstatus_to_exitcode(status)
                    if code:
                        errors.append(f"{path.name}: {message or f'its copy exited with {code}'}")
            finally:
                os.close(read)
                plt.close(fig)
        return errors


def _status(pid: int, until: float | None) -> int | None:
    """The copy's wait status once it has exited; None while it runs (past `until`)."""
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if until is None or time.monotonic() >= until:
            return None
        time.sleep(0.002)


def _read_all(read: int) -> str:
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace").strip()


_copies: _Copies | None = None


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


@contextmanager
def rendering_in_parallel() -> Iterator[None]:
    """Render the block's figures in forked copies of this process, one less than its cores
    (this process renders too when they are busy). Linux only: elsewhere, or on one core, each
    figure is rendered where it is drawn. Inside another such block, that block's copies
    render them, and it waits for them."""
    global _copies
    if _copies is not None or sys.platform != "linux" or _cores() < 2:
        yield
        return
    _copies = copies = _Copies(slots=_cores() - 1)
    try:
        yield
    finally:
        _copies = None
        errors = copies.reap(until=time.monotonic() + COPY_SECONDS)
    if errors:
        raise RuntimeError("a figure failed to render: " + "; ".join(errors))


@contextmanager
def figure(path: Path, title: str, **subplots) -> Iterator:
    """The axes of a new figure, saved to `path` with a tight layout, and always closed."""
    fig, ax = plt.subplots(**subplots)
    try:
        yield ax
        fig.suptitle(title)
    except BaseException:
        plt.close(fig)
        raise
    if _copies is not None:
        _copies.render(fig, path)  # closed once its copy is done
        return
    try:
        _render(fig, path)
    finally:
        plt.close(fig)
