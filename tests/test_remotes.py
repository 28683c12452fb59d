"""The cloud remotes for real: push to a local S3, GCS or Azure server, clone, pull, rerun nothing.

Each server listens on 127.0.0.1 only and lives for this module. The endpoint and the
credentials go where the README tells a user to put them, the git-ignored `.dvc/config.local`
(`dvc remote modify --local`) or the environment, so the test also proves nothing secret is
committed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from conftest import TEMPLATE, bake, run, shared_setup

BUCKET = "thrifty-test"
SLUG = "thrifty-demo"
# Azurite's well-known development account (public, documented by Microsoft); not a secret.
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
AZURITE_VERSION = "3"
# Installed once, next to `make demo`'s bake (git-ignored; `make clean` removes it).
AZURITE_HOME = TEMPLATE / "build" / "azurite"
# A hung transfer fails the test instead of the session; a round trip takes seconds.
NETWORK_TIMEOUT = 120


def free_port() -> int:
    """A port free on the loopback now, for servers that cannot report the one they bound."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited {process.returncode}:\n{log.read_text()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    pytest.fail(f"nothing listened on 127.0.0.1:{port} within {seconds} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def s3() -> dict:
    """moto's S3 server in a thread, with the bucket made (`dvc push` does not make one)."""
    boto3 = pytest.importorskip("boto3")
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    # Credentials from the environment, as AWS_PROFILE or a CI secret would provide them;
    # no metadata server is asked (it would be an address off this machine).
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=env["AWS_DEFAULT_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=BUCKET)
    yield {"local": {"endpointurl": endpoint}, "env": env}
    server.stop()


@pytest.fixture(scope="module")
def gs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """gcp-storage-emulator in a thread, with the bucket made; anonymous access."""
    from gcp_storage_emulator.server import create_server

    port = free_port()
    data = tmp_path_factory.mktemp("gcs")
    server = create_server("127.0.0.1", port, in_memory=True, default_bucket=BUCKET, data_dir=data)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    yield {
        "local": {"endpointurl": endpoint, "allow_anonymous_login": "true"},
        "env": {
            "STORAGE_EMULATOR_HOST": endpoint,
            # google-auth must not probe the GCE metadata server, off this machine.
            "NO_GCE_CHECK": "true",
            # gcsfs (2025.x+) asks a gRPC control plane for each bucket's layout, which the
            # emulator lacks: every call then waits 60 s before falling back to plain JSON.
            "GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT": "false",
        },
    }
    server.stop()


def azurite_bin(cache: Path) -> Path:
    """Azurite's blob server from npm, installed once into `cache`; skip, saying why, if not."""
    binary = cache / "node_modules" / ".bin" / "azurite-blob"
    if binary.exists():
        return binary
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"Azurite (npm) needs Node.js; not on PATH: {', '.join(missing)}")
    result = subprocess.run(
        ["npm", "install", "--prefix", str(cache), "--no-audit", "--no-fund", "--loglevel=error"]
        + [f"azurite@{AZURITE_VERSION}"],
        capture_output=True,
        text=True,
        env=os.environ | {"npm_config_cache": str(cache / "npm-cache")},
    )
    if result.returncode != 0 or not binary.exists():
        # npm's own words without its stack frames: the error code and the address it tried.
        words = [line for line in result.stderr.splitlines() if "    at " not in line]
        pytest.skip(f"npm could not install azurite@{AZURITE_VERSION}: {' '.join(words)[:600]}")
    return binary


@pytest.fixture(scope="module")
def azure(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Azurite's blob server as a subprocess, with the container made."""
    from azure.storage.blob import BlobServiceClient

    binary = azurite_bin(AZURITE_HOME)
    port = free_port()
    folder = tmp_path_factory.mktemp("azurite")
    log = folder / "azurite.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(binary), "--blobHost", "127.0.0.1", "--blobPort", str(port), "--silent"]
            + ["--skipApiVersionCheck", "--location", str(folder)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, server, log)
        connection = (
            f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};"
            f"AccountKey={AZURITE_KEY};BlobEndpoint=http://127.0.0.1:{port}/{AZURITE_ACCOUNT};"
        )
        BlobServiceClient.from_connection_string(connection).create_container(BUCKET)
        yield {"local": {"connection_string": connection}, "env": {}}
    finally:
        server.terminate()
        server.wait(timeout=10)


def cached_outs(project: Path) -> list[Path]:
    """The outputs `dvc push` sends to the remote (those not marked `cache: false`)."""
    found = []
    for stage in yaml.safe_load((project / "dvc.yaml").read_text())["stages"].values():
        for out in stage.get("outs", []):
            path, options = next(iter(out.items())) if isinstance(out, dict) else (out, {})
            if options.get("cache", True):
                found.append(Path(path))
    return found


def connect(project: Path, server: dict) -> dict[str, str]:
    """Point the remote at the server as a user would; return the environment to run DVC in."""
    for key, value in server["local"].items():
        run([".venv/bin/dvc", "remote", "modify", "--local", "storage", key, value], project)
    # The endpoint and any secret stay in the git-ignored .dvc/config.local.
    assert run(["git", "status", "--porcelain"], project).stdout == ""
    return os.environ | server["env"]


@pytest.mark.parametrize("remote", ["s3", "gs", "azure"])
def test_push_clone_pull_reruns_nothing(remote, tmp_path, request):
    server = request.getfixturevalue(remote)
    url = f"{remote}://{BUCKET}/{SLUG}"  # the option's name is its URL scheme
    origin = shared_setup(bake(tmp_path / "origin", dvc_remote=remote, dvc_remote_url=url))
    config = (origin / ".dvc" / "config").read_text()
    assert f"url = {url}" in config and "remote = storage" in config
    env = connect(origin, server)
    run([".venv/bin/dvc", "repro"], origin, env=env, timeout=NETWORK_TIMEOUT)
    run(["git", "add", "--all"], origin)
    run(["git", "commit", "--quiet", "-m", "First run"], origin)
    pushed = run([".venv/bin/dvc", "push"], origin, env=env, timeout=NETWORK_TIMEOUT)
    assert "pushed" in pushed.stdout

    clone = tmp_path / "clone"
    run(["git", "clone", "--quiet", str(origin), str(clone)], tmp_path)
    shared_setup(clone)
    assert not (clone / ".dvc" / "config.local").exists(), "the --local config was committed"
    outs = cached_outs(clone)
    assert outs and not any((clone / out).exists() for out in outs)
    env = connect(clone, server)
    run([".venv/bin/dvc", "pull"], clone, env=env, timeout=NETWORK_TIMEOUT)
    assert all((clone / out).exists() for out in outs)
    status = run([".venv/bin/dvc", "status"], clone, env=env, timeout=NETWORK_TIMEOUT).stdout
    assert status.strip().endswith("up to date."), status
    repro = run([".venv/bin/dvc", "repro"], clone, env=env, timeout=NETWORK_TIMEOUT).stdout
    assert "Running stage" not in repro, repro
    assert run(["git", "status", "--porcelain"], clone).stdout == ""
