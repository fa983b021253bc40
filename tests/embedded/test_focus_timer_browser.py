"""The focus room's shared timer in real headless Chromium against the
embedded server (client/e2e/focus.test.mjs), with a timer minute of a
second: two players' rings agree and both get the chime at the end."""

import os
import subprocess

from infra.localservices import free_port
from tests.embedded.conftest import start_server
from tests.embedded.test_browser import CLIENT


def test_two_players_share_the_focus_timer_in_chromium(tmp_path):
    proc, url = start_server(tmp_path / "data", free_port(), tmp_path / "server.log",
                             VIRTUBAR_EDGE_TIMER_MINUTE_MS="1000")
    try:
        run = subprocess.run(
            ["node", "--test", "--test-concurrency=1", "e2e/focus.test.mjs"],
            cwd=CLIENT, env=os.environ | {"VIRTUBAR_E2E_URL": url}, capture_output=True, text=True, timeout=600,
        )
        assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
    finally:
        proc.terminate()
        proc.wait(15)
