"""Signing in with an OpenID Connect provider in real headless Chromium
(client/e2e/oidc.test.mjs): the embedded server configured with the test
provider (a process of its own on loopback, tests/functions/oidc_provider.py),
its button on the sign-in screen, the provider's login page, and back signed
in; a guest who signs in keeps their name and friends."""

import pytest

from infra.localservices import free_port
from tests.embedded.chromium import run_client_e2e
from tests.embedded.conftest import start_server, stop_server
from tests.functions.oidc_fixtures import CLIENT_ID, CLIENT_SECRET, provider_url  # noqa: F401 (a fixture)


@pytest.fixture(scope="module")
def with_provider(tmp_path_factory, provider_url):  # noqa: F811
    proc, url = start_server(
        tmp_path_factory.mktemp("data"), free_port(), tmp_path_factory.mktemp("log") / "server.log",
        VIRTUBAR_OIDC_ISSUER=provider_url, VIRTUBAR_OIDC_CLIENT_ID=CLIENT_ID,
        VIRTUBAR_OIDC_CLIENT_SECRET=CLIENT_SECRET, VIRTUBAR_OIDC_NAME="Test ID",
    )
    yield url
    stop_server(proc)


def test_oidc_sign_in_in_chromium(with_provider):
    run_client_e2e(with_provider, ["node", "--test", "--test-concurrency=1", "e2e/oidc.test.mjs"])
