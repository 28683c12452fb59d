"""The warm server: imports the libraries once, then forks a process for each stage it is sent.

Started in the background by `warm.start_server`; see `warm.py` for what it is for. It runs
one loop on one thread (no thread may run when it forks): accept a stage, fork, send the
stage's pid, and when the stage ends, send its exit code. It leaves after `THRIFTY_WARM_IDLE`
seconds (default 900) without a stage, or when its socket file is removed or replaced.

Before each fork the server freezes its objects (`gc.freeze`): a stage's garbage collector
then never walks the libraries' hundreds of thousands of objects, so it neither spends the time
nor writes to (and so copies) the memory pages the stage shares with the server. Without it,
each stage of the demo took 0.1-0.9 s longer.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import importlib
import os
import pkgutil
import selectors
import signal
import socket
import sys
import threading
import time
import traceback
from pathlib import Path

from . import warm, warmrun

_tried: set[str] = set()  # modules this server imported or failed to import


def serve(path: Path, package: str) -> None:
    """Serve stages on the socket `path` until idle; returns at once if a server holds it."""
    lock = path.with_suffix(".lock").open("a")
    for _ in range(20):  # a server that is leaving lets go at once; a serving one never
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except OSError:
            time.sleep(0.1)
    else:
        return  # another server is starting or serving
    if preload(package, path):
        return
    unbilled = time.process_time()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    staged = path.with_name(f"{path.name}.{os.getpid()}")
    staged.unlink(missing_ok=True)
    listener.bind(str(staged))
    listener.listen(64)
    os.replace(staged, path)  # clients see the socket only once it is ready
    inode = path.stat().st_ino
    try:
        _loop(listener, path, inode, package, unbilled)
    finally:
        if _is_ours(path, inode):  # first, so that no one else connects; those who did run cold
            path.unlink(missing_ok=True)
        listener.close()


def preload(package: str, path: Path) -> str | None:
    """Import every stage module and the libraries earlier stages imported, then forget the
    package's own modules: a stage must run the code on disk, not the code of an hour ago.

    Returns the module that started a thread, after which this process must not fork again.
    """
    root = importlib.import_module(package)
    names = [f"{package}.{m.name}" for m in pkgutil.iter_modules(root.__path__) if not m.ispkg]
    threaded = _import([*names, *warmrun.learned(path)], path)
    warmrun.forget(package)
    gc.collect()  # the forgotten modules: garbage now, not to be frozen with the libraries
    return threaded


def _import(names: list[str], path: Path) -> str | None:
    """Import `names` not tried before; the first that started a thread stops it (returned)."""
    refused = warmrun.refused(path)
    for name in names:
        if name.endswith(".__main__") or name in _tried or name in refused:
            continue
        _tried.add(name)
        # A module that fails here fails in its stage too, and says why there.
        with contextlib.suppress(BaseException):
            importlib.import_module(name)
        if threading.active_count() > 1:  # a library that started a thread: not forkable
            warmrun.refuse(path, name)
            print(f"{name} starts a thread on import; the next server leaves it out", flush=True)
            return name
    return None


def _loop(listener: socket.socket, path: Path, inode: int, package: str, unbilled: float):
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # a handler, so that SIGCHLD wakes us
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(wake_read, selectors.EVENT_READ)
    stages: dict[int, socket.socket] = {}
    idle = warm.idle_seconds() or warm.IDLE_SECONDS
    last = time.monotonic()
    serving = True
    while True:
        for event, _ in selector.select(timeout=min(5.0, idle)):
            if event.fileobj is listener:
                conn, _ = listener.accept()
                pid = _start(conn, [listener, *stages.values()], path, unbilled)
                unbilled = 0.0
                if pid:
                    stages[pid] = conn
            else:
                while _drain(wake_read):
                    pass
        if _reap(stages) and serving and not _learn(path):
            serving = False  # retire: no new stage, no more forks
            selector.unregister(listener)
            if _is_ours(path, inode):
                path.unlink()
        if stages:
            last = time.monotonic()
        elif time.monotonic() - last > idle or not _is_ours(path, inode):
            return


def _start(conn: socket.socket, others: list[socket.socket], path: Path, unbilled: float) -> int:
    """Read one request from `conn`, fork its stage and tell the caller its pid (0: refused)."""
    conn.settimeout(5.0)
    try:
        request, fds = warmrun.receive(conn)
    except (OSError, ValueError):
        conn.close()
        return 0
    gc.freeze()  # see the module's docstring
    pid = os.fork()
    if pid == 0:
        try:
            for other in others:  # the listener, and other stages' callers
                other.close()
            warmrun.run(request, fds, conn, path, unbilled)
        except BaseException:  # before the stage ran: a fault here, not in the stage
            traceback.print_exc()
            sys.stderr.flush()
        finally:
            os._exit(70)  # EX_SOFTWARE: run() ends the process itself
    for fd in fds:
        os.close(fd)
    with contextlib.suppress(OSError):  # the caller has gone; its stage notices and stops
        conn.sendall(f"pid {pid}\n".encode())
    return pid


def _reap(stages: dict[int, socket.socket]) -> bool:
    """Send the exit code of every stage that has ended; True when one did."""
    ended = False
    while stages:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
        conn = stages.pop(pid, None)
        if conn is None:
            continue
        ended = True
        with contextlib.suppress(OSError):
            conn.sendall(f"exit {os.waitstatus_to_exitcode(status)}\n".encode())
        conn.close()
    return ended


def _learn(path: Path) -> bool:
    """Import the libraries stages imported lazily, so that the next run has them already;
    False when one started a thread (the stages running now finish, then this server leaves).
    """
    return _import(warmrun.learned(path), path) is None


def _drain(fd: int) -> bool:
    try:
        return bool(os.read(fd, 512))
    except BlockingIOError:
        return False


def _is_ours(path: Path, inode: int) -> bool:
    try:
        return path.stat().st_ino == inode
    except OSError:
        return False


if __name__ == "__main__":
    sys.path[:] = os.environ.pop("THRIFTY_WARM_PATH", "").split(os.pathsep)
    serve(Path(sys.argv[1]), sys.argv[2])
