"""A node started under Debian's default soft limit of 1,024 open files
raises it to the hard limit, so it is not stopped near a thousand players;
unless its operator says, it takes as many players as half its memory holds
and its open files allow."""

import json
import os
import resource
import subprocess
import sys

import pytest

from infra.localservices import _wait_port, free_port
from tests.edge.conftest import REPO, SECRET
from virtubar.oslimits import EDGE_PLAYER_BYTES, memory_bytes, node_capacity

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
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        assert open_files_limit(proc.pid) == hard
        started = next(json.loads(line) for line in (tmp_path / "edge.log").read_text().splitlines()
                       if '"edge_started"' in line)
        assert started["capacity"] == node_capacity(memory_bytes(), hard, EDGE_PLAYER_BYTES)
    finally:
        proc.terminate()
        proc.wait(15)


GB = 1024**3


def test_capacity_is_what_half_the_memory_holds_within_the_open_files():
    assert node_capacity(4 * GB, 1_048_576, 32 * 1024) == 65_536
    assert node_capacity(4 * GB, 20_000, 32 * 1024) == 20_000 - 256  # a few files kept for the node itself
    assert node_capacity(64 * 1024**2, 1_048_576, 1024**2) == 32
    assert node_capacity(1024, 1024, 1024**2) == 1  # a tiny machine still takes one


def test_memory_is_the_containers_limit_where_one_is_set(tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:        8000000 kB\nMemFree:         100 kB\n")
    limit = tmp_path / "memory.max"
    assert memory_bytes(meminfo, tmp_path / "absent") == 8_000_000 * 1024
    limit.write_text("max\n")
    assert memory_bytes(meminfo, limit) == 8_000_000 * 1024
    limit.write_text(f"{2 * GB}\n")
    assert memory_bytes(meminfo, limit) == 2 * GB
