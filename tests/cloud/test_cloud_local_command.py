"""The one command (`bash infra/cloud-local.sh` execs `python -m
infra.cloudlocal`): it prints the URLs, and SIGTERM stops every process it
started."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def descendants(root: int) -> set[int]:
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            continue
    found, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in found} - found
        found |= more
        grew = bool(more)
    return found - {root}


def test_the_command_prints_the_urls_and_stops_everything_on_sigterm(tmp_path):
    assert "exec .venv/bin/python -m infra.cloudlocal" in (ROOT / "infra/cloud-local.sh").read_text()
    proc = subprocess.Popen(
        [sys.executable, "-m", "infra.cloudlocal", "--api-workers", "1", "--workdir", str(tmp_path)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (lines and lines[-1].startswith("Press Ctrl-C")):
            line = proc.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
        out = "".join(lines)
        api = re.search(r"API +(http://\S+)/api", out).group(1)
        assert len(re.findall(r"edge \d +ws://127\.0\.0\.1:\d+/ws", out)) == 2
        assert re.search(r"SFU +ws://127\.0\.0\.1:\d+/sfu", out) and re.search(r"TURN +turn:127\.0\.0\.1:\d+", out)
        assert httpx.get(f"{api}/api/health", timeout=5).status_code == 200
        started = [int(p.read_text()) for p in tmp_path.glob("coturn/turnserver.pid")]
        started += [int(line.split()[0]) for line in subprocess.run(
            ["pgrep", "-f", str(tmp_path)], capture_output=True, text=True).stdout.splitlines()]
        started += list(descendants(proc.pid))
        assert len(started) >= 8  # redis, coturn, 2 edges, sfu, api (granian main + worker each)
        postgres_port = int(re.search(r"PostgreSQL +postgres://\S+:(\d+)/", out).group(1))
    finally:
        proc.send_signal(signal.SIGTERM)
        rest = proc.communicate(timeout=60)[0]
    assert proc.returncode == 0 and "cloud-local stopped" in rest
    assert not [pid for pid in started if alive(pid) and pid != os.getpid()]
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", postgres_port)) != 0  # PostgreSQL stopped too
    assert not [p for p in (tmp_path / "logs").glob("*.log") if "Traceback" in p.read_text()]
