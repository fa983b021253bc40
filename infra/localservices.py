"""Start real redis-server and PostgreSQL processes from the Debian packages
on free loopback ports, for the test suites and the cloud-local mode.

PostgreSQL refuses to run as root, so when we are root its data folder is
owned by, and the server runs as, the ``postgres`` system user.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, timeout_s: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode} before listening on {port}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout_s}s")


@dataclass
class Service:
    url: str
    stop_cmds: list[list[str]] = field(default_factory=list)
    proc: subprocess.Popen | None = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        for cmd in self.stop_cmds:
            subprocess.run(cmd, capture_output=True, check=False)


def start_redis(workdir: Path, port: int | None = None) -> Service:
    exe = shutil.which("redis-server") or "/usr/bin/redis-server"
    port = port or free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_port(port, 10, proc)
    return Service(url=f"redis://127.0.0.1:{port}/0", proc=proc)


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise FileNotFoundError("PostgreSQL is not installed (Debian package postgresql)")
    return found[-1]


def start_postgres(workdir: Path | None = None, port: int | None = None) -> Service:
    """A throwaway cluster with trust auth on loopback; database ``virtubar``.

    Without ``workdir`` it lives in a fresh folder under /tmp, which the
    ``postgres`` user can reach (a root-only parent folder would stop it).
    """
    port = port or free_port()
    workdir = workdir or Path(tempfile.mkdtemp(prefix="virtubar-pg-"))
    data = workdir / "pgdata"
    if data.exists():
        shutil.rmtree(data)
    workdir.mkdir(parents=True, exist_ok=True)
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*as_user, _pg_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "virtubar", "--no-sync"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *as_user,
            _pg_bin("pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(workdir / "pg.log"),
            "-w",
            "-t",
            "30",
            "-o",
            f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [*as_user, _pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "virtubar", "virtubar"],
        check=True,
        capture_output=True,
    )
    return Service(
        url=f"postgres://virtubar@127.0.0.1:{port}/virtubar",
        stop_cmds=[[*as_user, _pg_bin("pg_ctl"), "-D", str(data), "-m", "fast", "stop"]],
    )
