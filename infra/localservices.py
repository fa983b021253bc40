"""Start real redis-server (single or a 3-master cluster), PostgreSQL and
coturn processes from the Debian packages on free loopback ports, for the
test suites and the cloud-local mode.

PostgreSQL refuses to run as root, so when we are root its data folder is
owned by, and the server runs as, the ``postgres`` system user.
"""

from __future__ import annotations

import atexit
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


_running: list[Service] = []


def scratch_dir(kind: str) -> Path:
    """A fresh folder under the temp dir named ``virtubar-KIND-PID-...``: the
    pid tells which run made it (tests/conftest.py checks its own are gone)."""
    return Path(tempfile.mkdtemp(prefix=f"virtubar-{kind}-{os.getpid()}-"))


@dataclass
class Service:
    """A started server; ``stop`` ends its processes and deletes the
    ``scratch`` folders it made (a PostgreSQL cluster is ~1 GB). Services
    not stopped by their owner are stopped at interpreter exit."""

    url: str
    stop_cmds: list[list[str]] = field(default_factory=list)
    procs: list[subprocess.Popen] = field(default_factory=list)
    scratch: list[Path] = field(default_factory=list)

    def __post_init__(self) -> None:
        _running.append(self)

    def stop(self) -> None:
        if self in _running:
            _running.remove(self)
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for cmd in self.stop_cmds:
            subprocess.run(cmd, capture_output=True, check=False)
        for folder in self.scratch:
            shutil.rmtree(folder, ignore_errors=True)


@atexit.register
def _stop_leftovers() -> None:
    for service in list(_running):
        service.stop()


def _redis_server(workdir: Path, port: int, *options: str, tls: Path | None = None) -> subprocess.Popen:
    """redis-server on ``port``; with ``tls`` (a folder from ``make_tls``)
    that port speaks TLS only (as ElastiCache with in-transit encryption)."""
    exe = shutil.which("redis-server") or "/usr/bin/redis-server"
    workdir.mkdir(parents=True, exist_ok=True)
    listen = ["--port", str(port)]
    if tls is not None:
        listen = ["--port", "0", "--tls-port", str(port), "--tls-cert-file", str(tls / "redis.crt"),
                  "--tls-key-file", str(tls / "redis.key"), "--tls-ca-cert-file", str(tls / "redis.crt"),
                  "--tls-auth-clients", "no", "--tls-cluster", "yes"]
    proc = subprocess.Popen(
        [exe, *listen, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(workdir), *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_port(port, 10, proc)
    except (RuntimeError, TimeoutError):
        proc.kill()
        raise
    return proc


def start_redis(workdir: Path, port: int | None = None) -> Service:
    port = port or free_port()
    return Service(url=f"redis://127.0.0.1:{port}/0", procs=[_redis_server(workdir, port)])


def make_tls(folder: Path) -> Path:
    """A self-signed certificate for 127.0.0.1 (``redis.crt``, ``redis.key``)
    that a test trusts as its CA."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(folder / "redis.key"),
         "-out", str(folder / "redis.crt")],
        check=True, capture_output=True,
    )
    return folder


def start_redis_cluster(workdir: Path, masters: int = 3, tls: Path | None = None) -> Service:
    """A Redis Cluster of ``masters`` primaries and no replicas (the shape
    ElastiCache runs in cluster mode), made with ``redis-cli --cluster
    create``; the URL names one node, the client discovers the rest. With
    ``tls`` (see ``make_tls``) clients and the cluster bus speak TLS and the
    URL is ``rediss://``."""
    service = Service(url="")
    try:
        ports = []
        for i in range(masters):
            port = free_port()
            service.procs.append(_redis_server(
                workdir / f"node-{i}", port, "--cluster-enabled", "yes", "--cluster-port", str(free_port()),
                "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000", tls=tls))
            ports.append(port)
        subprocess.run(
            [*_redis_cli(tls), "--cluster", "create",
             *(f"127.0.0.1:{p}" for p in ports), "--cluster-replicas", "0", "--cluster-yes"],
            check=True, capture_output=True, timeout=60,
        )
        _wait_cluster_ok(ports, 30, tls)
    except BaseException:
        service.stop()
        raise
    service.url = f"{'rediss' if tls else 'redis'}://127.0.0.1:{ports[0]}/0"
    return service


def _redis_cli(tls: Path | None = None) -> list[str]:
    cli = [shutil.which("redis-cli") or "/usr/bin/redis-cli"]
    return cli if tls is None else [*cli, "--tls", "--cacert", str(tls / "redis.crt")]


def _wait_cluster_ok(ports: list[int], timeout_s: float, tls: Path | None) -> None:
    """Every node agrees the cluster is up (all 16384 slots served)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        states = [subprocess.run([*_redis_cli(tls), "-p", str(p), "cluster", "info"], capture_output=True,
                                 text=True).stdout for p in ports]
        if all("cluster_state:ok" in s for s in states):
            return
        time.sleep(0.1)
    raise TimeoutError(f"the Redis cluster on ports {ports} is not ok after {timeout_s}s")


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise FileNotFoundError("PostgreSQL is not installed (Debian package postgresql)")
    return found[-1]


def start_postgres(workdir: Path | None = None, port: int | None = None) -> Service:
    """A throwaway cluster with trust auth on loopback; database ``virtubar``.

    Without ``workdir`` it lives in a fresh folder under /tmp, which the
    ``postgres`` user can reach (a root-only parent folder would stop it),
    deleted by ``stop``, also when starting fails.
    """
    port = port or free_port()
    service = Service(url=f"postgres://virtubar@127.0.0.1:{port}/virtubar")
    if workdir is None:
        workdir = scratch_dir("pg")
        service.scratch.append(workdir)
    data = workdir / "pgdata"
    if data.exists():
        shutil.rmtree(data)
    workdir.mkdir(parents=True, exist_ok=True)
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    service.stop_cmds.append([*as_user, _pg_bin("pg_ctl"), "-D", str(data), "-m", "fast", "stop"])
    try:
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
    except BaseException:
        service.stop()
        raise
    return service


def start_coturn(workdir: Path, secret: str, port: int | None = None) -> Service:
    """coturn on loopback with time-limited credentials (``use-auth-secret``,
    the scheme the join's ``iceServers`` use). Loopback peers are allowed
    because here the SFU it relays to is on 127.0.0.1 too."""
    exe = shutil.which("turnserver") or "/usr/sbin/turnserver"
    port = port or free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [
            exe, "-n", "--no-cli", "--no-tls", "--no-dtls", "--fingerprint", "--simple-log",
            "--listening-ip", "127.0.0.1", "--relay-ip", "127.0.0.1", "--listening-port", str(port),
            "--use-auth-secret", f"--static-auth-secret={secret}", "--realm", "virtubar.local",
            "--allow-loopback-peers", "--db", str(workdir / "turndb"), "--pidfile", str(workdir / "turnserver.pid"),
            "--log-file", str(workdir / "turnserver.log"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    service = Service(url=f"turn:127.0.0.1:{port}", procs=[proc])
    try:
        _wait_port(port, 10, proc)
    except BaseException:
        service.stop()
        raise
    return service
