"""Edge benchmark: real edge node(s) under granian, load generators in their
own processes, real sockets on 127.0.0.1.

    python -m bench.edge.run --clients 100 --rooms 1 --hz 20 --seconds 10
    python -m bench.edge.run --clients 100 --nodes 2            # two nodes on a real redis-server
    python -m bench.edge.run --clients 10000 --rooms 100 --mode idle --server websockets
    add --write to append the result to docs/benchmarks.md

``load avg`` is the machine's 1-minute load when the run ended: the machine
is shared, so a high figure means the run competed for the two cores.

Reports delivered transforms/s, delivery ratio (received / (sent x other
members of the room), measured after a 1 s warm-up), send -> receive latency
p50/p99 at another client, CPU and RSS of the node(s) and of the generators,
and node memory per connection.

What was not received is split in two. *Superseded*: a newer transform of
the same sender reached that receiver (the node relays only the latest
transform of each member per tick, so its state was delivered). *Lost*:
nothing newer of that sender ever reached it. ``node coalesced`` and ``node
drops`` are the node's own counters over the window (moves replaced within a
tick; moves dropped by rate limit or stale seq, or corrected): coalesced x
(members - 1) should match the superseded count when nothing else is missing.
``gen late p99 ms`` is how late the generators' sends left their schedule: a
high figure means the generators (or the machine) were the bottleneck.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from bisect import bisect_right
from collections import Counter
from pathlib import Path

import msgspec

from infra.localservices import _wait_port, free_port, start_redis
from virtubar.metricsauth import reader_headers
from virtubar.moderation import mark_loaded
from virtubar.state import RedisState

REPO = Path(__file__).resolve().parents[2]
SECRET = "bench-edge-secret-0123456789abcdef-0123456789"
METRICS_TOKEN = "bench-edge-metrics-0123456789abcdef"  # the node's /metrics need it (VIRTUBAR_METRICS_TOKEN)
TICKS = os.sysconf("SC_CLK_TCK")


async def sanctions_loaded(redis_url: str) -> None:
    state = RedisState(redis_url)
    await mark_loaded(state, "bench")
    await state.close()


def tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            kids = (task / "children").read_text().split() if (task / "children").exists() else []
            todo += [int(k) for k in kids]
    return pids


def cpu_s(pid: int) -> float:
    total = 0
    for p in tree(pid):
        with open(f"/proc/{p}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


def rss_kb(pid: int) -> int:
    total = 0
    for p in tree(pid):
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def start_node(redis_url: str, tick_hz: float, data: Path, server: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = os.environ | {
        "PYTHONPATH": str(REPO),
        "VIRTUBAR_REDIS_URL": redis_url,
        "VIRTUBAR_TOKEN_SECRET": SECRET,
        "VIRTUBAR_METRICS_TOKEN": METRICS_TOKEN,
        "VIRTUBAR_DATA": str(data),
        "VIRTUBAR_EDGE_TICK_HZ": str(tick_hz),
        "VIRTUBAR_EDGE_IDLE_TIMEOUT_S": "120",
        "VIRTUBAR_NODE_CAPACITY": "100000",
        "VIRTUBAR_PORT": str(port),
    }
    cmd = (
        [sys.executable, "-m", "realtime_edge.wsserve"]
        if server == "websockets"
        else [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "asgi",
            "--factory",
            "realtime_edge.serve:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--backlog",
            "4096",
            "--log-level",
            "warning",
        ]
    )
    log = open(data.with_suffix(".log"), "wb")
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=REPO,
        start_new_session=True,
    )
    _wait_port(port, 20, proc)
    return proc, f"ws://127.0.0.1:{port}/ws"


def node_counts(url: str) -> dict[str, float]:
    """The node's counters of moves not relayed as sent, summed over labels."""
    page = urllib.request.urlopen(urllib.request.Request(
        url.replace("ws://", "http://").removesuffix("/ws") + "/metrics", headers=reader_headers(METRICS_TOKEN)),
        timeout=10)
    out = dict.fromkeys(("coalesced", "dropped", "corrections"), 0.0)
    for line in page.read().decode().splitlines():
        for name in out:
            if line.startswith(f"virtubar_edge_{name}_total"):
                out[name] += float(line.rsplit(" ", 1)[1])
    return out


