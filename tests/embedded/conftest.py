"""The embedded server, started the way the README says: `virtubar up`."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from infra.localservices import free_port


def start_server(data: Path, port: int, log: Path, **settings: str | None) -> tuple[subprocess.Popen, str]:
    """``virtubar up`` on ``data`` and ``port`` (with ``settings``, more
    ``VIRTUBAR_*`` variables; None leaves one at its default), once it
    answers; its output goes to ``log``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIRTUBAR_")}
    wanted = {
        "VIRTUBAR_SIGNUPS_PER_HOUR": "100000",
        "VIRTUBAR_GUESTS_PER_HOUR": "100000",
        "VIRTUBAR_LOGIN_ATTEMPTS_PER_10_MIN": "100000",  # the fuzzer signs in too
        "VIRTUBAR_REQUESTS_PER_MINUTE": "100000",  # the fuzzer is busy
        "VIRTUBAR_ADMIN_EMAILS": "admin@example.org",
    } | settings
    env |= {k: v for k, v in wanted.items() if v is not None}
    with log.open("w") as out:  # a file: an unread pipe fills and stalls the server
        proc = subprocess.Popen(
            [sys.executable, "-m", "launcher.cli", "up", "--port", str(port), "--data", str(data)],
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            start_new_session=True,  # its own process group: a test can kill the server with its workers
        )
    url, deadline = None, time.monotonic() + 120  # a loaded CI machine starts it slowly
    while url is None and time.monotonic() < deadline and proc.poll() is None:
        if m := re.search(r"open (http://\S+)/", log.read_text()):
            url = m.group(1)
        else:
            time.sleep(0.1)
    if url is None:
        stop_server(proc)
        raise AssertionError(log.read_text())
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    return proc, url


def stop_server(proc: subprocess.Popen) -> None:
    """The server and its workers (its process group), killed if it does not stop in time."""
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture(scope="package")
def embedded(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    proc, url = start_server(data, free_port(), tmp_path_factory.mktemp("log") / "server.log")
    yield url, data
    stop_server(proc)
