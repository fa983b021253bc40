"""Runs one of the client's Chromium suites (``client/e2e/``) against the
embedded server under test and says what it printed when it fails."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

CLIENT = Path(__file__).resolve().parents[2] / "client"


def run_client_e2e(url: str, command: list[str], timeout: float = 600) -> None:
    run = subprocess.run(command, cwd=CLIENT, env=os.environ | {"VIRTUBAR_E2E_URL": url},
                         capture_output=True, text=True, timeout=timeout)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
