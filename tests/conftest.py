"""Fixtures shared by every suite: real redis-server (single, and a 3-master
Redis Cluster) and PostgreSQL servers, started once per test session from the
Debian packages."""

from __future__ import annotations

import pytest

from infra.localservices import start_postgres, start_redis, start_redis_cluster


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
