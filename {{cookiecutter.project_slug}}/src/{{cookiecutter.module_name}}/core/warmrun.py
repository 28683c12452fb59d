"""A warm stage, in the process the server forked: made to look like a fresh process, then run.

The fork has the server's libraries in memory and nothing else of it: it takes the caller's
standard streams, working directory, environment, `sys.path`, umask and arguments, imports
the project's code from disk and runs the stage with `runpy`, as `python -m` does. It ends
with the stage's exit code, or by the signal that stopped it; if the caller goes away first
(Ctrl-C in a terminal, DVC killed), the stage is stopped as a fresh process would be.
"""

from __future__ import annotations

import atexit
import fcntl
import importlib
import io
import json
import os
import runpy
import signal
import socket
import sys
import sysconfig
import tempfile
import threading
import time
import traceback
from pathlib import Path

CALLER = "THRIFTY_WARM_CALLER"  # "pid start-epoch cpu": what the caller spent, for receipts


def receive(conn: socket.socket) -> tuple[dict, list[int]]:
    """One request, and the caller's standard streams (three file descriptors)."""
    data, fds, _, _ = socket.recv_fds(conn, 1 << 16, 3)
    if len(fds) != 3 or len(data) < 8:
        for fd in fds:
            os.close(fd)
        raise ValueError("a request without its three standard streams")
    size = int.from_bytes(data[:8], "big")
    body = bytearray(data[8:])
    while len(body) < size:
        chunk = conn.recv(min(1 << 20, size - len(body)))
        if not chunk:
            raise ValueError("a request cut short")
        body += chunk
    return json.loads(body), fds


def run(request: dict, fds: list[int], conn: socket.socket, path: Path, unbilled: float):
    """Become the caller's stage and run it (the server of socket `path`); never returns."""
    package = request["module"].split(".")[0]
    for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.set_wakeup_fd(-1)
    os.setpgrp()  # its own process group: signals to the server's are not for the stage
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.umask(request["umask"])
    os.environ.clear()
    os.environ.update(request["env"])
    tempfile.tempdir = None  # read again from TMPDIR
    sys.path[:] = request["path"]
    _streams(request["streams"])
    forget(package)
    importlib.invalidate_caches()
    _reseed()
    before = set(sys.modules)
    wall, cpu = request["caller"]
    os.environ[CALLER] = f"{os.getpid()} {time.time() - wall:.6f} {cpu + unbilled:.6f}"
    threading.Thread(target=_watch, args=(conn,), daemon=True).start()
    sys.orig_argv = [sys.executable]  # importing the package now must not hand off again
    importlib.import_module(package)
    sys.orig_argv = [sys.executable, "-m", request["module"], *request["args"]]
    sys.argv = ["-m", *request["args"]]
    code = _run_module(request["module"])
    _remember(before, package, path)
    os._exit(code)


def _streams(encodings: list[list[str]]) -> None:
    """New sys.stdin, stdout and stderr on file descriptors 0-2, as Python opens them."""
    unbuffered = bool(os.environ.get("PYTHONUNBUFFERED"))  # sys.flags has no such field

    def text(fd: int, mode: str, encoding: str, errors: str, line: bool) -> io.TextIOWrapper:
        buffering = 0 if unbuffered and mode == "w" else -1
        raw = open(fd, mode + "b", buffering=buffering, closefd=False)  # noqa: SIM115 - kept open
        return io.TextIOWrapper(
            raw, encoding, errors, line_buffering=line, write_through=unbuffered and mode == "w"
        )

    (in_enc, in_err), (out_enc, out_err), (err_enc, err_err) = encodings
    sys.stdin = sys.__stdin__ = text(0, "r", in_enc, in_err, False)
    sys.stdout = sys.__stdout__ = text(1, "w", out_enc, out_err, os.isatty(1))
    sys.stderr = sys.__stderr__ = text(2, "w", err_enc, err_err, True)


def _run_module(module: str) -> int:
    """Run `module` as `__main__` and return the exit code a fresh `python -m` would have."""
    code = 0
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as stop:
        code = _exit_code(stop.code)
    except KeyboardInterrupt as stop:
        traceback.print_exception(_from_the_stage(stop))
        code = -signal.SIGINT
    except BaseException as error:
        sys.excepthook(type(error), _from_the_stage(error), error.__traceback__)
        code = 1
    threading._shutdown()  # what the interpreter does at exit: join non-daemon threads
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or 120  # Python's own code when flushing at exit fails
    if code == -signal.SIGINT:  # end by the signal, as Python does after Ctrl-C
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    return code


def _from_the_stage(error: BaseException) -> BaseException:
    """`error` with its traceback from the stage's own code on: no frame of this module's or
    runpy's, as a fresh process shows it."""
    tb = error.__traceback__
    while tb and tb.tb_frame.f_code.co_filename in (__file__, runpy.__file__, "<frozen runpy>"):
        tb = tb.tb_next
    return error.with_traceback(tb)


def _exit_code(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, int):
        return value & 0xFF
    print(value, file=sys.stderr)
    return 1


def _reseed() -> None:
    """A fork shares its parent's random state; a fresh process would not."""
    import random

    random.seed()
    if "numpy.random" in sys.modules:
        sys.modules["numpy.random"].seed()


def _watch(conn: socket.socket) -> None:
    """Stop this stage when its caller goes away (the connection closes)."""
    conn.settimeout(None)
    try:
        while conn.recv(64):
            pass
    except OSError:
        pass
    os.kill(os.getpid(), signal.SIGTERM)


def forget(package: str) -> None:
    """Drop the package's own modules, so that the next import reads them from disk."""
    for name in [n for n in sys.modules if n == package or n.startswith(f"{package}.")]:
        del sys.modules[name]


def _remember(before: set[str], package: str, path: Path) -> None:
    """Add the installed libraries this stage imported to what the server imports next."""
    roots = tuple(
        sysconfig.get_path(name) + os.sep
        for name in ("stdlib", "platstdlib", "purelib", "platlib")
    )
    fresh = sorted(
        name
        for name in set(sys.modules) - before
        if name.split(".")[0] != package
        and str(getattr(sys.modules[name], "__file__", None) or "").startswith(roots)
    )
    if fresh:
        _add(path.with_suffix(".imports"), fresh)


def learned(path: Path) -> list[str]:
    """The libraries stages imported that the server had not (in the order first seen)."""
    return _read(path.with_suffix(".imports"))


def refused(path: Path) -> set[str]:
    """Modules the server must not import: they started a thread."""
    return set(_read(path.with_suffix(".refused")))


def refuse(path: Path, name: str) -> None:
    _add(path.with_suffix(".refused"), [name])


def _read(file: Path) -> list[str]:
    try:
        return file.read_text(encoding="utf-8").split()
    except OSError:
        return []


def _add(file: Path, names: list[str]) -> None:
    with file.with_suffix(file.suffix + ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        known = _read(file)
        new = [name for name in names if name not in set(known)]
        if new:
            staged = file.with_suffix(f"{file.suffix}.{os.getpid()}")
            staged.write_text("\n".join(known + new) + "\n", encoding="utf-8")
            os.replace(staged, file)
