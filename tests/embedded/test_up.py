"""The README's run command: `virtubar up` serves everything at a printed URL."""

import os
import re
import socket
import subprocess
import sys
import time

import httpx

from infra.localservices import free_port
from launcher.cli import announce_when_listening
from tests.embedded.conftest import stop_server


def test_up_prints_the_url_and_the_api_answers_there(embedded):
    url, data = embedded
    assert url.startswith("http://127.0.0.1:")
    health = httpx.get(f"{url}/api/health").json()
    assert health == {"status": "ok", "version": "0.1.0", "database": "sqlite"}
    assert (data / "virtubar.sqlite3").exists()
    secret = data / "token-secret"
    assert secret.exists() and oct(secret.stat().st_mode & 0o777) == "0o600"


def test_a_newcomer_signs_in_and_creates_a_room(embedded):
    url, _ = embedded
    me = httpx.post(f"{url}/api/auth/anonymous", json={}).json()
    h = {"Authorization": f"Bearer {me['accessToken']}"}
    room = httpx.post(f"{url}/api/rooms", json={"name": "Newcomer's bar", "template": "bar"}, headers=h)
    assert room.status_code == 201
    listed = httpx.get(f"{url}/api/rooms", params={"q": "newcomer's"}, headers=h).json()
    assert [r["id"] for r in listed["items"]] == [room.json()["id"]]


def test_the_client_or_a_landing_page_is_served_at_the_root(embedded):
    url, _ = embedded
    page = httpx.get(f"{url}/")
    assert page.status_code == 200 and "VirtuBar" in page.text


def test_a_missing_file_outside_the_api_answers_with_the_apis_problem_json(embedded):
    url, _ = embedded
    for path in ("/assets/no-such-file.js", "/api/no-such-route"):
        missing = httpx.get(f"{url}{path}")
        assert missing.status_code == 404, path
        assert missing.headers["content-type"].startswith("application/problem+json"), path
        assert missing.json()["title"] == "Not found" and missing.json()["status"] == 404, path


def test_migrate_is_idempotent(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIRTUBAR_")}
    run = [sys.executable, "-m", "launcher.cli", "migrate", "--data", str(tmp_path)]
    first = subprocess.run(run, capture_output=True, text=True, env=env, check=True)
    second = subprocess.run(run, capture_output=True, text=True, env=env, check=True)
    assert "applied: initial" in first.stdout and "up to date" in second.stdout


def test_the_url_line_waits_for_a_listening_port(capsys):
    port = free_port()
    announcer = announce_when_listening("0.0.0.0", port, "open http://example/", every_s=0.01)
    time.sleep(0.5)  # ~50 refused connects
    assert capsys.readouterr().out == ""
    with socket.create_server(("127.0.0.1", port)):
        announcer.join(10)
    assert capsys.readouterr().out == "open http://example/\n"


def test_when_up_prints_the_url_it_opens_at_once(tmp_path):
    """A user who clicks the printed URL the moment it appears gets a connection."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIRTUBAR_")}
    port, log = free_port(), tmp_path / "up.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "launcher.cli", "up", "--port", str(port),
                                 "--data", str(tmp_path / "data")], stdout=out, stderr=subprocess.STDOUT,
                                env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while not re.search(r"open http://\S+/", log.read_text()):
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.005)
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
    finally:
        stop_server(proc)
