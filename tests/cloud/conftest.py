"""The cloud-local mode, started once for the package by the same module
`bash infra/cloud-local.sh` runs, with a stand-in client build (the real one
is built by the client's own suite)."""

import pytest

from infra import cloudlocal


@pytest.fixture(scope="package")
def client_dist(tmp_path_factory):
    dist = tmp_path_factory.mktemp("dist")
    (dist / "index.html").write_text("<!doctype html><title>VirtuBar</title><script src=/assets/app.js></script>")
    (dist / "assets").mkdir()
    (dist / "assets/app.js").write_text("console.log('virtubar')")
    return dist


@pytest.fixture(scope="package", params=["redis", "redis-cluster"])
def cloud(request, tmp_path_factory, client_dist):
    """The whole suite runs on one redis-server, then on a 3-master Redis
    Cluster (``bash infra/cloud-local.sh --redis-cluster``)."""
    started = cloudlocal.start(tmp_path_factory.mktemp("cloud"), api_workers=2, client_dist=client_dist,
                               redis_cluster=request.param == "redis-cluster")
    yield started
    started.stop()
