"""Focus sessions in real headless Chromium against the embedded server
(client/e2e/focus.test.mjs): goals panel, counts seen by the room, summary
with achievements, the history page, and preferences applied."""

import os
import subprocess
from pathlib import Path

CLIENT = Path(__file__).resolve().parents[2] / "client"


def test_focus_session_in_chromium(embedded):
    url, _ = embedded
    run = subprocess.run(
        ["node", "--test", "--test-concurrency=1", "e2e/focus.test.mjs"],
        cwd=CLIENT,
        env=os.environ | {"VIRTUBAR_E2E_URL": url},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
