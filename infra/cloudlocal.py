"""Cloud-local mode: the cloud shape on one machine, with real parts.

redis-server, PostgreSQL and coturn from the Debian packages; ``virtubar
migrate``; the API under granian with several workers (with the built
client on the same origin when client/dist exists); two edge nodes and one
SFU node, each its own process on its own port, sharing Redis, the database,
the token key and the TURN secret as the containers of infra/compose.yaml
and template.yaml do.

    bash infra/cloud-local.sh            # or: python -m infra.cloudlocal
    bash infra/cloud-local.sh --api-workers 4 --workdir /tmp/vb
    bash infra/cloud-local.sh --redis-cluster   # on a 3-master Redis Cluster

Prints the URLs, runs until Ctrl-C or SIGTERM, then stops everything.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from infra.localservices import (
    Service,
    _wait_port,
    free_port,
    scratch_dir,
    start_coturn,
    start_postgres,
    start_redis,
    start_redis_cluster,
)
from virtubar.registry import Registry
from virtubar.state import RedisState

REPO = Path(__file__).resolve().parent.parent
CLIENT_DIST = REPO / "client" / "dist"


def _granian(factory: str, port: int, workers: int = 1) -> list[str]:
    """A factory of ours served as ``virtubar <role>`` serves its own:
    ``infra.frontdoor:app`` (API + built client on one origin)."""
    return [sys.executable, "-m", "granian", "--interface", "asgi", "--factory", factory,
            "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), "--no-access-log"]


@dataclass
class Role:
    """One ``virtubar <role>`` process (its own session: stopped as a group)."""

    name: str
    proc: subprocess.Popen
    port: int
    log: Path

    def stop(self, timeout_s: float = 15) -> None:
        if self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


@dataclass
class CloudLocal:
    workdir: Path
    env: dict[str, str]
    services: list[Service] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    public_url: str = ""
    edge_urls: list[str] = field(default_factory=list)
    sfu_url: str = ""
    turn_url: str = ""
    client_dist: Path | None = None
    redis_cluster: bool = False
    scratch: list[Path] = field(default_factory=list)

    def start_role(self, name: str, *args: str, port: int | None = None, command: list[str] | None = None,
                   **env: str) -> Role:
        """``virtubar ARGS --port PORT`` (or ``command``) with the shared settings."""
        port = port or free_port()
        log = self.workdir / "logs" / f"{name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        proc = subprocess.Popen(
            command or [sys.executable, "-m", "launcher.cli", *args, "--port", str(port)],
            env=os.environ | self.env | env,
            cwd=REPO,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        role = Role(name, proc, port, log)
        self.roles.append(role)
        try:
            _wait_port(port, 60, proc)
        except (RuntimeError, TimeoutError) as error:
            raise RuntimeError(f"{name} did not start: {error}\n{log.read_text()[-2000:]}") from error
        return role

    def summary(self) -> str:
        client = f"{self.public_url}/" if self.client_dist else "not built (bash infra/bootstrap.sh builds it)"
        lines = [
            "VirtuBar cloud-local is running:",
            f"  client     {client}",
            f"  API        {self.public_url}/api  (health: {self.public_url}/api/health)",
            *(f"  edge {i}     {url}  (metrics: {url.replace('ws', 'http', 1)[:-3]}/metrics)"
              for i, url in enumerate(self.edge_urls, 1)),
            f"  SFU        {self.sfu_url}  (metrics: {self.sfu_url.replace('ws', 'http', 1)[:-4]}/metrics)",
            f"  metrics    Authorization: Bearer {self.env['VIRTUBAR_METRICS_TOKEN']}",
            f"  TURN       {self.turn_url}",
            f"  Redis      {self.env['VIRTUBAR_REDIS_URL']}"
            + ("  (a node of the cluster)" if self.redis_cluster else ""),
            f"  PostgreSQL {self.env['VIRTUBAR_DATABASE_URL']}",
            f"  logs       {self.workdir / 'logs'}",
        ]
        return "\n".join(lines)

    def stop(self) -> None:
        """Nodes first (the edges drain), then the servers they use."""
        for role in reversed(self.roles):
            role.stop()
        for service in reversed(self.services):
            service.stop()
        for folder in self.scratch:
            shutil.rmtree(folder, ignore_errors=True)


async def _registered(redis_url: str, cluster: bool, edges: int, sfus: int, timeout_s: float) -> None:
    """Wait until the nodes have announced themselves: joins pick from these."""
    state = RedisState(redis_url, cluster)
    registry = Registry(state)
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            if len(await registry.live("edge")) >= edges and len(await registry.live("sfu")) >= sfus:
                return
            await asyncio.sleep(0.1)
    finally:
        await state.close()
    raise TimeoutError("the edge and SFU nodes did not register in time")


def _wait_healthy(url: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{url} is not healthy after {timeout_s}s")


def start(workdir: Path | None = None, *, api_workers: int = 2, api_port: int | None = None,
          client_dist: Path | None = CLIENT_DIST, redis_cluster: bool = False) -> CloudLocal:
    """Start the whole shape; on any failure, stop what already started.
    The client is served when ``client_dist`` holds a build (index.html);
    ``redis_cluster`` puts the shared state on a 3-master Redis Cluster."""
    workdir = Path(workdir or scratch_dir("cloud"))
    workdir.mkdir(parents=True, exist_ok=True)
    cloud = CloudLocal(workdir=workdir, env={}, redis_cluster=redis_cluster)
    try:
        redis = (start_redis_cluster if redis_cluster else start_redis)(workdir / "redis")
        cloud.services.append(redis)
        cloud.scratch.append(scratch_dir("pg"))  # reachable by the postgres user
        postgres = start_postgres(cloud.scratch[-1])
        cloud.services.append(postgres)
        turn_secret = secrets.token_urlsafe(32)
        turn = start_coturn(workdir / "coturn", turn_secret)
        cloud.services.append(turn)
        cloud.turn_url = turn.url
        api_port = api_port or free_port()
        cloud.public_url = f"http://127.0.0.1:{api_port}"
        cloud.env = {
            "PYTHONPATH": str(REPO),
            "VIRTUBAR_HOST": "127.0.0.1",
            "VIRTUBAR_DATA": str(workdir / "data"),
            "VIRTUBAR_PUBLIC_URL": cloud.public_url,
            "VIRTUBAR_ALLOWED_ORIGINS": cloud.public_url,
            "VIRTUBAR_REGION": "local",
            "VIRTUBAR_REDIS_URL": redis.url,
            "VIRTUBAR_REDIS_CLUSTER": str(redis_cluster).lower(),
            "VIRTUBAR_DATABASE_URL": postgres.url,
            "VIRTUBAR_TOKEN_SECRET": secrets.token_urlsafe(48),
            "VIRTUBAR_METRICS_TOKEN": secrets.token_urlsafe(24),
            "VIRTUBAR_TURN_SECRET": turn_secret,
            "VIRTUBAR_TURN_URLS": f"{turn.url}?transport=udp,{turn.url}?transport=tcp",
            "VIRTUBAR_STUN_URLS": turn.url.replace("turn:", "stun:"),
        }
        migrate = subprocess.run(
            [sys.executable, "-m", "launcher.cli", "migrate"],
            env=os.environ | cloud.env, cwd=REPO, capture_output=True, text=True, timeout=120,
        )
        if migrate.returncode != 0:
            raise RuntimeError(f"virtubar migrate failed:\n{migrate.stdout}{migrate.stderr}")
        for i in (1, 2):
            port = free_port()
            url = f"ws://127.0.0.1:{port}/ws"
            cloud.start_role(f"edge-{i}", "edge", port=port, VIRTUBAR_EDGE_URL=url)
            cloud.edge_urls.append(url)
        port = free_port()
        cloud.sfu_url = f"ws://127.0.0.1:{port}/sfu"
        cloud.start_role("sfu", "sfu", port=port, VIRTUBAR_SFU_URL=cloud.sfu_url)
        if client_dist is not None and (client_dist / "index.html").exists():
            cloud.client_dist = client_dist
            cloud.start_role("api", port=api_port, command=_granian("infra.frontdoor:app", api_port, api_workers),
                             VIRTUBAR_CLIENT_DIST=str(client_dist))
        else:
            cloud.start_role("api", "api", "--workers", str(api_workers), port=api_port)
        _wait_healthy(f"{cloud.public_url}/api/health", 60)
        asyncio.run(_registered(redis.url, redis_cluster, edges=2, sfus=1, timeout_s=30))
    except BaseException:
        cloud.stop()
        raise
    return cloud


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cloud-local", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, help="logs and data (default: a new folder under /tmp)")
    parser.add_argument("--api-workers", type=int, default=2, help="granian workers of the API (default 2)")
    parser.add_argument("--port", type=int, help="port of the API (default: a free one)")
    parser.add_argument("--redis-cluster", action="store_true",
                        help="a 3-master Redis Cluster instead of one redis-server (VIRTUBAR_REDIS_CLUSTER=true)")
    args = parser.parse_args(argv)
    stopping = False

    def stop_on_signal(signum, frame) -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_signal)
    cloud = None
    try:
        cloud = start(args.workdir, api_workers=args.api_workers, api_port=args.port, redis_cluster=args.redis_cluster)
        print(cloud.summary(), flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        while all(role.proc.poll() is None for role in cloud.roles):
            time.sleep(0.5)
        failed = [r.name for r in cloud.roles if r.proc.poll() is not None]
        print(f"stopping: {', '.join(failed)} exited (see its log)", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        if cloud is not None:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            cloud.stop()
            print("cloud-local stopped", flush=True)


if __name__ == "__main__":
    sys.exit(main())
