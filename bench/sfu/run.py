"""SFU benchmark: one node process, speakers in one process, listeners in
others, at rising listener counts. Prints a row per count (``--doc FILE``
also writes them as FILE's SFU section). Each process logs its event-loop
lag to the ``--log`` files.

    flock /tmp/bench.lock .venv/bin/python -m bench.sfu.run --listeners 100,200 --duration 8
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from statistics import quantiles

from bench.sfu.members import write_json
from virtubar.metricsauth import reader_headers

ROOT = Path(__file__).resolve().parents[2]
TICK = os.sysconf("SC_CLK_TCK")
MEMBERS_LOG = Path(tempfile.gettempdir()) / "sfu-bench-members.log"
WINDOW_LEAD_S = 0.5
METRICS_TOKEN = secrets.token_urlsafe(24)  # the node's /metrics need it (VIRTUBAR_METRICS_TOKEN)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def rss_mb(pid: int) -> float:
    line = next(x for x in Path(f"/proc/{pid}/status").read_text().splitlines() if x.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


def scrape(url: str) -> dict[str, float]:
    request = urllib.request.Request(url, headers=reader_headers(METRICS_TOKEN))
    text = urllib.request.urlopen(request, timeout=10).read().decode()
    return {k: float(v) for k, v in (line.rsplit(" ", 1) for line in text.splitlines() if not line.startswith("#"))}


def latency_quantile(before: dict, after: dict, q: float) -> str:
    """The upper bound of the histogram bucket holding quantile ``q``."""
    name = "virtubar_sfu_forwarding_latency_seconds_bucket"
    buckets = [(k, after[k] - before.get(k, 0)) for k in after if k.startswith(name)]
    total = buckets[-1][1] if buckets else 0
    for key, count in buckets:
        if total and count >= q * total:
            bound = re.search(r'le="([^"]+)"', key).group(1)
            return "> 250" if bound == "+Inf" else f"≤ {float(bound) * 1000:g}"
    return "n/a"


def member_process(
    role: str, url: str, secret: str, count: int, prefix: str, out: Path, window: Path, *extra: str
) -> subprocess.Popen:
    cmd = [
        sys.executable,
        "-m",
        "bench.sfu.members",
        role,
        "--url",
        url,
        "--secret",
        secret,
        "--count",
        str(count),
        "--prefix",
        prefix,
        "--out",
        str(out),
        "--window",
        str(window),
    ]
    cmd += extra
    with open(MEMBERS_LOG, "a") as log:  # the child keeps its own descriptor
        return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.2)


def step(node: subprocess.Popen, base: str, secret: str, tmp: Path, listeners: int, args, n: int) -> dict:
    speakers, duration, per = args.speakers, args.duration, args.per_process
    parts = [min(per, listeners - i) for i in range(0, listeners, per)]
    outs = [tmp / f"l{listeners}-{i}.json" for i in range(len(parts))]
    window = tmp / f"window-{listeners}.json"
    procs = [
        member_process(
            "listen",
            base.replace("http", "ws") + "/sfu",
            secret,
            count,
            f"l{listeners}-{i}-",
            out,
            window,
            "--starts",
            str(tmp / "starts.json"),
            "--sample",
            str(args.sample),
        )
        for i, (count, out) in enumerate(zip(parts, outs, strict=True))
    ]
    wait_for(lambda: all(Path(f"{o}.ready").exists() for o in outs), 60 + listeners, f"{listeners} listeners")
    time.sleep(2.0)  # let outlets be negotiated and assigned
    start = time.time() + WINDOW_LEAD_S  # listeners poll for the window: announce it before it opens
    write_json(window, [start, start + duration])
    time.sleep(WINDOW_LEAD_S)
    before, cpu0, t0 = scrape(base + "/metrics"), cpu_seconds(node.pid), time.time()
    time.sleep(max(0.0, start + duration - time.time()))
    after, cpu1, t1 = scrape(base + "/metrics"), cpu_seconds(node.pid), time.time()
    rss = rss_mb(node.pid)
    for p in procs:
        p.wait(timeout=60)
    results = [json.loads(o.read_text()) for o in outs]
    out_key = 'virtubar_sfu_packets_total{direction="out"}'
    egress = after[out_key] - before[out_key]
    received = sum(r["received"] for r in results)
    latencies = sorted(x for r in results for x in r["latencies"])
    p50, p99 = (quantiles(latencies, n=100)[i] * 1000 for i in (49, 98)) if len(latencies) > 100 else (0, 0)
    expected = listeners * min(n, speakers) * 50 * duration
    return {
        "listeners": listeners,
        "connected": sum(r["connected"] for r in results),
        "egress_pps": egress / (t1 - t0),
        "cpu_share": (cpu1 - cpu0) / (t1 - t0),
        "cpu_us_per_packet": (cpu1 - cpu0) / egress * 1e6 if egress else float("nan"),
        "node_p50": latency_quantile(before, after, 0.5),
        "node_p99": latency_quantile(before, after, 0.99),
        "e2e_p50_ms": p50,
        "e2e_p99_ms": p99,
        "loss": max(0.0, 1 - received / expected),
        "shed": after.get("virtubar_sfu_shed_total", 0) - before.get("virtubar_sfu_shed_total", 0),
        "rss_mb": rss,
    }


TABLE_HEAD = (
    "| listeners | connected | egress pkt/s | node CPU | CPU µs/egress pkt | node hand-off p50 / p99 ms "
    "| end-to-end p50 / p99 ms | loss | shed by the node | node RSS MB | machine load |"
    "\n|---|---|---|---|---|---|---|---|---|---|---|"
)


def row(r: dict) -> str:
    return (
        f"| {r['listeners']} | {r['connected']} | {r['egress_pps']:,.0f} | {r['cpu_share']:.0%} "
        f"| {r['cpu_us_per_packet']:.0f} | {r['node_p50']} / {r['node_p99']} "
        f"| {r['e2e_p50_ms']:.1f} / {r['e2e_p99_ms']:.1f} | {r['loss']:.2%} | {r['shed']:,.0f} | {r['rss_mb']:.0f} "
        f"| {r['load']:.1f} |"
    )


def write_section(doc: Path, section: str) -> None:
    text = doc.read_text() if doc.exists() else "# Benchmarks\n"
    pattern = re.compile(r"^## SFU node.*?(?=^## |\Z)", re.DOTALL | re.MULTILINE)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    doc.write_text(text)


def run_step(listeners: int, args) -> dict:
    secret, port = secrets.token_urlsafe(40), free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        with open(args.log, "a") as log:
            node = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "bench.sfu.serve",
                    "--port",
                    str(port),
                    "--secret",
                    secret,
                    "--data",
                    str(tmp / "data"),
                ],
                cwd=ROOT,
                env=os.environ | {"VIRTUBAR_METRICS_TOKEN": METRICS_TOKEN},
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        end = tmp / "end.json"
        speakers = None
        try:
            wait_for(lambda: _listening(port), 30, "the node")
            speakers = member_process(
                "speak", base.replace("http", "ws") + "/sfu", secret, args.speakers, "s", tmp / "starts.json", end
            )
            wait_for(lambda: (tmp / "starts.json").exists(), 60, "the speakers")
            load = os.getloadavg()[0]
            result = step(node, base, secret, tmp, listeners, args, 3)
            return result | {"load": load}
        finally:
            write_json(end, [0, 0])
            if speakers is not None:
                speakers.wait(timeout=30)
            node.terminate()
            node.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listeners", default="10,25,50,100")
    parser.add_argument("--speakers", type=int, default=3)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--per-process", type=int, default=50, help="listeners per load-generator process")
    parser.add_argument("--sample", type=int, default=2, help="listeners per process that decrypt and time packets")
    parser.add_argument("--doc", type=Path, help="write the SFU section of this file")
    parser.add_argument(
        "--log", type=Path, default=Path(tempfile.gettempdir()) / "sfu-bench-node.log", help="the node's stderr"
    )
    args = parser.parse_args()
    results = []
    for listeners in (int(x) for x in args.listeners.split(",")):  # a fresh node and speakers per step
        results.append(run_step(listeners, args))
        print(row(results[-1]), flush=True)
    command = ".venv/bin/python -m bench.sfu.run " + " ".join(sys.argv[1:])
    section = (
        "## SFU node: forwarding audio without transcoding\n\n"
        f"`{command}` (from the repository root; {args.speakers} speakers sending pre-encoded Opus at 50 packets/s, "
        f"each listener hears all of them (N = 3), {args.duration:g} s windows; node, speakers and listeners in "
        f"separate processes on one {os.cpu_count()}-core machine, all on 127.0.0.1; listeners {args.per_process} a "
        f"process, the first {args.sample} of each decrypting and timing every packet, the others counting RTP at the "
        "socket). Egress counts packets handed to "
        "subscribers' senders; CPU is the node process's user+system time; hand-off latency is the node's own "
        "histogram (packet arrival to its subscriber's sender, bucket bounds); end-to-end is speaker send to listener "
        "receipt (sampled listeners). Loss is against 50 packets/s per speaker per listener; shed counts incoming "
        "RTP the node dropped because it fell behind.\n\n"
        f"{TABLE_HEAD}\n" + "\n".join(row(r) for r in results) + "\n"
    )
    if args.doc is not None:
        write_section(args.doc, section)
        print(f"wrote {args.doc}")


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


if __name__ == "__main__":
    main()
