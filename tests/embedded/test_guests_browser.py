"""Fifty guests from one address in real headless Chromium against the
embedded server (client/e2e/guests.test.mjs): each browser, its own cookie
jar, signs in as a guest and reaches the room browser; with the guest limit
per address lowered to fifty, the next is told why not in a sentence. The
request limits stay at their defaults, so fifty players arriving within a
minute from behind one router are seen to get in."""

from infra.localservices import free_port
from tests.embedded.chromium import run_client_e2e
from tests.embedded.conftest import start_server, stop_server

LIMIT = "50"  # the default is 200 an hour (tests/functions/test_ratelimit.py); 50 lets the 51st be refused


def test_fifty_guests_from_one_address_get_in_and_the_next_is_told_why_not(tmp_path, monkeypatch):
    monkeypatch.setenv("VIRTUBAR_E2E_GUESTS_PER_HOUR", LIMIT)  # the browser test's; the server's comes below
    proc, url = start_server(tmp_path / "data", free_port(), tmp_path / "server.log",
                             VIRTUBAR_GUESTS_PER_HOUR=LIMIT, VIRTUBAR_REQUESTS_PER_MINUTE=None)
    try:
        run_client_e2e(url, ["node", "--test", "--test-concurrency=1", "e2e/guests.test.mjs"])
    finally:
        stop_server(proc)
