"""The bar's jukebox in real headless Chromium against the embedded server
(client/e2e/music.test.mjs): a house track added from the panel plays in
two players' browsers at the same position (within 150 ms)."""

from infra.localservices import free_port
from tests.embedded.chromium import run_client_e2e
from tests.embedded.conftest import start_server, stop_server


def test_two_players_hear_the_jukebox_together_in_chromium(tmp_path):
    proc, url = start_server(tmp_path / "data", free_port(), tmp_path / "server.log")
    try:
        run_client_e2e(url, ["node", "--test", "--test-concurrency=1", "e2e/music.test.mjs"])
    finally:
        stop_server(proc)
