"""Fixtures shared by every suite: real redis-server and PostgreSQL servers,
started once per test session from the Debian packages."""

from __future__ import annotations

import pytest

from infra.localservices import start_postgres, start_redis


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    service = start_redis(tmp_path_factory.mktemp("redis"))
    yield service.url
    service.stop()


@pytest.fixture(scope="session")
def postgres_url():
    service = start_postgres()
    yield service.url
    service.stop()