def missing(results: list[dict], clients: int, rooms: int) -> tuple[int, int]:
    """Transforms another member of the room never got: (superseded, lost)."""
    sends = {user: sorted(seqs) for r in results for user, seqs in r["sends"].items()}
    seen = {receiver: by for r in results for receiver, by in r["seen"].items()}
    superseded = lost = 0
    for i in range(clients):
        sent = sends.get(f"u{i}", [])
        for j in range(i % rooms, clients, rooms):
            if j != i:
                count, newest = seen.get(f"u{j}", {}).get(f"u{i}", (0, -1))
                upto = bisect_right(sent, newest)
                superseded += upto - count
                lost += len(sent) - upto
    return superseded, lost


def percentile(hist: list[int], q: float) -> int:
    total = sum(hist)
    if not total:
        return -1
    seen = 0
    for ms, n in enumerate(hist):
        seen += n
        if seen >= q * total:
            return ms
    return len(hist) - 1


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--rooms", type=int, default=1)
    ap.add_argument("--hz", type=float, default=20)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--nodes", type=int, default=1)
    ap.add_argument("--gens", type=int, default=2)
    ap.add_argument("--tick-hz", type=float, default=20)
    ap.add_argument("--mode", choices=["move", "idle"], default="move")
    ap.add_argument("--binary", action="store_true")
    ap.add_argument("--server", choices=["granian", "websockets"], default="granian")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-edge-"))
    redis = start_redis(tmp / "redis") if args.nodes > 1 else None
    if redis:  # no functions run here to load the sanctions: say they are loaded, or nodes admit nobody
        asyncio.run(sanctions_loaded(redis.url))
    nodes = [
        start_node(redis.url if redis else "", args.tick_hz, tmp / f"data{i}", args.server) for i in range(args.nodes)
    ]
    time.sleep(1.0)
    base_rss = [rss_kb(p.pid) for p, _ in nodes]
    urls = ",".join(u for _, u in nodes)
    connect_s = max(4.0, args.clients / 400)
    start_at = time.time() + connect_s
    per = -(-args.clients // args.gens)
    gens = []
    for g in range(args.gens):
        first, count = g * per, min(per, args.clients - g * per)
        cmd = [
            sys.executable,
            "-m",
            "bench.edge.loadgen",
            "--urls",
            urls,
            "--first",
            str(first),
            "--count",
            str(count),
            "--total",
            str(args.clients),
            "--rooms",
            str(args.rooms),
            "--hz",
            str(args.hz),
            "--start-at",
            str(start_at),
            "--seconds",
            str(args.seconds),
            "--mode",
            args.mode,
            "--secret",
            SECRET,
        ]
        cmd += ["--binary"] if args.binary else []
        gens.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, cwd=REPO, env=os.environ | {"PYTHONPATH": str(REPO)}))
    time.sleep(max(0.0, start_at + 1.0 - time.time()))
    cpu0 = [cpu_s(p.pid) for p, _ in nodes]
    counts0 = [node_counts(u) for _, u in nodes]
    t0 = time.monotonic()
    time.sleep(max(0.0, start_at + args.seconds - time.time()))
    window = time.monotonic() - t0
    cpu = [(cpu_s(p.pid) - c) / window for (p, _), c in zip(nodes, cpu0, strict=True)]
    rss = [rss_kb(p.pid) for p, _ in nodes]
    counts = [{k: v - c0[k] for k, v in node_counts(u).items()} for (_, u), c0 in zip(nodes, counts0, strict=True)]
    results = [msgspec.json.decode(g.communicate(timeout=120 + args.clients / 100)[0]) for g in gens]
    for p, _ in nodes:
        p.terminate()
        p.wait(30)
    if redis:
        redis.stop()

    measured = args.seconds - 1.0
    sent = sum(r["sent"] for r in results)
    received = sum(r["received"] for r in results)
    per_room = args.clients // args.rooms
    expected = sent * (per_room - 1)
    superseded, lost = missing(results, args.clients, args.rooms)
    hist = [sum(col) for col in zip(*(r["hist"] for r in results), strict=True)]
    late = [sum(col) for col in zip(*(r["late"] for r in results), strict=True)]
    joined = sum(r["joined"] for r in results)
    gen_cpu = sum(r["cpu_s"] for r in results) / (args.seconds + 1.0)  # + the generators' 1 s drain
    gen_rss = sum(r["rss_kb"] for r in results)
    conn_kb = (sum(rss) - sum(base_rss)) / max(joined, 1)
    row = {
        "setup": f"{args.nodes} {args.server} node{'s' if args.nodes > 1 else ''}"
        f"{' (redis)' if args.nodes > 1 else ' (in-process bus)'}",
        "load": f"{args.clients} clients x {args.rooms} room{'s' if args.rooms > 1 else ''}"
        + (f" x {args.hz:g} Hz" if args.mode == "move" else " idle"),
        "codec": "msgpack" if args.binary else "json",
        "joined": joined,
        "delivered/s": round(received / measured),
        "ratio": f"{received / expected:.3f}" if expected else "-",
        "superseded": f"{superseded / expected:.3f}" if expected else "-",
        "lost": lost,
        "node coalesced": round(sum(c["coalesced"] for c in counts)),
        "node drops": round(sum(c["dropped"] + c["corrections"] for c in counts)),
        "p50 ms": percentile(hist, 0.5),
        "p99 ms": percentile(hist, 0.99),
        "node CPU": " + ".join(f"{c:.0%}" for c in cpu),
        "node RSS MB": " + ".join(f"{r / 1024:.0f}" for r in rss),
        "KB/conn": f"{conn_kb:.1f}",
        "gen CPU": f"{gen_cpu:.0%}",
        "gen late p99 ms": percentile(late, 0.99),
        "gen RSS MB": f"{gen_rss / 1024:.0f}",
        "per core": round(received / measured / max(sum(cpu), 0.01)) if received else "-",
        "load avg": f"{os.getloadavg()[0]:.1f}",
    }
    print(msgspec.json.encode(row).decode())
    failed = Counter()
    for r in results:
        failed.update(r["failed"])
    for reason, n in failed.most_common():
        print(f"{n} client(s) did not get through: {reason} (node logs: {tmp}/*.log)", file=sys.stderr)
    if args.write:
        write(row, " ".join(["python -m bench.edge.run", *sys.argv[1:]]).replace(" --write", ""))


def write(row: dict, command: str) -> None:
    doc = REPO / "docs" / "benchmarks.md"
    doc.parent.mkdir(exist_ok=True)
    text = doc.read_text() if doc.exists() else "# Benchmarks\n"
    header = "## Realtime edge"
    cols = list(row)
    if header not in text:
        text += (
            f"\n{header}\n\nMeasured on one 2-core machine shared with other work, everything on 127.0.0.1 "
            "(`bench/edge/run.py`; generators are separate processes on the same cores).\n\n"
            "| " + " | ".join(["command", *cols]) + " |\n|" + "---|" * (len(cols) + 1) + "\n"
        )
    line = "| " + " | ".join([f"`{command}`"] + [str(row[c]) for c in cols]) + " |\n"
    head, _, tail = text.partition(header)
    table_end = tail.find("\n\n", tail.find("|---"))
    tail = tail + line if table_end < 0 else tail[: table_end + 1] + line + tail[table_end + 1 :]
    doc.write_text(head + header + tail)


if __name__ == "__main__":
    main()
