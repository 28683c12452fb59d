"""The warm start (core/warm.py): a real server, real `python -m` processes, real signals.

The stages run here belong to a small package written into a temporary folder (`probe`): its
`__init__.py` hands off to the warm server exactly as this project's does, and its modules
report what they saw. A run is warm when the stage's pid is not the caller's.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from {{ cookiecutter.module_name }}.core import warm

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the warm start is Linux only")

INIT = """
from {{ cookiecutter.module_name }}.core.warm import hand_off

hand_off(__name__)
"""
# Each probe module works only as `__main__`, as the project's stages do: the server imports
# every module of a package it serves.
ECHO = """
import json, os, sys
from pathlib import Path

if __name__ == "__main__":
    seen = {"pid": os.getpid(), "argv": sys.argv[1:], "cwd": os.getcwd(), "name": __name__,
            "file": Path(sys.argv[0]).name, "seen": os.environ.get("PROBE_SEEN"),
            "stdin": sys.stdin.read(), "version": VERSION}
    json.dump(seen, sys.stdout)
"""
FAIL = """
import sys
import tempfile

if __name__ == "__main__":
    how = sys.argv[1]
    print("before", how, flush=True)
    if how == "code":
        sys.exit(3)
    if how == "text":
        sys.exit("a message from the stage")
    raise ValueError("boom")
"""
SLEEP = """
import os, sys, time
from pathlib import Path

if __name__ == "__main__":
    Path(sys.argv[1]).write_text(str(os.getpid()))
    try:
        time.sleep(60)
    except KeyboardInterrupt:
        Path(sys.argv[1] + ".interrupted").write_text("yes")
        raise
"""
COST = """
import json
from {{ cookiecutter.module_name }}.core import receipts

if __name__ == "__main__":
    wall, cpu = receipts.process_cost()
    own = receipts.wall_on_linux()
    json.dump({"wall": wall, "own": own, "cpu": cpu}, open("cost.json", "w"))
"""
COLLECTOR = """
import gc, json, sys

if __name__ == "__main__":
    cycle = []
    cycle.append(cycle)
    del cycle
    seen = {"enabled": gc.isenabled(), "frozen": gc.get_freeze_count(), "freed": gc.collect()}
    json.dump(seen, sys.stdout)
"""
SPAWNER = """
import os, threading, time

threading.Thread(target=time.sleep, args=(600,), daemon=True).start()

if __name__ == "__main__":
    print(os.getpid())
"""


@pytest.fixture
def probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding the package `probe`; its server, if any, stops with the test."""
    package = tmp_path / "probe"
    package.mkdir()
    for name, text in {
        "__init__": INIT,
        "echo": "VERSION = 1\n" + ECHO,
        "fail": FAIL,
        "sleep": SLEEP,
        "cost": COST,
        "collector": COLLECTOR,
    }.items():
        (package / f"{name}.py").write_text(text)
    run = Path(tempfile.mkdtemp(prefix="run-", dir="/tmp"))  # socket paths must be short
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run))
    monkeypatch.setenv("THRIFTY_WARM_IDLE", "60")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))  # read by servers too: set before any
    yield tmp_path
    shutil.rmtree(run)  # a server whose socket is gone leaves within 5 s


