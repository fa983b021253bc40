"""Join-storm benchmark: players arriving at a fixed rate, each going the
whole way a browser goes, against the embedded server (`virtubar up`).

    python -m bench.join.run --rate 200 --seconds 30
    python -m bench.join.run --rate 50 --seconds 10 --template focus
    add --write to append the result to docs/benchmarks.md

Each arrival signs in as a guest (``POST /api/auth/anonymous``), quick-joins
a template (``POST /api/rooms/join``), opens the edge socket the join named,
sends ``join_room`` and waits for its ``room_state``; then it stays connected
until the run ends, as players do. Latency is counted from the arrival's
scheduled time (so a generator or server that falls behind shows as latency,
not as fewer arrivals) and split by phase. ``server CPU`` is the embedded
server's process tree over the arrival window, ``per join`` its CPU
milliseconds per completed join.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.edge.run import cpu_s, rss_kb
from infra.localservices import free_port

REPO = Path(__file__).resolve().parents[2]
PHASES = ("signin", "rest_join", "ws_open", "room_state")


def start_server(data: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """``virtubar up`` on a fresh data folder, with the guest limits opened
    (every arrival comes from 127.0.0.1)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIRTUBAR_")} | {
        "PYTHONPATH": str(REPO),
        "VIRTUBAR_SIGNUPS_PER_HOUR": "10000000",
        "VIRTUBAR_GUESTS_PER_HOUR": "10000000",
        "VIRTUBAR_GUESTS_PER_DEVICE_PER_HOUR": "10000000",
        "VIRTUBAR_REQUESTS_PER_MINUTE": "10000000",
        "VIRTUBAR_NODE_CAPACITY": "100000",
    }
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "launcher.cli", "up", "--port", str(port), "--data", str(data)],
            stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if "open http://" in log.read_text():
            break
        time.sleep(0.1)
    else:
        raise SystemExit(f"the server did not start:\n{log.read_text()}")
    url = f"http://127.0.0.1:{port}"
    import urllib.request

    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/api/health", timeout=1):
                return proc, url
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not answer /api/health")


async def arrive(http, url: str, template: str, due: float, sockets: list) -> dict:
    """One player's way in; returns its phase times (ms) or its error."""
    from websockets.asyncio.client import connect

    await asyncio.sleep(max(0.0, due - time.monotonic()))
    marks = {"due": due, "start": time.monotonic()}
    try:
        async with http.post(f"{url}/api/auth/anonymous", json={}) as r:
            me = await r.json()
            if r.status != 201:
                return {"error": f"signin {r.status}"}
        marks["signin"] = time.monotonic()
        headers = {"Authorization": f"Bearer {me['accessToken']}"}
        async with http.post(f"{url}/api/rooms/join", json={"template": template}, headers=headers) as r:
            join = await r.json()
            if r.status != 200:
                return {"error": f"join {r.status}"}
        marks["rest_join"] = time.monotonic()
        ws = await connect(join["edgeUrl"], origin=url, open_timeout=30)
        sockets.append(ws)
        marks["ws_open"] = time.monotonic()
        hello = {"roomId": join["roomId"], "token": join["realtimeToken"]}
        await ws.send(json.dumps({"v": 1, "t": "join_room", "ts": 0, "payload": hello}))
        while True:
            frame = json.loads(await ws.recv())
            kinds = [m["t"] for m in (frame if isinstance(frame, list) else [frame])]
            if "room_state" in kinds:
                break
            if "auth_error" in kinds or "error" in kinds:
                return {"error": f"edge {frame}"[:80]}
        marks["room_state"] = time.monotonic()
    except Exception as e:  # a failed arrival is counted, the run goes on
        return {"error": type(e).__name__}
    out, prev = {}, marks["due"]
    for phase in PHASES:
        out[phase] = (marks[phase] - prev) * 1000
        prev = marks[phase]
    out["total"] = (marks["room_state"] - due) * 1000
    out["late"] = (marks["start"] - due) * 1000
    return out


