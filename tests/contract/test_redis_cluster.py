"""On a Redis Cluster (VIRTUBAR_REDIS_CLUSTER=true) the functions' rate
limits hold across instances like on one Redis, ``rediss://`` reaches a
TLS-only cluster (as ElastiCache runs with in-transit encryption), and the
setting is read strictly. The state and bus conformance suites also run on
the cluster (tests/contract/test_state_and_registry.py, tests/edge/test_bus.py)."""

import ssl

import pytest
import redis.exceptions
from litestar.testing import AsyncTestClient

from functions import create_app
from infra.localservices import make_tls, start_redis_cluster
from virtubar import keys
from virtubar.bus import RedisStreamsBus
from virtubar.settings import Settings
from virtubar.state import RedisState


@pytest.fixture
async def cluster_state(redis_cluster_url):
    state = RedisState(redis_cluster_url, cluster=True)
    await state._redis.flushdb()
    yield state
    await state.close()


async def test_the_signup_limit_is_shared_by_two_api_instances_on_the_cluster(tmp_path, cluster_state,
                                                                               redis_cluster_url):
    settings = Settings(data=tmp_path, database_url=f"sqlite:///{tmp_path / 'api.sqlite3'}", guests_per_hour=3,
                        redis_url=redis_cluster_url, redis_cluster=True).completed()
    first, second = create_app(settings), create_app(settings)  # each with its own cluster client, as on Lambda
    await first.state["services"].db.migrate()
    async with AsyncTestClient(first) as a, AsyncTestClient(second) as b:
        codes = [(await c.post("/api/auth/anonymous")).status_code for c in (a, b, a)]
        assert codes == [201, 201, 201]
        refused = await b.post("/api/auth/anonymous")
        assert refused.status_code == 429 and 3500 <= int(refused.headers["retry-after"]) <= 3600
        guess = await a.post("/api/auth/login", json={"login": "x", "password": "y"})
        assert guess.status_code == 401  # the login counter (another slot) is untouched


async def test_a_key_without_a_hash_tag_is_refused_clearly(cluster_state):
    with pytest.raises(ValueError, match=r"needs a \{hash tag\}"):
        await cluster_state.put("room:1:members", "ada", b"", 10)


@pytest.mark.parametrize(("value", "cluster"), [("true", True), ("1", True), ("false", False), ("", False)])
def test_the_cluster_setting_reads_true_or_false(monkeypatch, tmp_path, value, cluster):
    monkeypatch.setenv("VIRTUBAR_DATA", str(tmp_path))
    monkeypatch.setenv("VIRTUBAR_REDIS_CLUSTER", value)
    assert Settings.from_env().redis_cluster is cluster


def test_a_bad_cluster_setting_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("VIRTUBAR_DATA", str(tmp_path))
    monkeypatch.setenv("VIRTUBAR_REDIS_CLUSTER", "cluster")
    with pytest.raises(ValueError, match="VIRTUBAR_REDIS_CLUSTER must be true or false"):
        Settings.from_env()



@pytest.fixture(scope="module")
def tls_cluster(tmp_path_factory):
    """A TLS-only 3-master cluster; its certificate is what a client trusts."""
    tls = make_tls(tmp_path_factory.mktemp("tls"))
    service = start_redis_cluster(tmp_path_factory.mktemp("tls-cluster"), tls=tls)
    yield service.url, tls / "redis.crt"
    service.stop()


async def test_rediss_reaches_a_tls_only_cluster_for_state_and_bus(tls_cluster, monkeypatch):
    url, ca = tls_cluster
    assert url.startswith("rediss://")
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))  # as a public CA is trusted on AWS
    state, bus = RedisState(url, cluster=True), RedisStreamsBus(url, cluster=True)
    try:
        for room in ("r1", "r2", "r3"):  # rooms in different slots, so on different masters
            await state.put(keys.room_members(room), "ada", b"here", 30)
            await bus.subscribe(room)
        assert await state.counts([keys.room_members(r) for r in ("r1", "r2", "r3")]) == [1, 1, 1]
        await bus.publish("r3", b"hello")
        got = []
        while not got:
            got = await bus.read(1.0)
        assert [(d.room, d.data) for d in got] == [("r3", b"hello")]
    finally:
        await state.close()
        await bus.close()


async def test_the_tls_cluster_refuses_plain_connections_and_untrusted_certificates(tls_cluster):
    url, _ = tls_cluster
    unreachable = (redis.exceptions.RedisError, redis.exceptions.RedisClusterException, ssl.SSLError)
    plain = RedisState(url.replace("rediss://", "redis://"), cluster=True)
    with pytest.raises(unreachable):
        await plain.members(keys.room_members("r1"))
    await plain.close()
    untrusted = RedisState(url, cluster=True)  # the test certificate is not in the default trust store
    with pytest.raises(unreachable) as refused:
        await untrusted.members(keys.room_members("r1"))
    assert "certificate verify failed" in str(refused.value)
    await untrusted.close()
