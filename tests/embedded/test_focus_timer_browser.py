"""The focus room's shared timer in real headless Chromium against the
embedded server (client/e2e/timer.test.mjs), with a timer minute of a
second: two players' rings agree and both get the chime at the end; a
player who switched the chime off gets none; the owner's hosts-only switch
disables the other's controls; a scheduled session calls the player who
took a place into the room at its start, its timer already running."""

from infra.localservices import free_port
from tests.embedded.chromium import run_client_e2e
from tests.embedded.conftest import start_server


def test_two_players_share_the_focus_timer_in_chromium(tmp_path):
    proc, url = start_server(tmp_path / "data", free_port(), tmp_path / "server.log",
                             VIRTUBAR_EDGE_TIMER_MINUTE_MS="1000")
    try:
        run_client_e2e(url, ["node", "--test", "--test-concurrency=1", "e2e/timer.test.mjs"])
    finally:
        proc.terminate()
        proc.wait(15)
