"""A warm start for `python -m <package>.<stage>`: libraries imported once, each stage forked.

Most of what `dvc repro` waits for is not work but imports: every stage is a fresh Python
process, and scikit-learn, SciPy, pandas and matplotlib take 1-3 s to import. So the first
stage that runs starts a server in the background (`python -m <package>.core.warmserve`),
which imports the stage modules, then forgets the package's own modules and keeps
the libraries. A later `python -m <package>.<stage>` (the package's `__init__.py` calls
`hand_off`) sends its command, working directory, environment and standard streams to the
server and waits; the server forks, and the fork imports the project's code afresh from disk
and runs the stage exactly as a fresh process would (`warmrun.py`). The caller exits with the
stage's exit code, and forwards Ctrl-C and other signals to it.

- One server per package, interpreter, installed libraries, thread settings and version of
  the warm files: `make setup`, `pip install`, or an edit of `warm*.py` starts another.
  Libraries a stage imported lazily (inside a function) are imported by the server too,
  after that stage, so the next run has them warm. A server leaves after 15 minutes
  without a stage (`THRIFTY_WARM_IDLE` seconds), or when its socket file is deleted.
- `THRIFTY_WARM=0` turns it off; so does any interpreter option (`python -X importtime -m …`).
  Linux only: elsewhere every stage starts cold.
- Only standard-library imports run before a warm stage starts.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import signal
import socket
import sys
import sysconfig
from pathlib import Path

IDLE_SECONDS = 900.0  # a labeling session between two runs; THRIFTY_WARM_IDLE sets another
# Environment variables read while libraries import (threads, locale, Python's own): a
# server imported its libraries under one set of them.
KEYED = ("PYTHON", "OMP_", "OPENBLAS_", "MKL_", "NUMEXPR_", "KMP_", "MPL", "SKLEARN_", "JOBLIB_")
KEYED += ("LOKY_", "DASK_", "LC_", "LANG", "TZ", "XDG_CONFIG", "XDG_CACHE")
KEYED_EXACT = ("HOME", "LD_PRELOAD", "LD_LIBRARY_PATH", "THRIFTY_WARM_IDLE")
# Signals the caller passes on to its stage (Ctrl-C, DVC stopping it, a resized terminal).
# By name: Windows has few of them, and imports this file too (where it always runs cold).
FORWARDED = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGWINCH", "SIGUSR1", "SIGUSR2")


def idle_seconds() -> float | None:
    """How long a server waits for the next stage (`THRIFTY_WARM_IDLE`); None if not a number."""
    text = os.environ.get("THRIFTY_WARM_IDLE", "")
    try:
        seconds = float(text) if text else IDLE_SECONDS
    except ValueError:
        return None
    return seconds if 0 < seconds < float("inf") else None


def folder() -> Path | None:
    """This user's private folder for servers' sockets, or None when it is not private."""
    base = os.environ.get("XDG_RUNTIME_DIR") or os.environ.get("TMPDIR") or "/tmp"
    path = Path(base) / f"thrifty-warm-{os.getuid()}"
    try:
        path.mkdir(mode=0o700, exist_ok=True)
        st = path.stat()
    except OSError:
        return None
    # Another user's folder could hold a socket that receives our environment.
    return path if st.st_uid == os.getuid() and not st.st_mode & 0o077 else None


def key(package: str) -> str:
    """What a server's imports depend on: package, interpreter, libraries, environment, code."""
    here = Path(__file__).parent
    parts = [package, sys.executable, sys.version]
    parts += [
        str((here / f"{name}.py").stat().st_mtime_ns) for name in ("warm", "warmserve", "warmrun")
    ]
    for name in sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}):
        parts.append(f"{name}:{os.stat(name).st_mtime_ns}")
    parts += sorted(
        f"{k}={v}" for k, v in os.environ.items() if k.startswith(KEYED) or k in KEYED_EXACT
    )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def socket_path(package: str) -> Path | None:
    """Where this interpreter's server listens, or None when no warm start is possible."""
    switch = os.environ.get("THRIFTY_WARM", "1")
    if sys.platform != "linux" or switch == "0":
        return None
    if switch != "1" or idle_seconds() is None:
        print(
            "warning: THRIFTY_WARM must be 0 or 1 and THRIFTY_WARM_IDLE a number of seconds"
            f" above 0 (got {switch!r} and {os.environ.get('THRIFTY_WARM_IDLE', '')!r});"
            " this stage starts cold",
            file=sys.stderr,
        )
        return None
    here = folder()
    path = here / f"{key(package)}.sock" if here else None
    return path if path and len(str(path)) < 100 else None  # AF_UNIX paths are short


def hand_off(package: str) -> None:
    """Run this `python -m package.stage` in the warm server and exit with its exit code.

    Returns, and the caller runs cold, when this process is not such a command or no server
    answers; a server is then started for the next stage.
    """
    argv = getattr(sys, "orig_argv", [])
    module = argv[2] if len(argv) > 2 and argv[1] == "-m" else ""
    stage = module.removeprefix(f"{package}.")
    if stage == module or not stage.isidentifier() or stage == "__main__":
        return
    path = socket_path(package)
    if path is None:
        return
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(str(path))
        _send(conn, module, argv[3:])
        replies = conn.makefile("rb")
        first = replies.readline().split()
    except OSError:
        first = []
    if len(first) != 2 or first[0] != b"pid":  # no server, or one that is leaving: run cold
        conn.close()
        start_server(package, path)
        return
    sys.exit(_wait(replies, int(first[1])))


def _send(conn: socket.socket, module: str, args: list[str]) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    wall, cpu = _own_cost()
    request = {
        "module": module,
        "args": args,
        "cwd": os.getcwd(),
        "path": sys.path,
        "env": dict(os.environ),
        "umask": umask,
        "streams": [[s.encoding, s.errors] for s in (sys.stdin, sys.stdout, sys.stderr)],
        "caller": [wall, cpu],
    }
    body = json.dumps(request).encode()
    fds = [fd if _is_open(fd) else os.open(os.devnull, os.O_RDWR) for fd in (0, 1, 2)]
    socket.send_fds(conn, [len(body).to_bytes(8, "big") + body], fds)


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def _own_cost() -> tuple[float, float]:
    """(wall, CPU) seconds this caller has spent so far (no psutil: it is not imported yet)."""
    from .receipts import wall_on_linux

    times = os.times()
    try:
        wall = wall_on_linux()
    except (OSError, ValueError, IndexError):
        wall = 0.0
    return wall, times.user + times.system


def _wait(replies: io.BufferedReader, pid: int) -> int:
    """Forward signals to the stage `pid` the server forked, and return its exit code."""

    def forward(signum: int, _frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

    for name in FORWARDED:
        signal.signal(getattr(signal, name), forward)
    last = replies.readline().split()
    if last[:1] != [b"exit"]:
        print("error: the warm server ended before the stage did", file=sys.stderr)
        return 1
    code = int(last[1])
    if code < 0:  # killed by a signal: end the same way, as a shell or DVC expects
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
        return 128 - code
    return code


def start_server(package: str, path: Path) -> None:
    """Start the server for `path` in the background, detached from this process."""
    import subprocess

    env = {**os.environ, "THRIFTY_WARM_PATH": os.pathsep.join(sys.path)}
    with path.with_suffix(".log").open("ab") as log:
        subprocess.Popen(
            [sys.executable, "-m", f"{__package__}.warmserve", str(path), package],
            cwd="/",
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
