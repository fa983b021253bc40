"""Build mode in real headless Chromium against the embedded server
(client/e2e/build.test.mjs): the owner places a table and draws a zone with
its rules, a refused capacity is shown next to the zone, and after Save the
other player in the room sees both without reloading; and a player the
owner lets build (from their profile card) places a portal in the town's
isometric view, points it at a zone and saves, and the owner sees it."""

from infra.localservices import free_port
from tests.embedded.chromium import run_client_e2e
from tests.embedded.conftest import start_server


def test_what_the_owner_builds_reaches_the_other_player_without_a_reload_in_chromium(tmp_path):
    proc, url = start_server(tmp_path / "data", free_port(), tmp_path / "server.log")
    try:
        run_client_e2e(url, ["node", "--test", "--test-concurrency=1", "e2e/build.test.mjs"])
    finally:
        proc.terminate()
        proc.wait(15)
