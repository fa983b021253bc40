"""The client's end-to-end suite in real headless Chromium against the
embedded server (client/e2e/server.test.mjs): two players meet, move, chat,
hear each other, recover from a dropped socket, and use the safety controls;
the API reference renders with no host reachable but the server."""

import os
import subprocess
from pathlib import Path

CLIENT = Path(__file__).resolve().parents[2] / "client"


def test_two_players_in_chromium(embedded):
    url, _ = embedded
    run = subprocess.run(
        ["npm", "run", "--silent", "e2e:server"],
        cwd=CLIENT,
        env=os.environ | {"VIRTUBAR_E2E_URL": url},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]


def test_the_api_docs_render_in_chromium_with_only_the_server_reachable(embedded):
    url, _ = embedded
    run = subprocess.run(
        ["npm", "run", "--silent", "e2e:apidocs"],
        cwd=CLIENT,
        env=os.environ | {"VIRTUBAR_E2E_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
