"""The client's end-to-end suite in real headless Chromium against the
embedded server (client/e2e/server.test.mjs): two players meet, move, chat,
hear each other, recover from a dropped socket, and use the safety controls;
the API reference renders with no host reachable but the server."""

from tests.embedded.chromium import run_client_e2e


def test_two_players_in_chromium(embedded):
    run_client_e2e(embedded[0], ["npm", "run", "--silent", "e2e:server"])


def test_the_api_docs_render_in_chromium_with_only_the_server_reachable(embedded):
    run_client_e2e(embedded[0], ["npm", "run", "--silent", "e2e:apidocs"], timeout=300)
