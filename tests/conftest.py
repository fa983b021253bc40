"""Fixtures shared by every suite: real redis-server (single, and a 3-master
Redis Cluster) and PostgreSQL servers, started once per test session from the
Debian packages.

Every server a fixture starts is stopped and its files deleted, also when a
test fails or the run is interrupted (Ctrl-C, or SIGTERM, turned into the
same KeyboardInterrupt so pytest tears the fixtures down); at the end of the
session no ``virtubar-*`` folder of this run (``infra.localservices.scratch_dir``
names them with its pid; other runs on the machine may be going on) may be
left in the temp dir."""

from __future__ import annotations

import os
import signal
import tempfile
from pathlib import Path

import pytest

from infra.localservices import start_postgres, start_redis, start_redis_cluster


def _leftovers() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob(f"virtubar-*-{os.getpid()}-*")}


_before = pytest.StashKey[set[str]]()


def pytest_configure(config) -> None:
    config.stash[_before] = _leftovers()

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupt)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus) -> None:
    """After every fixture's teardown: a folder this run left behind fails it."""
    left = sorted(_leftovers() - session.config.stash[_before])
    if left:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"left behind in {tempfile.gettempdir()}: {', '.join(left)}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    service = start_redis(tmp_path_factory.mktemp("redis"))
    yield service.url
    service.stop()


@pytest.fixture(scope="session")
def redis_cluster_url(tmp_path_factory):
    """One node of the cluster; clients made with ``cluster=True`` find the rest."""
    service = start_redis_cluster(tmp_path_factory.mktemp("redis-cluster"))
    yield service.url
    service.stop()


@pytest.fixture(scope="session")
def postgres_url():
    service = start_postgres()
    yield service.url
    service.stop()