def stage(cwd: Path, module: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    """Run `python -m probe.<module> args`; the result also holds the caller's `pid`."""
    command = [sys.executable, "-m", f"probe.{module}", *args]
    text = kwargs.pop("input", None)
    with subprocess.Popen(
        command,
        cwd=cwd,
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kwargs,
    ) as process:
        out, err = process.communicate(text or "", timeout=120)
    result = subprocess.CompletedProcess(command, process.returncode, out, err)
    result.pid = process.pid
    return result


def served(cwd: Path) -> Path:
    """Start the probe's server (a first, cold run) and wait until it listens."""
    stage(cwd, "echo")
    path = warm.socket_path("probe")
    assert path is not None
    for _ in range(600):
        if path.exists():
            return path
        time.sleep(0.1)
    log = path.with_suffix(".log")
    pytest.fail(f"no warm server after 60 s; its log:\n{log.read_text() if log.exists() else ''}")


def echo(cwd: Path) -> dict:
    result = stage(cwd, "echo")
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["pid"] != result.pid, "not served warm"
    return seen


def test_a_warm_stage_sees_what_a_cold_one_sees(probe: Path) -> None:
    served(probe)
    work = probe / "work"
    work.mkdir()
    env = {**os.environ, "PROBE_SEEN": "yes"}
    hot = stage(work, "echo", "a", "b c", input="from stdin", env=env)
    cold = stage(work, "echo", "a", "b c", input="from stdin", env={**env, "THRIFTY_WARM": "0"})
    assert hot.returncode == cold.returncode == 0, hot.stderr + cold.stderr
    hot_seen, cold_seen = json.loads(hot.stdout), json.loads(cold.stdout)
    assert hot_seen.pop("pid") != hot.pid  # forked by the server: warm
    assert cold_seen.pop("pid") == cold.pid  # THRIFTY_WARM=0: the caller ran it
    assert hot_seen == cold_seen
    assert hot_seen["argv"] == ["a", "b c"] and hot_seen["stdin"] == "from stdin"
    assert hot_seen["cwd"] == str(work) and hot_seen["seen"] == "yes"
    assert hot_seen["name"] == "__main__" and hot_seen["file"] == "echo.py"
    assert hot.stderr == cold.stderr == ""


def test_a_warm_stages_collector_leaves_the_servers_objects_alone(probe: Path) -> None:
    """The server freezes its objects before it forks: the stage's collections walk only the
    stage's own objects (and collect its garbage), never the libraries it shares."""
    served(probe)
    hot = stage(probe, "collector")
    cold = stage(probe, "collector", env={**os.environ, "THRIFTY_WARM": "0"})
    assert hot.returncode == cold.returncode == 0, hot.stderr + cold.stderr
    hot_seen, cold_seen = json.loads(hot.stdout), json.loads(cold.stdout)
    assert hot_seen["frozen"] > 1000 and cold_seen["frozen"] == 0
    assert hot_seen["enabled"] and hot_seen["freed"] >= 1 and cold_seen["freed"] >= 1


def test_exit_codes_output_and_tracebacks_are_the_stages(probe: Path) -> None:
    served(probe)
    for how, code in (("code", 3), ("text", 1), ("raise", 1)):
        hot = stage(probe, "fail", how)
        cold = stage(probe, "fail", how, env={**os.environ, "THRIFTY_WARM": "0"})
        assert hot.returncode == cold.returncode == code, (how, hot.stderr)
        assert hot.stdout == cold.stdout == f"before {how}\n"
        # The same message and stage frames (a cold run adds two of runpy's first).
        assert hot.stderr.splitlines()[-3:] == cold.stderr.splitlines()[-3:]
    assert hot.stderr.splitlines()[0] == "Traceback (most recent call last):"
    assert "ValueError: boom" in hot.stderr and "warmrun" not in hot.stderr


def test_an_edit_to_the_code_is_run_at_once(probe: Path) -> None:
    served(probe)
    assert echo(probe)["version"] == 1
    (probe / "probe" / "echo.py").write_text("VERSION = 2\n" + ECHO)
    assert echo(probe)["version"] == 2


def gone(pid: int) -> bool:
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def started(process: subprocess.Popen, pidfile: Path) -> int:
    for _ in range(600):
        if pidfile.exists() and pidfile.read_text():
            return int(pidfile.read_text())
        assert process.poll() is None, process.communicate()
        time.sleep(0.1)
    pytest.fail("the sleeping stage never started")


def test_ctrl_c_reaches_the_stage_and_ends_the_caller_alike(probe: Path) -> None:
    served(probe)
    pidfile = probe / "sleep.pid"
    with subprocess.Popen(
        [sys.executable, "-m", "probe.sleep", str(pidfile)], cwd=probe, stderr=subprocess.PIPE
    ) as process:
        pid = started(process, pidfile)
        assert pid != process.pid
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    assert process.returncode == -signal.SIGINT
    assert b"KeyboardInterrupt" in err
    assert (probe / "sleep.pid.interrupted").exists() and gone(pid)


def test_a_killed_caller_takes_its_stage_with_it(probe: Path) -> None:
    served(probe)
    pidfile = probe / "sleep.pid"
    with subprocess.Popen([sys.executable, "-m", "probe.sleep", str(pidfile)], cwd=probe) as p:
        pid = started(p, pidfile)
        p.kill()
        p.wait(timeout=30)
    assert gone(pid), "the stage outlived its caller"


def test_the_receipt_counts_from_the_callers_start(probe: Path) -> None:
    served(probe)
    began = time.monotonic()
    assert stage(probe, "cost").returncode == 0
    spent = time.monotonic() - began
    cost = json.loads((probe / "cost.json").read_text())
    assert cost["own"] < cost["wall"] <= spent + 0.05
    assert cost["cpu"] > 0


def test_a_bad_switch_is_named_and_the_stage_runs_cold(probe: Path) -> None:
    served(probe)
    for name, value in (("THRIFTY_WARM", "yes"), ("THRIFTY_WARM_IDLE", "soon")):
        result = stage(probe, "echo", env={**os.environ, name: value})
        assert result.returncode == 0
        assert "THRIFTY_WARM must be 0 or 1" in result.stderr and repr(value) in result.stderr
        assert json.loads(result.stdout)["pid"] == result.pid


def test_an_idle_server_leaves(probe: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THRIFTY_WARM_IDLE", "1")
    path = served(probe)
    for _ in range(300):
        if not path.exists():
            return
        time.sleep(0.1)
    pytest.fail("the server was still there 30 s after its idle second")


def test_a_module_that_starts_a_thread_on_import_is_left_out(probe: Path) -> None:
    # No process may fork while another of its threads runs: the first server imports this,
    # notes it and leaves; the next one serves without it, and the module runs warm as a stage.
    (probe / "probe" / "spawner.py").write_text(SPAWNER)
    path = warm.socket_path("probe")
    stage(probe, "echo")
    refused = path.with_suffix(".refused")
    for _ in range(600):
        if refused.exists():
            break
        time.sleep(0.1)
    assert refused.read_text().split() == ["probe.spawner"]
    served(probe)
    result = stage(probe, "spawner")
    assert result.returncode == 0 and int(result.stdout) != result.pid, result.stderr
