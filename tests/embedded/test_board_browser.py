"""Whiteboards in real headless Chromium against the embedded server
(client/e2e/board.test.mjs): one player draws, the other's Yjs document holds
the stroke's points and a sticky note, and still does after a reload."""

from infra.localservices import free_port
from tests.embedded.chromium import run_client_e2e
from tests.embedded.conftest import start_server


def test_a_stroke_reaches_the_other_player_and_survives_a_reload_in_chromium(tmp_path):
    proc, url = start_server(tmp_path / "data", free_port(), tmp_path / "server.log")
    try:
        run_client_e2e(url, ["node", "--test", "--test-concurrency=1", "e2e/board.test.mjs"])
    finally:
        proc.terminate()
        proc.wait(15)