async def generate(url: str, rate: float, seconds: float, template: str, offset: float, start_at: float) -> None:
    """One generator process: arrivals every ``1/rate`` s from ``start_at``
    (wall clock, shared by all generators), shifted by ``offset``."""
    import aiohttp

    sockets: list = []
    connector = aiohttp.TCPConnector(limit=256)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as http:
        base = time.monotonic() + (start_at - time.time())
        count = int(rate * seconds)
        tasks = [arrive(http, url, template, base + (i + offset) / rate, sockets) for i in range(count)]
        results = await asyncio.gather(*tasks)
    print(json.dumps(results))
    for ws in sockets:
        ws.transport.abort()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=200, help="arrivals per second, all generators together")
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--template", default="bar")
    ap.add_argument("--gens", type=int, default=2)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--url", help="drive a server already running (e.g. under a profiler); its CPU is not measured")
    ap.add_argument("--gen", help=argparse.SUPPRESS)  # internal: url,offset,start_at of one generator
    args = ap.parse_args()
    if args.gen:
        url, offset, start_at = args.gen.split(",")
        asyncio.run(generate(url, args.rate, args.seconds, args.template, float(offset), float(start_at)))
        return

    with tempfile.TemporaryDirectory(prefix="vb-join-") as tmp:
        proc, url = start_server(Path(tmp) / "data", Path(tmp) / "server.log") if not args.url else (None, args.url)
        try:
            start_at = time.time() + 2.0
            per_gen = args.rate / args.gens
            gens = [
                subprocess.Popen(
                    [sys.executable, "-m", "bench.join.run", "--rate", str(per_gen), "--seconds", str(args.seconds),
                     "--template", args.template, "--gen", f"{url},{g / args.gens},{start_at}"],
                    stdout=subprocess.PIPE, env=os.environ | {"PYTHONPATH": str(REPO)}, text=True,
                )
                for g in range(args.gens)
            ]
            time.sleep(max(0.0, start_at - time.time()))
            cpu0, t0 = (cpu_s(proc.pid) if proc else 0.0), time.monotonic()
            results: list[dict] = []
            for g in gens:
                out, _ = g.communicate(timeout=args.seconds + 180)
                results += json.loads(out)
            # the server's work ends with the last room_state; the generators' exit is not timed
            cpu1, t1 = (cpu_s(proc.pid) if proc else 0.0), time.monotonic()
            rss = rss_kb(proc.pid) / 1024 if proc else 0.0
        finally:
            if proc:
                proc.terminate()
                proc.wait(15)
    done = [r for r in results if "error" not in r]
    errors: dict[str, int] = {}
    for r in results:
        if "error" in r:
            errors[r["error"]] = errors.get(r["error"], 0) + 1
    row = {
        "command": f"python -m bench.join.run --rate {args.rate:g} --seconds {args.seconds:g} "
        f"--template {args.template}",
        "arrivals": len(results),
        "joined": len(done),
        "errors": errors,
        "p50 ms": round(pct([r["total"] for r in done], 0.5)),
        "p99 ms": round(pct([r["total"] for r in done], 0.99)),
        **{f"{p} p50/p99": "/".join(f"{pct([r[p] for r in done], q):.0f}" for q in (0.5, 0.99)) for p in PHASES},
        "gen late p99 ms": round(pct([r["late"] for r in done], 0.99)),
        "server CPU": f"{(cpu1 - cpu0) / (t1 - t0):.0%}",
        "per join ms": round((cpu1 - cpu0) * 1000 / max(1, len(done)), 1),
        "server RSS MB": round(rss),
        "load avg": f"{os.getloadavg()[0]:.1f}",
    }
    print(json.dumps(row))
    if args.write:
        with (REPO / "docs" / "benchmarks.md").open("a") as doc:
            doc.write("| " + " | ".join(str(v) for v in row.values()) + " |\n")


if __name__ == "__main__":
    main()
