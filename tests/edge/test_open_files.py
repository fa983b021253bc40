"""A node started under Debian's default soft limit of 1,024 open files
raises it to the hard limit, so it is not stopped near a thousand players."""

import os
import resource
import subprocess
import sys

import pytest

from infra.localservices import _wait_port, free_port
from tests.edge.conftest import REPO, SECRET

SOFT = 1024


def open_files_limit(pid: int) -> int:
    for line in open(f"/proc/{pid}/limits"):
        if line.startswith("Max open files"):
            return int(line.split()[3])
    raise AssertionError("no open-files line")


def lowered() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (SOFT, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))


@pytest.mark.skipif(resource.getrlimit(resource.RLIMIT_NOFILE)[1] <= SOFT, reason="the hard limit is the default")
def test_the_edge_node_raises_its_open_files_limit(tmp_path):
    port = free_port()
    env = os.environ | {"PYTHONPATH": str(REPO), "VIRTUBAR_TOKEN_SECRET": SECRET, "VIRTUBAR_DATA": str(tmp_path),
                        "VIRTUBAR_PORT": str(port)}
    with (tmp_path / "edge.log").open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "realtime_edge.wsserve"], env=env, stdout=log,
                                stderr=subprocess.STDOUT, cwd=REPO, preexec_fn=lowered)
    try:
        _wait_port(port, 20, proc)
        assert open_files_limit(proc.pid) == resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    finally:
        proc.terminate()
        proc.wait(15)
